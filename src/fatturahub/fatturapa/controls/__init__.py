"""SDI controls on FatturaPA documents (FACTS.md §4), versioned by specification release.

check(document, receipt_date=..., duplicates=..., lang="it"|"en") -> ControlReport
check_bytes(data, ...) -> [Issue]          # XSD issues + control issues, for the CLI
transliterate(document) -> document        # characters the schema refuses, replaced
duplicate_key(document, body) -> DuplicateKey   # what a `duplicates` lookup receives
"""

from fatturahub.fatturapa.controls.charset import charset_findings, transliterate
from fatturahub.fatturapa.controls.context import DuplicateKey, DuplicateLookup
from fatturahub.fatturapa.controls.duplicates import duplicate_key
from fatturahub.fatturapa.controls.engine import RULES, ControlReport, check, check_bytes, check_reading
from fatturahub.fatturapa.controls.messages import CATALOGUE
from fatturahub.fatturapa.controls.releases import (
    RELEASES,
    SPEC_1_8,
    SPEC_1_9,
    SPEC_1_9_1,
    Release,
    release_for,
)

__all__ = [
    "CATALOGUE",
    "RELEASES",
    "RULES",
    "SPEC_1_8",
    "SPEC_1_9",
    "SPEC_1_9_1",
    "ControlReport",
    "DuplicateKey",
    "DuplicateLookup",
    "Release",
    "charset_findings",
    "check",
    "check_bytes",
    "check_reading",
    "duplicate_key",
    "release_for",
    "transliterate",
]
