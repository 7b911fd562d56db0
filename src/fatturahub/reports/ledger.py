"""The VAT ledger: derived from the documents the company holds, brought up to date on demand.

The invoice and inbox paths do not write to it: before computing, `refresh` inserts the lines of
documents not yet in it (an anti-join on the unique source key, so it is idempotent and two
concurrent refreshes insert each line once) and drops invoices that stopped counting.

Which documents count:
- Active cycle: an invoice is issued once transmitted and taken by SDI (art. 21 c. 1 DPR 633/72;
  one SDI discards with NS is not issued). So `sent` and every later state except `rejected`;
  `refused` (EC02 of a PA) stays issued: the supplier cancels it with a credit note (art. 26), it is
  not undone by the refusal. `draft`, `queued`, `sending` are not issued yet, `failed` never was.
  A self-invoice TD16–TD19 we issue is an integration of our purchase register: it goes to the
  received side (fiscal.lipe.rules counts it in VP3, VP4 and VP5).
- Passive cycle: every readable body routed to the company, whatever its state (a refused one is
  cancelled by the supplier's credit note, which also lands here), except repeated deliveries of
  the same invoice and our own self-invoices delivered back by SDI (already in from the active
  cycle). Recording date: the day we received it (Europe/Rome), adjustable; deductibility: the
  supplier's percentage if set, else 100 %, adjustable per invoice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub import fatturapa
from fatturahub.db.base import utcnow
from fatturahub.fiscal.lipe import Direction
from fatturahub.fiscal.lipe.rules import INTEGRATIONS
from fatturahub.fiscal.money import HUNDRED, percent_of
from fatturahub.inbox.models import ReceivedFile, ReceivedInvoice
from fatturahub.invoices.models import Invoice
from fatturahub.invoices.states import InvoiceState
from fatturahub.reports import repository
from fatturahub.reports.documents import DocumentLine, document_lines
from fatturahub.storage import LocalStorage

ROME = ZoneInfo("Europe/Rome")
BATCH = 500
ISSUED_STATES = tuple(
    sorted(
        {
            InvoiceState.SENT,
            InvoiceState.DELIVERED,
            InvoiceState.NOT_DELIVERED,
            InvoiceState.ACCEPTED,
            InvoiceState.REFUSED,
            InvoiceState.EXPIRED,
            InvoiceState.UNDELIVERABLE,
        }
    )
)
NOT_ISSUED_STATES = tuple(sorted(set(InvoiceState) - set(ISSUED_STATES)))


async def refresh(session: AsyncSession, company_id: uuid.UUID, storage: LocalStorage) -> None:
    await repository.drop_invoices_not_issued(session, company_id, NOT_ISSUED_STATES)
    if not await repository.invoices_in_ledger(session, company_id, ISSUED_STATES):
        while invoices := await repository.invoices_missing(session, company_id, ISSUED_STATES, limit=BATCH):
            await repository.insert_entries(session, [row for i in invoices for row in _invoice_rows(i)])
            if len(invoices) < BATCH:
                break
    if not await repository.received_in_ledger(session, company_id):
        percents = await repository.supplier_percents(session, company_id)
        while received := await repository.received_missing(session, company_id, limit=BATCH):
            rows = []
            for _file_id, group in groupby(received, key=lambda pair: pair[1].id):
                bodies = list(group)
                rows += _received_rows(bodies, storage.get(bodies[0][1].file_key), percents)
            await repository.insert_entries(session, rows)
            if len(received) < BATCH:
                break


def _invoice_rows(invoice: Invoice) -> list[dict[str, Any]]:
    document = fatturapa.read(invoice.document, lenient=True).document
    rows = []
    for line in document_lines(document):
        integration = line.tipo_documento in INTEGRATIONS
        direction = Direction.RECEIVED if integration else Direction.ISSUED
        rows.append(
            _row(
                invoice.company_id,
                repository.INVOICE,
                invoice.id,
                line,
                direction,
                invoice.customer_name,
                recorded_on=line.document_date if integration else None,
                percent=HUNDRED,
            )
        )
    return rows


def _received_rows(
    bodies: Sequence[tuple[ReceivedInvoice, ReceivedFile]], content: bytes, percents: dict[str, Decimal]
) -> list[dict[str, Any]]:
    """The lines of the listed bodies of one received file (read once for all of them)."""
    lines = document_lines(fatturapa.read(content, lenient=True).document)
    rows = []
    for received, file in bodies:
        percent = percents.get(received.supplier_partita_iva or "", HUNDRED)
        rows += [
            _row(
                received.company_id,
                repository.RECEIVED_INVOICE,
                received.id,
                line,
                Direction.RECEIVED,
                received.supplier_name or "",
                recorded_on=receipt_day(file.created_at),
                percent=percent,
            )
            for line in lines
            if line.position == received.position
        ]
    return rows


def receipt_day(moment: datetime) -> date:
    return moment.astimezone(ROME).date()


def _row(
    company_id: uuid.UUID | None,
    source_type: str,
    source_id: uuid.UUID,
    line: DocumentLine,
    direction: Direction,
    counterparty: str,
    *,
    recorded_on: date | None,
    percent: Decimal,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "created_at": utcnow(),
        "company_id": company_id,
        "direction": direction.value,
        "source_type": source_type,
        "source_id": source_id,
        "position": line.position,
        "line": line.line,
        "numero": line.numero[:20],
        "counterparty": counterparty[:200],
        "tipo_documento": line.tipo_documento,
        "natura": line.natura,
        "aliquota": line.aliquota,
        "esigibilita": line.esigibilita.value,
        "document_date": line.document_date,
        "recorded_on": recorded_on,
        "settled_on": None,
        "taxable": line.taxable,
        "vat": line.vat,
        "deductible_percent": percent,
        "deductible_vat": percent_of(line.vat, percent) if direction is Direction.RECEIVED else line.vat,
    }
