"""Lines, cassa previdenziale and summaries (DatiRiepilogo) of an ordinaria invoice.

Natura says why no VAT is charged, so it goes with a zero rate and only with a zero rate
(TD16 excepted: the buyer's reverse-charge integration states both). Every rate and every Natura
used by lines and cassa must have its summary, and the other way round. Amount arithmetic
(00421-00423) belongs to the totals engine; it is wired in here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from fatturahub.fatturapa import totals
from fatturahub.fatturapa.findings import Finding
from fatturahub.fatturapa.model.ordinaria import (
    EsigibilitaIVA,
    FatturaElettronicaBody,
    Natura,
    Ritenuta,
    TipoDocumento,
)

from .context import ORDINARIA, Context, Rule, each, finding

K = TypeVar("K")

GENERIC_NATURE = {Natura.N2, Natura.N3, Natura.N6}  # refused since 2021-01-01 (00445)
REVERSE_CHARGE_NATURE = {n for n in Natura if n.startswith("N6.")}


def _natura_allowed_with_rate(body: FatturaElettronicaBody) -> bool:
    return body.DatiGenerali.DatiGeneraliDocumento.TipoDocumento == TipoDocumento.TD16


def _has_withholding(body: FatturaElettronicaBody) -> bool:
    return bool(body.DatiGenerali.DatiGeneraliDocumento.DatiRitenuta)


def _first_paths(pairs: Iterable[tuple[K, str]]) -> dict[K, str]:
    """Each value with the path where it first appears."""
    first: dict[K, str] = {}
    for value, path in pairs:
        first.setdefault(value, path)
    return first


# --- Natura against the rate -----------------------------------------------------------------
def line_without_natura_at_zero_rate(ctx: Context) -> Iterator[Finding]:
    for _, _, path, line in ctx.lines:
        if line.AliquotaIVA == 0 and line.Natura is None:
            yield finding("00400", f"{path}/Natura", {"line": line.NumeroLinea})


def line_with_natura_at_taxed_rate(ctx: Context) -> Iterator[Finding]:
    for _, body, path, line in ctx.lines:
        if line.AliquotaIVA != 0 and line.Natura and not _natura_allowed_with_rate(body):
            params = {"line": line.NumeroLinea, "natura": line.Natura, "rate": line.AliquotaIVA}
            yield finding("00401", f"{path}/Natura", params)


def cassa_without_natura_at_zero_rate(ctx: Context) -> Iterator[Finding]:
    for _, _, path, item in ctx.cassa:
        if item.AliquotaIVA == 0 and item.Natura is None:
            yield finding("00413", f"{path}/Natura", {})


def cassa_with_natura_at_taxed_rate(ctx: Context) -> Iterator[Finding]:
    for _, _, path, item in ctx.cassa:
        if item.AliquotaIVA != 0 and item.Natura is not None:
            params = {"natura": item.Natura, "rate": item.AliquotaIVA}
            yield finding("00414", f"{path}/Natura", params)


def summary_without_natura_at_zero_rate(ctx: Context) -> Iterator[Finding]:
    for _, _, path, summary in ctx.summaries:
        if summary.AliquotaIVA == 0 and summary.Natura is None:
            yield finding("00429", f"{path}/Natura", {})


def summary_with_natura_at_taxed_rate(ctx: Context) -> Iterator[Finding]:
    for _, body, path, summary in ctx.summaries:
        if summary.AliquotaIVA != 0 and summary.Natura and not _natura_allowed_with_rate(body):
            params = {"natura": summary.Natura, "rate": summary.AliquotaIVA}
            yield finding("00430", f"{path}/Natura", params)


def generic_natura(ctx: Context) -> Iterator[Finding]:
    for items in ctx.body_items:
        used = [(path, natura) for path, _, natura in items.sources]
        used += [(path, s.Natura) for path, s in items.summaries]
        for path, natura in used:
            if natura in GENERIC_NATURE:
                yield finding("00445", f"{path}/Natura", {"natura": natura})


def reverse_charge_with_split_payment(ctx: Context) -> Iterator[Finding]:
    for _, _, path, summary in ctx.summaries:
        if summary.Natura in REVERSE_CHARGE_NATURE and summary.EsigibilitaIVA == EsigibilitaIVA.S:
            yield finding("00420", f"{path}/EsigibilitaIVA", {"natura": summary.Natura})


def rate_not_a_percentage(ctx: Context) -> Iterator[Finding]:
    """0.22 where 22.00 was meant: a non-zero rate below 1 (00424)."""
    for items in ctx.body_items:
        rates = [(path, rate) for path, rate, _ in items.sources]
        rates += [(path, s.AliquotaIVA) for path, s in items.summaries]
        for path, rate in rates:
            if 0 < rate < 1:
                yield finding("00424", f"{path}/AliquotaIVA", {"rate": rate})


# --- withholding -----------------------------------------------------------------------------
def line_withholding_without_data(ctx: Context) -> Iterator[Finding]:
    for _, body, path, line in ctx.lines:
        if line.Ritenuta == Ritenuta.SI and not _has_withholding(body):
            yield finding("00411", f"{path}/Ritenuta", {"line": line.NumeroLinea})


def cassa_withholding_without_data(ctx: Context) -> Iterator[Finding]:
    for _, body, path, item in ctx.cassa:
        if item.Ritenuta == Ritenuta.SI and not _has_withholding(body):
            yield finding("00415", f"{path}/Ritenuta", {})


# --- discounts -------------------------------------------------------------------------------
def document_discount_without_amount(ctx: Context) -> Iterator[Finding]:
    for body_path, body in ctx.bodies:
        general = f"{body_path}/DatiGenerali/DatiGeneraliDocumento"
        items = body.DatiGenerali.DatiGeneraliDocumento.ScontoMaggiorazione
        for path, item in each(general, "ScontoMaggiorazione", items):
            if item.Percentuale is None and item.Importo is None:
                yield finding("00437", path, {"kind": item.Tipo})


def line_discount_without_amount(ctx: Context) -> Iterator[Finding]:
    for _, _, line_path, line in ctx.lines:
        if not line.ScontoMaggiorazione:  # the usual line: no walk to set up
            continue
        for path, item in each(line_path, "ScontoMaggiorazione", line.ScontoMaggiorazione):
            if item.Percentuale is None and item.Importo is None:
                yield finding("00438", path, {"kind": item.Tipo, "line": line.NumeroLinea})


# --- summaries against their sources ---------------------------------------------------------
def rate_without_summary(ctx: Context) -> Iterator[Finding]:
    """A rate used by lines or cassa with no DatiRiepilogo (00419), once per rate."""
    for items in ctx.body_items:
        summarized = {s.AliquotaIVA for _, s in items.summaries}
        used = _first_paths((rate, path) for path, rate, _ in items.sources)
        for rate, path in used.items():
            if rate not in summarized:
                yield finding("00419", f"{path}/AliquotaIVA", {"rate": rate})


def summary_rate_without_source(ctx: Context) -> Iterator[Finding]:
    """A DatiRiepilogo rate that no line or cassa item uses (00443)."""
    for items in ctx.body_items:
        used = {rate for _, rate, _ in items.sources}
        for path, summary in items.summaries:
            if summary.AliquotaIVA not in used:
                yield finding("00443", f"{path}/AliquotaIVA", {"rate": summary.AliquotaIVA})


def natura_without_counterpart(ctx: Context) -> Iterator[Finding]:
    """Lines/cassa and summaries must use the same Natura values (00444), each way once."""
    for items in ctx.body_items:
        used = _first_paths((n, path) for path, _, n in items.sources if n)
        summarized = _first_paths((s.Natura, path) for path, s in items.summaries if s.Natura)
        for natura, path in used.items():
            if natura not in summarized:
                yield finding("00444", f"{path}/Natura", {"natura": natura})
        for natura, path in summarized.items():
            if natura not in used:
                yield finding("00444", f"{path}/Natura", {"natura": natura})


# --- arithmetic, from the totals engine ------------------------------------------------------
def line_totals(ctx: Context) -> Iterator[Finding]:
    for body_path, body in ctx.bodies:
        yield from totals.check_line_totals(body, body_path)


def summary_taxes(ctx: Context) -> Iterator[Finding]:
    for body_path, body in ctx.bodies:
        yield from totals.check_summary_taxes(body, body_path)


def summary_taxables(ctx: Context) -> Iterator[Finding]:
    for body_path, body in ctx.bodies:
        yield from totals.check_summary_taxables(body, body_path)


RULES = (
    Rule(("00400",), line_without_natura_at_zero_rate, ORDINARIA),
    Rule(("00401",), line_with_natura_at_taxed_rate, ORDINARIA),
    Rule(("00411",), line_withholding_without_data, ORDINARIA),
    Rule(("00413",), cassa_without_natura_at_zero_rate, ORDINARIA),
    Rule(("00414",), cassa_with_natura_at_taxed_rate, ORDINARIA),
    Rule(("00415",), cassa_withholding_without_data, ORDINARIA),
    Rule(("00419",), rate_without_summary, ORDINARIA),
    Rule(("00420",), reverse_charge_with_split_payment, ORDINARIA),
    Rule(("00421",), summary_taxes, ORDINARIA),
    Rule(("00422",), summary_taxables, ORDINARIA),
    Rule(("00423",), line_totals, ORDINARIA),
    Rule(("00424",), rate_not_a_percentage, ORDINARIA),
    Rule(("00429",), summary_without_natura_at_zero_rate, ORDINARIA),
    Rule(("00430",), summary_with_natura_at_taxed_rate, ORDINARIA),
    Rule(("00437",), document_discount_without_amount, ORDINARIA),
    Rule(("00438",), line_discount_without_amount, ORDINARIA),
    Rule(("00443",), summary_rate_without_source, ORDINARIA),
    Rule(("00444",), natura_without_counterpart, ORDINARIA),
    Rule(("00445",), generic_natura, ORDINARIA),
)
