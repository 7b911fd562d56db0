"""The VAT lines of a FatturaPA document, body by body (a lotto is several documents). Pure.

Ordinary invoices give one line per DatiRiepilogo. A simplified invoice (FSM10) has no summary:
each DatiBeniServizi is a line whose Importo includes the VAT (art. 21-bis DPR 633/72), so the
VAT is Imposta when given, else worked out from the rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fatturahub.fatturapa.model import ordinaria, semplificata
from fatturahub.fiscal.codes import Esigibilita
from fatturahub.fiscal.money import HUNDRED, ZERO, cents


@dataclass(frozen=True)
class DocumentLine:
    position: int  # body, 1..n
    line: int  # summary line of the body, 1..n
    numero: str
    tipo_documento: str
    document_date: date
    aliquota: Decimal
    natura: str | None
    esigibilita: Esigibilita
    taxable: Decimal
    vat: Decimal


def document_lines(
    document: ordinaria.FatturaElettronica | semplificata.FatturaElettronicaSemplificata,
) -> list[DocumentLine]:
    lines: list[DocumentLine] = []
    for position, body in enumerate(document.FatturaElettronicaBody, start=1):
        general = body.DatiGenerali.DatiGeneraliDocumento
        head = (position, str(general.Numero), general.TipoDocumento.value, general.Data)
        if isinstance(body, ordinaria.FatturaElettronicaBody):
            lines += [_summary(head, n, s) for n, s in enumerate(body.DatiBeniServizi.DatiRiepilogo, 1)]
        else:
            lines += [_simplified(head, n, s) for n, s in enumerate(body.DatiBeniServizi, 1)]
    return lines


def _summary(head: tuple, number: int, summary: ordinaria.DatiRiepilogo) -> DocumentLine:
    esigibilita = (
        Esigibilita(summary.EsigibilitaIVA.value) if summary.EsigibilitaIVA else Esigibilita.IMMEDIATE
    )
    natura = summary.Natura.value if summary.Natura else None
    return DocumentLine(
        head[0],
        number,
        *head[1:],
        summary.AliquotaIVA,
        natura,
        esigibilita,
        summary.ImponibileImporto,
        summary.Imposta,
    )


def _simplified(head: tuple, number: int, item: semplificata.DatiBeniServizi) -> DocumentLine:
    rate = item.DatiIVA.Aliquota or ZERO
    vat = (
        item.DatiIVA.Imposta
        if item.DatiIVA.Imposta is not None
        else cents(item.Importo * rate / (HUNDRED + rate))
    )
    natura = item.Natura.value if item.Natura else None
    return DocumentLine(
        head[0], number, *head[1:], rate, natura, Esigibilita.IMMEDIATE, item.Importo - vat, vat
    )
