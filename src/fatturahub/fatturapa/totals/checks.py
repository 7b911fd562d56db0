"""SDI's arithmetic controls on stated figures, with SDI's tolerances (FACTS.md §1.7).

* 00423 — a line's PrezzoTotale vs `expected_line_total`, beyond ±0.01.
* 00421 — a summary's Imposta vs ImponibileImporto × AliquotaIVA / 100 rounded half-up, beyond
  ±0.01.
* 00422 — per rate, Σ ImponibileImporto vs Σ PrezzoTotale + Σ ImportoContributoCassa +
  Σ Arrotondamento (of the summaries), beyond ±1.00. Only rates that have both summaries and
  lines/cassa are compared: a rate missing on either side is 00419/00443, not an amount error.

Paths name repeated elements the way lxml does (and the XSD issues next to them): a 1-based
index only when the element has same-named siblings. Params hold amounts as the XML would
write them, so that a message catalogue can render them in any language.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from fatturahub.fatturapa.findings import Finding, each
from fatturahub.fatturapa.model.ordinaria import DatiRiepilogo, DettaglioLinee, FatturaElettronicaBody
from fatturahub.fatturapa.totals.lines import expected_line_total
from fatturahub.fatturapa.totals.money import (
    ZERO,
    amount_text,
    percent_of,
    round_half_up,
    signed_text,
)

LINE_TOTAL = "00423"
SUMMARY_TAX = "00421"
SUMMARY_TAXABLE = "00422"

LINE_TOLERANCE = Decimal("0.01")
TAX_TOLERANCE = Decimal("0.01")
TAXABLE_TOLERANCE = Decimal("1.00")


def check_line_totals(body: FatturaElettronicaBody, body_path: str) -> list[Finding]:
    """00423, one finding per line whose PrezzoTotale is off by more than 0.01."""
    goods = f"{body_path}/DatiBeniServizi"
    return line_total_findings(each(goods, "DettaglioLinee", body.DatiBeniServizi.DettaglioLinee))


def check_summary_taxes(body: FatturaElettronicaBody, body_path: str) -> list[Finding]:
    """00421, one finding per summary whose Imposta is off by more than 0.01."""
    return summary_tax_findings(_summaries(body, body_path))


def check_summary_taxables(body: FatturaElettronicaBody, body_path: str) -> list[Finding]:
    """00422, one finding per rate whose summaries' taxable amount is off by more than 1.00,
    reported on the first summary with that rate."""
    return summary_taxable_findings(body, _summaries(body, body_path))


def _summaries(body: FatturaElettronicaBody, body_path: str) -> list[tuple[str, DatiRiepilogo]]:
    return each(f"{body_path}/DatiBeniServizi", "DatiRiepilogo", body.DatiBeniServizi.DatiRiepilogo)


# The same checks on (path, item) pairs a caller has already walked (the SDI controls' context).
def line_total_findings(lines: Iterable[tuple[str, DettaglioLinee]]) -> list[Finding]:
    findings = []
    for path, line in lines:
        expected = expected_line_total(line)
        difference = line.PrezzoTotale - expected
        if abs(difference) > LINE_TOLERANCE:
            params = {
                "line": str(line.NumeroLinea),
                "expected": amount_text(expected),
                "found": amount_text(line.PrezzoTotale),
                "difference": signed_text(difference),
                "tolerance": amount_text(LINE_TOLERANCE),
            }
            findings.append(Finding(LINE_TOTAL, f"{path}/PrezzoTotale", params))
    return findings


def summary_tax_findings(summaries: Iterable[tuple[str, DatiRiepilogo]]) -> list[Finding]:
    findings = []
    for path, summary in summaries:
        expected = round_half_up(percent_of(summary.ImponibileImporto, summary.AliquotaIVA))
        difference = summary.Imposta - expected
        if abs(difference) > TAX_TOLERANCE:
            params = {
                "rate": amount_text(summary.AliquotaIVA),
                "natura": summary.Natura or "",
                "taxable": amount_text(summary.ImponibileImporto),
                "expected": amount_text(expected),
                "found": amount_text(summary.Imposta),
                "difference": signed_text(difference),
                "tolerance": amount_text(TAX_TOLERANCE),
            }
            findings.append(Finding(SUMMARY_TAX, f"{path}/Imposta", params))
    return findings


def summary_taxable_findings(
    body: FatturaElettronicaBody, summaries: Iterable[tuple[str, DatiRiepilogo]]
) -> list[Finding]:
    by_rate: dict[Decimal, list[tuple[str, DatiRiepilogo]]] = {}  # in order of first appearance
    for path, summary in summaries:
        by_rate.setdefault(summary.AliquotaIVA, []).append((path, summary))
    sources = _source_amounts(body)
    findings = []
    for rate, at_rate in by_rate.items():
        if rate not in sources:
            continue
        finding = _taxable_finding(rate, at_rate, *sources[rate])
        if finding is not None:
            findings.append(finding)
    return findings


def _source_amounts(body: FatturaElettronicaBody) -> dict[Decimal, tuple[Decimal, Decimal]]:
    """Per rate: (Σ PrezzoTotale, Σ ImportoContributoCassa)."""
    amounts: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line in body.DatiBeniServizi.DettaglioLinee:
        lines, cassa = amounts.get(line.AliquotaIVA, (ZERO, ZERO))
        amounts[line.AliquotaIVA] = (lines + line.PrezzoTotale, cassa)
    for item in body.DatiGenerali.DatiGeneraliDocumento.DatiCassaPrevidenziale:
        lines, cassa = amounts.get(item.AliquotaIVA, (ZERO, ZERO))
        amounts[item.AliquotaIVA] = (lines, cassa + item.ImportoContributoCassa)
    return amounts


def _taxable_finding(
    rate: Decimal,
    summaries: list[tuple[str, DatiRiepilogo]],
    lines_amount: Decimal,
    cassa_amount: Decimal,
) -> Finding | None:
    rounding = found = ZERO
    for _, summary in summaries:  # one loop, not two generators: this runs on every document
        rounding += summary.Arrotondamento or ZERO
        found += summary.ImponibileImporto
    expected = lines_amount + cassa_amount + rounding
    difference = found - expected
    if abs(difference) <= TAXABLE_TOLERANCE:
        return None
    params = {
        "rate": amount_text(rate),
        "expected": amount_text(expected),
        "found": amount_text(found),
        "lines_amount": amount_text(lines_amount),
        "cassa_amount": amount_text(cassa_amount),
        "rounding": amount_text(rounding),
        "difference": signed_text(difference),
        "tolerance": amount_text(TAXABLE_TOLERANCE),
    }
    first_path = summaries[0][0]
    return Finding(SUMMARY_TAXABLE, f"{first_path}/ImponibileImporto", params)
