"""Paths of the official sample files vendored under tests/data/official (see PROVENANCE.md)."""

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
OFFICIAL = DATA / "official"
OFFICIAL_INVOICES = sorted((OFFICIAL / "v1.2").glob("*.xml")) + sorted(
    (OFFICIAL / "ade-b2b-2018").glob("*.xml")
)
