"""Running the controls: on a document (`check`) or on a file as received (`check_bytes`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from fatturahub.fatturapa.document import Document, Reading, read
from fatturahub.fatturapa.issues import FatturaPAError, Issue

from . import charset, document_types, duplicates, identifiers, lines
from .context import Context, DuplicateLookup, Rule, document_date
from .messages import render, require_language
from .releases import Release, release_for, release_named

CONTENT_RULES: tuple[Rule, ...] = identifiers.RULES + document_types.RULES + duplicates.RULES + lines.RULES
RULES: tuple[Rule, ...] = CONTENT_RULES + charset.RULES


@cache
def _applicable(document_type: type[Document], schema_valid: bool) -> tuple[Rule, ...]:
    """The rules to run on a format, decided once per format rather than per document.
    A schema-valid document skips the charset rule: the XSD already enforced the characters."""
    rules = CONTENT_RULES if schema_valid else RULES
    return tuple(rule for rule in rules if issubclass(document_type, rule.formats))


@dataclass(frozen=True)
class ControlReport:
    release: Release  # the specification release whose rules were applied
    issues: list[Issue]

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def codes(self) -> list[str]:
        return [issue.code for issue in self.issues]

    def as_dict(self) -> dict[str, object]:
        return {"release": self.release.name, "issues": [issue.as_dict() for issue in self.issues]}


def check(
    document: Document,
    *,
    receipt_date: date | None = None,
    duplicates: DuplicateLookup | None = None,
    lang: str = "it",
    release: Release | str | None = None,
    schema_valid: bool = False,
) -> ControlReport:
    """SDI's content controls that the file and our records can decide, plus the characters
    each field allows. `receipt_date` enables 00403, `duplicates` 00404; `release` overrides
    the one in force at the document date. Issues come sorted by code, in document order.
    `schema_valid` says the document passed the XSD, which already enforced the characters.

    The document must have the schema's shape (parsed, or built with `model_validate`);
    `check_bytes` takes care of files that do not."""
    require_language(lang)
    if isinstance(release, str):
        release = release_named(release)
    applied = release or release_for(document_date(document))
    ctx = Context.of(document, applied, receipt_date, duplicates)
    findings = [found for rule in _applicable(type(document), schema_valid) for found in rule.check(ctx)]
    findings.sort(key=lambda found: found.code)
    return ControlReport(applied, [render(found, lang) for found in findings])


def check_bytes(
    data: bytes,
    *,
    receipt_date: date | None = None,
    duplicates: DuplicateLookup | None = None,
    lang: str = "it",
    release: Release | str | None = None,
    lenient: bool = False,
) -> list[Issue]:
    """Schema issues and control issues of a file, in one list.

    Like SDI, content controls run only on a schema-valid file; a file that breaks the schema
    gets its schema issues plus the exact position of every disallowed character."""
    try:
        reading = read(data, lenient=lenient)
    except FatturaPAError as exc:
        return exc.issues
    return check_reading(
        reading, receipt_date=receipt_date, duplicates=duplicates, lang=lang, release=release
    )


def check_reading(
    reading: Reading,
    *,
    receipt_date: date | None = None,
    duplicates: DuplicateLookup | None = None,
    lang: str = "it",
    release: Release | str | None = None,
) -> list[Issue]:
    """`check_bytes` for a file already read."""
    if reading.errors:
        positions = charset.charset_findings(reading.document)
        return reading.errors + [render(found, lang) for found in positions]
    report = check(
        reading.document,
        receipt_date=receipt_date,
        duplicates=duplicates,
        lang=lang,
        release=release,
        schema_valid=True,
    )
    return report.issues
