"""The totals checks as Issues, worded in English or Italian from the findings' params.

The SDI-controls message catalogue may adopt these templates; they use only the params the
checks put in each `Finding`."""

from __future__ import annotations

from typing import Literal

from fatturahub.fatturapa.findings import Finding, each
from fatturahub.fatturapa.issues import Issue
from fatturahub.fatturapa.model.ordinaria import FatturaElettronica, FatturaElettronicaBody
from fatturahub.fatturapa.totals.checks import (
    LINE_TOTAL,
    SUMMARY_TAX,
    SUMMARY_TAXABLE,
    check_line_totals,
    check_summary_taxables,
    check_summary_taxes,
)

Language = Literal["en", "it"]

TEMPLATES: dict[str, dict[Language, str]] = {
    LINE_TOTAL: {
        "en": (
            "line {line}: PrezzoTotale {found} differs from unit price with discounts/markups"
            " × quantity = {expected} by {difference} (tolerance ±{tolerance})"
        ),
        "it": (
            "linea {line}: PrezzoTotale {found} diverso da prezzo unitario con sconti/"
            "maggiorazioni × quantità = {expected}, differenza {difference}"
            " (tolleranza ±{tolerance})"
        ),
    },
    SUMMARY_TAX: {
        "en": (
            "Imposta {found} of the {rate}% summary differs from ImponibileImporto {taxable}"
            " × {rate}% = {expected} by {difference} (tolerance ±{tolerance})"
        ),
        "it": (
            "Imposta {found} del riepilogo al {rate}% diversa da ImponibileImporto {taxable}"
            " × {rate}% = {expected}, differenza {difference} (tolleranza ±{tolerance})"
        ),
    },
    SUMMARY_TAXABLE: {
        "en": (
            "ImponibileImporto of the {rate}% summaries totals {found}, lines {lines_amount}"
            " + cassa {cassa_amount} + Arrotondamento {rounding} = {expected}: difference"
            " {difference} (tolerance ±{tolerance})"
        ),
        "it": (
            "ImponibileImporto dei riepiloghi al {rate}% somma {found}, linee {lines_amount}"
            " + cassa {cassa_amount} + Arrotondamento {rounding} = {expected}: differenza"
            " {difference} (tolleranza ±{tolerance})"
        ),
    },
}


def message(finding: Finding, language: Language = "en") -> str:
    return TEMPLATES[finding.code][language].format_map(finding.params)


def as_issue(finding: Finding, language: Language = "en") -> Issue:
    return Issue(finding.code, finding.path, message(finding, language))


def check_totals(
    body: FatturaElettronicaBody,
    body_path: str = "/FatturaElettronica/FatturaElettronicaBody",
    language: Language = "en",
) -> list[Issue]:
    """00423, 00421 and 00422 on a body's stated figures, in document order."""
    findings = [
        *check_line_totals(body, body_path),
        *check_summary_taxes(body, body_path),
        *check_summary_taxables(body, body_path),
    ]
    return [as_issue(finding, language) for finding in findings]


def check_invoice_totals(document: FatturaElettronica, language: Language = "en") -> list[Issue]:
    """`check_totals` on every body of a document, with lotto-aware body paths."""
    bodies = each("/FatturaElettronica", "FatturaElettronicaBody", document.FatturaElettronicaBody)
    return [issue for path, body in bodies for issue in check_totals(body, path, language)]
