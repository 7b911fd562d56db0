"""Lines, cassa previdenziale and summaries (DatiRiepilogo) of an ordinaria invoice.

Natura says why no VAT is charged, so it goes with a zero rate and only with a zero rate
(TD16 excepted: the buyer's reverse-charge integration states both). Every rate and every Natura
used by lines and cassa must have its summary, and the other way round. Amount arithmetic
(00421-00423) belongs to the totals engine; it is wired in here.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from fatturahub.fatturapa.findings import Finding
from fatturahub.fatturapa.model.ordinaria import (
    EsigibilitaIVA,
    FatturaElettronicaBody,
    Natura,
    Ritenuta,
    TipoDocumento,
)
from fatturahub.fatturapa.totals.checks import (
    line_total_findings,
    summary_tax_findings,
    summary_taxable_findings,
)

from .context import ORDINARIA, Context, Line, Rule, each, finding

GENERIC_NATURE = {Natura.N2, Natura.N3, Natura.N6}  # refused since 2021-01-01 (00445)
REVERSE_CHARGE_NATURE = {n for n in Natura if n.startswith("N6.")}
# Rates compared with Decimal constants: comparing with an int converts it on every comparison.
ZERO = Decimal(0)
ONE = Decimal(1)


def _natura_allowed_with_rate(body: FatturaElettronicaBody) -> bool:
    return body.DatiGenerali.DatiGeneraliDocumento.TipoDocumento == TipoDocumento.TD16


def _has_withholding(body: FatturaElettronicaBody) -> bool:
    return bool(body.DatiGenerali.DatiGeneraliDocumento.DatiRitenuta)


# --- each line, cassa item and summary: one pass over each, several codes per item -------------
# (one rule per code would pay a generator and a walk of the items per code, on every document)
def line_checks(ctx: Context) -> Iterator[Finding]:
    """Natura against the rate (00400, 00401), Ritenuta without DatiRitenuta (00411),
    discounts without an amount (00438)."""
    for _, body, path, line in ctx.lines:
        rate, natura = line.AliquotaIVA, line.Natura
        if rate == ZERO and natura is None:
            yield finding("00400", f"{path}/Natura", {"line": line.NumeroLinea})
        if rate != ZERO and natura and not _natura_allowed_with_rate(body):
            params = {"line": line.NumeroLinea, "natura": natura, "rate": rate}
            yield finding("00401", f"{path}/Natura", params)
        if line.Ritenuta == Ritenuta.SI and not _has_withholding(body):
            yield finding("00411", f"{path}/Ritenuta", {"line": line.NumeroLinea})
        if line.ScontoMaggiorazione:  # the usual line has none: no walk to set up
            yield from _line_discounts_without_amount(path, line)


def _line_discounts_without_amount(line_path: str, line: Line) -> Iterator[Finding]:
    for path, item in each(line_path, "ScontoMaggiorazione", line.ScontoMaggiorazione):
        if item.Percentuale is None and item.Importo is None:
            yield finding("00438", path, {"kind": item.Tipo, "line": line.NumeroLinea})


def cassa_checks(ctx: Context) -> Iterator[Finding]:
    """Natura against the rate (00413, 00414), Ritenuta without DatiRitenuta (00415)."""
    for _, body, path, item in ctx.cassa:
        rate, natura = item.AliquotaIVA, item.Natura
        if rate == ZERO and natura is None:
            yield finding("00413", f"{path}/Natura", {})
        if rate != ZERO and natura is not None:
            yield finding("00414", f"{path}/Natura", {"natura": natura, "rate": rate})
        if item.Ritenuta == Ritenuta.SI and not _has_withholding(body):
            yield finding("00415", f"{path}/Ritenuta", {})


def summary_checks(ctx: Context) -> Iterator[Finding]:
    """Natura against the rate (00429, 00430), reverse charge with split payment (00420)."""
    for _, body, path, summary in ctx.summaries:
        rate, natura = summary.AliquotaIVA, summary.Natura
        if rate == ZERO and natura is None:
            yield finding("00429", f"{path}/Natura", {})
        if rate != ZERO and natura and not _natura_allowed_with_rate(body):
            yield finding("00430", f"{path}/Natura", {"natura": natura, "rate": rate})
        if natura in REVERSE_CHARGE_NATURE and summary.EsigibilitaIVA == EsigibilitaIVA.S:
            yield finding("00420", f"{path}/EsigibilitaIVA", {"natura": natura})


# --- Natura and rates of a body as a whole ---------------------------------------------------
def generic_natura(ctx: Context) -> Iterator[Finding]:
    for items in ctx.body_items:
        for path, _, natura in items.sources:
            if natura in GENERIC_NATURE:
                yield finding("00445", f"{path}/Natura", {"natura": natura})
        for path, summary in items.summaries:
            if summary.Natura in GENERIC_NATURE:
                yield finding("00445", f"{path}/Natura", {"natura": summary.Natura})


def rate_not_a_percentage(ctx: Context) -> Iterator[Finding]:
    """0.22 where 22.00 was meant: a non-zero rate below 1 (00424)."""
    for items in ctx.body_items:
        for path, rate, _ in items.sources:
            if ZERO < rate < ONE:
                yield finding("00424", f"{path}/AliquotaIVA", {"rate": rate})
        for path, summary in items.summaries:
            if ZERO < summary.AliquotaIVA < ONE:
                yield finding("00424", f"{path}/AliquotaIVA", {"rate": summary.AliquotaIVA})


# --- discounts -------------------------------------------------------------------------------
def document_discount_without_amount(ctx: Context) -> Iterator[Finding]:
    for body_path, body in ctx.bodies:
        items = body.DatiGenerali.DatiGeneraliDocumento.ScontoMaggiorazione
        if not items:  # the usual document: no walk to set up
            continue
        general = f"{body_path}/DatiGenerali/DatiGeneraliDocumento"
        for path, item in each(general, "ScontoMaggiorazione", items):
            if item.Percentuale is None and item.Importo is None:
                yield finding("00437", path, {"kind": item.Tipo})


# --- summaries against their sources ---------------------------------------------------------
def rate_without_summary(ctx: Context) -> Iterator[Finding]:
    """A rate used by lines or cassa with no DatiRiepilogo (00419), once per rate."""
    for items in ctx.body_items:
        for rate, path in items.source_rates.items():
            if rate not in items.summary_rates:
                yield finding("00419", f"{path}/AliquotaIVA", {"rate": rate})


def summary_rate_without_source(ctx: Context) -> Iterator[Finding]:
    """A DatiRiepilogo rate that no line or cassa item uses (00443)."""
    for items in ctx.body_items:
        for path, summary in items.summaries:
            if summary.AliquotaIVA not in items.source_rates:
                yield finding("00443", f"{path}/AliquotaIVA", {"rate": summary.AliquotaIVA})


def natura_without_counterpart(ctx: Context) -> Iterator[Finding]:
    """Lines/cassa and summaries must use the same Natura values (00444), each way once."""
    for items in ctx.body_items:
        used, summarized = items.source_naturas, items.summary_naturas
        for natura, path in used.items():
            if natura not in summarized:
                yield finding("00444", f"{path}/Natura", {"natura": natura})
        for natura, path in summarized.items():
            if natura not in used:
                yield finding("00444", f"{path}/Natura", {"natura": natura})


# --- arithmetic, from the totals engine ------------------------------------------------------
def line_totals(ctx: Context) -> Iterator[Finding]:
    for items in ctx.body_items:
        yield from line_total_findings(items.lines)


def summary_taxes(ctx: Context) -> Iterator[Finding]:
    for items in ctx.body_items:
        yield from summary_tax_findings(items.summaries)


def summary_taxables(ctx: Context) -> Iterator[Finding]:
    for items in ctx.body_items:
        yield from summary_taxable_findings(items.body, items.summaries)


RULES = (
    Rule(("00400", "00401", "00411", "00438"), line_checks, ORDINARIA),
    Rule(("00413", "00414", "00415"), cassa_checks, ORDINARIA),
    Rule(("00419",), rate_without_summary, ORDINARIA),
    Rule(("00420", "00429", "00430"), summary_checks, ORDINARIA),
    Rule(("00421",), summary_taxes, ORDINARIA),
    Rule(("00422",), summary_taxables, ORDINARIA),
    Rule(("00423",), line_totals, ORDINARIA),
    Rule(("00424",), rate_not_a_percentage, ORDINARIA),
    Rule(("00437",), document_discount_without_amount, ORDINARIA),
    Rule(("00443",), summary_rate_without_source, ORDINARIA),
    Rule(("00444",), natura_without_counterpart, ORDINARIA),
    Rule(("00445",), generic_natura, ORDINARIA),
)
