"""What goes wrong with a document, in SDI's terms: a code, where, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding. `code` is SDI's error code ("00200" for format errors, ...)."""

    code: str
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


# SDI codes used by the core (FACTS.md §4).
FORMAT = "00200"
TOO_MANY_FORMAT_ERRORS = "00201"
FILE_TOO_LARGE = "00003"
FILE_CORRUPT = "00106"


class FatturaPAError(ValueError):
    """The input cannot be turned into a document. Carries the issues that say why."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("; ".join(f"{i.code} {i.path}: {i.message}".replace(" :", ":") for i in issues))

    @classmethod
    def single(cls, code: str, message: str, path: str = "") -> FatturaPAError:
        return cls([Issue(code, path, message)])


class UnreadableInput(FatturaPAError):
    """Not a readable file: malformed, hostile, oversized, or an envelope we cannot open."""


class UnsupportedVersion(FatturaPAError):
    """Well-formed XML, but not a FatturaPA version we read (e.g. the 2014 v1.1 format)."""


class NotAnInvoice(FatturaPAError):
    """Well-formed XML whose root is not a FatturaPA document element."""


class InvalidDocument(FatturaPAError):
    """A FatturaPA document that breaks the official schema."""
