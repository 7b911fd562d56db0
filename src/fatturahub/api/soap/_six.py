"""Spyne 2.14 ships six 1.14, whose import hook on sys.meta_path predates PEP 451: it has no
`find_spec`. Python 3.11 still falls back to its `find_module`, but tools that walk sys.meta_path
themselves (pytest's importlib import mode) call `find_spec` and fail. Give the hook the three
methods six 1.16 added for exactly this, with six 1.16's behaviour."""

from __future__ import annotations

from importlib.machinery import ModuleSpec
from importlib.util import spec_from_loader
from types import ModuleType
from typing import Any

from spyne.util import six

_Hook = six._SixMetaPathImporter


def _find_spec(self: Any, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
    return spec_from_loader(fullname, self) if fullname in self.known_modules else None


def _create_module(self: Any, spec: ModuleSpec) -> ModuleType:
    return self.load_module(spec.name)


def _exec_module(self: Any, module: ModuleType) -> None:
    """`create_module` loaded it already."""


if not hasattr(_Hook, "find_spec"):
    _Hook.find_spec, _Hook.create_module, _Hook.exec_module = _find_spec, _create_module, _exec_module
