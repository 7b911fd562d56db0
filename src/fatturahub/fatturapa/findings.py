"""A check's result before it becomes a message: SDI code, where, and the values it found.

The message catalogue (Italian and English, keyed by code) renders a `Finding` into an
`Issue`; checks only report facts, so the wording lives in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Finding:
    """`code` is SDI's error code, `path` the XPath-like location (1-based indexes), `params`
    the values the message needs, already formatted as strings (amounts as in the XML)."""

    code: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A read-only copy, so a frozen finding really cannot change after the check.
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


def each(parent: str, name: str, items: Sequence[T]) -> list[tuple[str, T]]:
    """(path, item) of a repeated element, indexed as lxml and the XSD errors do: only when the
    element has same-name siblings, so every issue's path matches the serialized document.
    A list rather than a generator: callers walk it whole, often more than once."""
    if len(items) == 1:
        return [(f"{parent}/{name}", items[0])]
    return [(f"{parent}/{name}[{number}]", item) for number, item in enumerate(items, start=1)]
