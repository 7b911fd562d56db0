"""VAT summaries (DatiRiepilogo), document total, withholding and net amount due — each figure
with the lines behind it and the rounding it took.

How the figures are built (FACTS.md §1.7, §4):

* One summary per (AliquotaIVA, Natura). ImponibileImporto is Σ PrezzoTotale of its lines plus
  Σ ImportoContributoCassa of its cassa items, rounded half-up to cents; the difference from the
  unrounded sum (PrezzoTotale may carry up to 8 decimals) is written in the summary's own
  Arrotondamento, so that ImponibileImporto = Σ sources + Arrotondamento holds exactly — the very
  equation SDI checks with 00422.
* Imposta = ImponibileImporto × AliquotaIVA / 100, rounded half-up: computed on the rounded
  taxable amount, as SDI recomputes it for 00421. Its rounding stays in Imposta.
* ImportoTotaleDocumento = Σ ImponibileImporto + Σ Imposta, then the document-level
  ScontoMaggiorazione in cascade (the schema calls the total "net of any discount"), then the
  document-level Arrotondamento. Split-payment VAT stays in the total: it is still VAT charged on
  the invoice, only paid to the State. A document-level discount does not lower the VAT base:
  SDI's 00422 balances summaries with lines, cassa and rounding only, so a discount meant to
  reduce VAT must be a line.
* DatiBollo is not added: the virtual stamp duty is a declaration; when the supplier recharges
  it, it is a line (usually Natura N1) and reaches the total through its summary.
* Each DatiRitenuta applies its AliquotaRitenuta to Σ PrezzoTotale of the lines with
  Ritenuta=SI plus Σ ImportoContributoCassa of the cassa items with Ritenuta=SI.
* Net due = total − withholding − VAT of the summaries with EsigibilitaIVA=S.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from fatturahub.fatturapa.model.ordinaria import (
    DatiCassaPrevidenziale,
    DatiGeneraliDocumento,
    DatiRiepilogo,
    DatiRitenuta,
    DettaglioLinee,
    EsigibilitaIVA,
    FatturaElettronicaBody,
    Natura,
    Ritenuta,
    TipoRitenuta,
)
from fatturahub.fatturapa.totals.lines import apply_discount
from fatturahub.fatturapa.totals.money import (
    ZERO,
    amount_text,
    percent_of,
    round_half_up,
    signed_text,
)

SummaryKey = tuple[Decimal, Natura | None]


@dataclass(frozen=True)
class SummaryLine:
    """One computed DatiRiepilogo and where it came from.

    `lines` are NumeroLinea values, `cassa` 1-based positions of DatiCassaPrevidenziale.
    `taxable_rounding` (taxable − unrounded_taxable) is the summary's Arrotondamento;
    `tax_rounding` (tax − unrounded_tax) is absorbed by Imposta."""

    rate: Decimal
    natura: Natura | None
    taxable: Decimal
    tax: Decimal
    lines: tuple[int, ...]
    cassa: tuple[int, ...]
    lines_amount: Decimal
    cassa_amount: Decimal
    unrounded_taxable: Decimal
    taxable_rounding: Decimal
    unrounded_tax: Decimal
    tax_rounding: Decimal
    esigibilita: EsigibilitaIVA | None
    riferimento_normativo: str | None

    @property
    def key(self) -> SummaryKey:
        return self.rate, self.natura

    def as_model(self) -> DatiRiepilogo:
        return DatiRiepilogo(
            AliquotaIVA=round_half_up(self.rate),
            Natura=self.natura,
            Arrotondamento=self.taxable_rounding or None,
            ImponibileImporto=self.taxable,
            Imposta=self.tax,
            EsigibilitaIVA=self.esigibilita,
            RiferimentoNormativo=self.riferimento_normativo,
        )


@dataclass(frozen=True)
class DocumentTotal:
    """ImportoTotaleDocumento and the steps from the summaries to it."""

    taxable: Decimal
    tax: Decimal
    discounts: Decimal  # signed effect of the document-level ScontoMaggiorazione
    rounding: Decimal  # the document's own Arrotondamento
    unrounded: Decimal
    total: Decimal


@dataclass(frozen=True)
class Withholding:
    """One DatiRitenuta recomputed; `stated` is the document's ImportoRitenuta."""

    kind: TipoRitenuta
    rate: Decimal
    base: Decimal
    lines: tuple[int, ...]
    cassa: tuple[int, ...]
    unrounded: Decimal
    amount: Decimal
    stated: Decimal | None


@dataclass(frozen=True)
class Totals:
    """The figures of one body; `notes` tell, in order, how each was reached."""

    summaries: tuple[SummaryLine, ...]
    document: DocumentTotal
    withholdings: tuple[Withholding, ...]
    split_payment_vat: Decimal
    net_due: Decimal
    notes: tuple[str, ...]

    @property
    def document_total(self) -> Decimal:
        return self.document.total

    @property
    def withholding(self) -> Decimal:
        return sum((w.amount for w in self.withholdings), ZERO)

    def summary_models(self) -> list[DatiRiepilogo]:
        return [summary.as_model() for summary in self.summaries]


@dataclass
class _Group:
    lines: list[int] = field(default_factory=list)
    cassa: list[int] = field(default_factory=list)
    lines_amount: Decimal = ZERO
    cassa_amount: Decimal = ZERO


def compute_totals(
    body: FatturaElettronicaBody,
    *,
    esigibilita: EsigibilitaIVA = EsigibilitaIVA.I,
    riferimento_normativo: Mapping[str, str] | None = None,
) -> Totals:
    """Everything the body's lines and general data imply, ignoring the stated figures.

    EsigibilitaIVA and RiferimentoNormativo of a summary are taken from the body's own summary
    with the same (AliquotaIVA, Natura) when it has one; otherwise from `esigibilita` and from
    `riferimento_normativo` (keyed by Natura code, e.g. {"N2.2": "art. ..."})."""
    return summarize(
        body.DatiBeniServizi.DettaglioLinee,
        body.DatiGenerali.DatiGeneraliDocumento,
        given=body.DatiBeniServizi.DatiRiepilogo,
        esigibilita=esigibilita,
        riferimento_normativo=riferimento_normativo or {},
    )


def summarize(
    lines: Sequence[DettaglioLinee],
    general: DatiGeneraliDocumento,
    *,
    given: Sequence[DatiRiepilogo],
    esigibilita: EsigibilitaIVA,
    riferimento_normativo: Mapping[str, str],
) -> Totals:
    given_by_key = {(s.AliquotaIVA, s.Natura): s for s in given}
    summaries = tuple(
        _summary_line(key, group, given_by_key.get(key), esigibilita, riferimento_normativo)
        for key, group in _groups(lines, general.DatiCassaPrevidenziale).items()
    )
    document = document_total(((s.taxable, s.tax) for s in summaries), general)
    withholdings = tuple(_withholding(item, lines, general) for item in general.DatiRitenuta)
    split_vat = sum((s.tax for s in summaries if s.esigibilita == EsigibilitaIVA.S), ZERO)
    withheld = sum((w.amount for w in withholdings), ZERO)
    net_due = document.total - withheld - split_vat
    notes = [
        *(_summary_note(s) for s in summaries),
        *_document_notes(document, general),
        *(_withholding_note(w) for w in withholdings),
        _net_due_note(document.total, withheld, split_vat, net_due),
    ]
    return Totals(summaries, document, withholdings, split_vat, net_due, tuple(notes))


def document_total(
    summaries: Iterable[tuple[Decimal, Decimal]], general: DatiGeneraliDocumento
) -> DocumentTotal:
    """ImportoTotaleDocumento from (ImponibileImporto, Imposta) pairs — computed or stated."""
    pairs = list(summaries)
    taxable = sum((taxable for taxable, _ in pairs), ZERO)
    tax = sum((tax for _, tax in pairs), ZERO)
    discounted = taxable + tax
    for discount in general.ScontoMaggiorazione:
        discounted = apply_discount(discounted, discount)
    rounding = general.Arrotondamento or ZERO
    unrounded = discounted + rounding
    return DocumentTotal(
        taxable=taxable,
        tax=tax,
        discounts=discounted - taxable - tax,
        rounding=rounding,
        unrounded=unrounded,
        total=round_half_up(unrounded),
    )


def _groups(
    lines: Sequence[DettaglioLinee], cassa: Sequence[DatiCassaPrevidenziale]
) -> dict[SummaryKey, _Group]:
    """Lines then cassa items by (rate, natura), in order of first appearance."""
    groups: dict[SummaryKey, _Group] = {}
    for line in lines:
        group = groups.setdefault((line.AliquotaIVA, line.Natura), _Group())
        group.lines.append(line.NumeroLinea)
        group.lines_amount += line.PrezzoTotale
    for position, item in enumerate(cassa, start=1):
        group = groups.setdefault((item.AliquotaIVA, item.Natura), _Group())
        group.cassa.append(position)
        group.cassa_amount += item.ImportoContributoCassa
    return groups


def _summary_line(
    key: SummaryKey,
    group: _Group,
    given: DatiRiepilogo | None,
    esigibilita: EsigibilitaIVA,
    riferimento_normativo: Mapping[str, str],
) -> SummaryLine:
    rate, natura = key
    unrounded_taxable = group.lines_amount + group.cassa_amount
    taxable = round_half_up(unrounded_taxable)
    unrounded_tax = percent_of(taxable, rate)
    tax = round_half_up(unrounded_tax)
    if given is not None:
        esigibilita_of = given.EsigibilitaIVA
        reference = given.RiferimentoNormativo
    else:
        esigibilita_of = esigibilita
        reference = riferimento_normativo.get(natura) if natura is not None else None
    return SummaryLine(
        rate=rate,
        natura=natura,
        taxable=taxable,
        tax=tax,
        lines=tuple(group.lines),
        cassa=tuple(group.cassa),
        lines_amount=group.lines_amount,
        cassa_amount=group.cassa_amount,
        unrounded_taxable=unrounded_taxable,
        taxable_rounding=taxable - unrounded_taxable,
        unrounded_tax=unrounded_tax,
        tax_rounding=tax - unrounded_tax,
        esigibilita=esigibilita_of,
        riferimento_normativo=reference,
    )


def _withholding(
    item: DatiRitenuta, lines: Sequence[DettaglioLinee], general: DatiGeneraliDocumento
) -> Withholding:
    subject_lines = [line for line in lines if line.Ritenuta == Ritenuta.SI]
    subject_cassa = [
        (position, cassa)
        for position, cassa in enumerate(general.DatiCassaPrevidenziale, start=1)
        if cassa.Ritenuta == Ritenuta.SI
    ]
    base = sum((line.PrezzoTotale for line in subject_lines), ZERO) + sum(
        (cassa.ImportoContributoCassa for _, cassa in subject_cassa), ZERO
    )
    unrounded = percent_of(base, item.AliquotaRitenuta)
    return Withholding(
        kind=item.TipoRitenuta,
        rate=item.AliquotaRitenuta,
        base=base,
        lines=tuple(line.NumeroLinea for line in subject_lines),
        cassa=tuple(position for position, _ in subject_cassa),
        unrounded=unrounded,
        amount=round_half_up(unrounded),
        stated=item.ImportoRitenuta,
    )


# --- the explanation, in words ----------------------------------------------------------------
def _sources_text(lines: Sequence[int], cassa: Sequence[int]) -> str:
    parts = []
    if lines:
        parts.append("lines " + ", ".join(map(str, lines)))
    if cassa:
        parts.append("cassa " + ", ".join(map(str, cassa)))
    return "; ".join(parts) or "no lines"


def _summary_note(summary: SummaryLine) -> str:
    label = f"{amount_text(summary.rate)}%" + (f" {summary.natura}" if summary.natura else "")
    sources = _sources_text(summary.lines, summary.cassa)
    text = (
        f"{label} ({sources}): taxable {amount_text(summary.lines_amount)} from lines"
        f" + {amount_text(summary.cassa_amount)} from cassa"
        f" = {amount_text(summary.unrounded_taxable)}"
    )
    if summary.taxable_rounding:
        text += (
            f", rounded to {amount_text(summary.taxable)};"
            f" the difference {signed_text(summary.taxable_rounding)} is the summary's"
            " Arrotondamento"
        )
    text += (
        f"; tax {amount_text(summary.taxable)} × {amount_text(summary.rate)}%"
        f" = {amount_text(summary.unrounded_tax)} → {amount_text(summary.tax)}"
        f" (rounding {signed_text(summary.tax_rounding)}, kept in Imposta)"
    )
    return text


def _document_notes(document: DocumentTotal, general: DatiGeneraliDocumento) -> list[str]:
    notes = [
        f"total: taxable {amount_text(document.taxable)} + tax {amount_text(document.tax)}"
        f" = {amount_text(document.taxable + document.tax)}"
    ]
    if general.ScontoMaggiorazione:
        notes.append(
            f"document-level discounts/markups in cascade: {signed_text(document.discounts)}"
            " (they lower the total only, not the VAT base)"
        )
    if document.rounding:
        notes.append(f"document Arrotondamento {signed_text(document.rounding)}")
    if document.total != document.unrounded:
        notes.append(
            f"total {amount_text(document.unrounded)} rounded to {amount_text(document.total)}"
            f" ({signed_text(document.total - document.unrounded)})"
        )
    bollo = general.DatiBollo
    if bollo is not None and bollo.ImportoBollo is not None:
        notes.append(
            f"stamp duty {amount_text(bollo.ImportoBollo)} (DatiBollo) is not part of the total;"
            " recharge it on a line to collect it"
        )
    return notes


def _withholding_note(withholding: Withholding) -> str:
    text = (
        f"withholding {withholding.kind} {amount_text(withholding.rate)}% of"
        f" {amount_text(withholding.base)} ({_sources_text(withholding.lines, withholding.cassa)})"
        f" = {amount_text(withholding.unrounded)} → {amount_text(withholding.amount)}"
    )
    if withholding.stated is not None and withholding.stated != withholding.amount:
        text += f"; the document states {amount_text(withholding.stated)}"
    return text


def _net_due_note(total: Decimal, withheld: Decimal, split_vat: Decimal, net_due: Decimal) -> str:
    return (
        f"net due {amount_text(total)} − withholding {amount_text(withheld)}"
        f" − split-payment VAT {amount_text(split_vat)} = {amount_text(net_due)}"
    )
