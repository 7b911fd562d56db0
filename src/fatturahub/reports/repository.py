"""All SQL of the reports context, every query scoped to one company (a CompanyAccess's id)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Select, cast, delete, exists, func, literal, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from fatturahub.fiscal.codes import Esigibilita
from fatturahub.fiscal.lipe import Direction, VatLine
from fatturahub.fiscal.lipe.rules import INTEGRATIONS
from fatturahub.inbox.models import ReceivedFile, ReceivedInvoice
from fatturahub.invoices.models import Invoice
from fatturahub.reports.models import (
    DataSubmission,
    LipeAdjustment,
    LipeSetting,
    SupplierDeductibility,
    VatEntry,
)

INVOICE = "invoice"
RECEIVED_INVOICE = "received_invoice"


# ---- the ledger -------------------------------------------------------------------------------


def _not_in_ledger(source_type: str, source_id: Any) -> ColumnElement[bool]:
    """The anti-join: served by the unique (source_type, source_id, position, line) index."""
    return ~exists().where(VatEntry.source_type == source_type, VatEntry.source_id == source_id)


def _issued(company_id: uuid.UUID, states: Sequence[str]) -> list[ColumnElement[bool]]:
    return [Invoice.company_id == company_id, Invoice.state.in_(states)]


def _countable_received(company_id: uuid.UUID) -> list[ColumnElement[bool]]:
    """Readable received bodies that are neither a repeated delivery nor our own self-invoice
    coming back (that one is in the ledger from the active cycle)."""
    return [
        ReceivedInvoice.company_id == company_id,
        ReceivedInvoice.readable.is_(True),
        ReceivedInvoice.duplicate_of.is_(None),
        ReceivedInvoice.self_invoice_of.is_(None),
    ]


async def invoices_in_ledger(session: AsyncSession, company_id: uuid.UUID, states: Sequence[str]) -> bool:
    """Whether every issued invoice is in the ledger. The ledger holds only issued ones (the
    refresh drops the others first), so equal counts mean equal sets: one scan of each side
    instead of an anti-join over all of them."""
    issued = select(func.count()).select_from(Invoice).where(*_issued(company_id, states)).scalar_subquery()
    ledger = _first_lines(company_id, INVOICE, position_one=True).scalar_subquery()
    return bool(await session.scalar(select(issued == ledger)))


async def received_in_ledger(session: AsyncSession, company_id: uuid.UUID) -> bool:
    """The same for received bodies (one row each, whatever its position in the file)."""
    countable = select(func.count()).select_from(ReceivedInvoice).where(*_countable_received(company_id))
    ledger = _first_lines(company_id, RECEIVED_INVOICE, position_one=False).scalar_subquery()
    return bool(await session.scalar(select(countable.scalar_subquery() == ledger)))


def _first_lines(company_id: uuid.UUID, source_type: str, *, position_one: bool) -> Select[Any]:
    """Each document has exactly one first line (the unique source key): their count is the
    number of documents in the ledger. An invoice's bodies are positions of one document."""
    query = select(func.count()).where(
        VatEntry.company_id == company_id, VatEntry.source_type == source_type, VatEntry.line == 1
    )
    return query.where(VatEntry.position == 1) if position_one else query


async def invoices_missing(
    session: AsyncSession, company_id: uuid.UUID, states: Sequence[str], *, limit: int
) -> Sequence[Invoice]:
    query = (
        select(Invoice).where(*_issued(company_id, states), _not_in_ledger(INVOICE, Invoice.id)).limit(limit)
    )
    return (await session.scalars(query)).all()


async def received_missing(
    session: AsyncSession, company_id: uuid.UUID, *, limit: int
) -> Sequence[tuple[ReceivedInvoice, ReceivedFile]]:
    query = (
        select(ReceivedInvoice, ReceivedFile)
        .join(ReceivedFile, ReceivedFile.id == ReceivedInvoice.file_id)
        .where(*_countable_received(company_id), _not_in_ledger(RECEIVED_INVOICE, ReceivedInvoice.id))
        .order_by(ReceivedInvoice.file_id, ReceivedInvoice.position)
        .limit(limit)
    )
    return [(received, file) for received, file in await session.execute(query)]


async def drop_invoices_not_issued(
    session: AsyncSession, company_id: uuid.UUID, not_issued: Sequence[str]
) -> None:
    """An invoice in the ledger that SDI rejected afterwards (NS) was never issued. (The states
    not issued are the rare ones: the state index finds them.)"""
    dropped = select(Invoice.id).where(Invoice.company_id == company_id, Invoice.state.in_(not_issued))
    await session.execute(
        delete(VatEntry).where(
            VatEntry.company_id == company_id,
            VatEntry.source_type == INVOICE,
            VatEntry.source_id.in_(dropped),
        )
    )


async def insert_entries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert, skipping lines a concurrent refresh inserted first."""
    if not rows:
        return
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    keys = [VatEntry.source_type, VatEntry.source_id, VatEntry.position, VatEntry.line]
    await session.execute(dialect.insert(VatEntry).values(rows).on_conflict_do_nothing(index_elements=keys))


async def supplier_percents(session: AsyncSession, company_id: uuid.UUID) -> dict[str, Decimal]:
    rows = await session.execute(
        select(SupplierDeductibility.supplier, SupplierDeductibility.percent).where(
            SupplierDeductibility.company_id == company_id
        )
    )
    return {supplier: percent for supplier, percent in rows}


async def set_supplier_percent(
    session: AsyncSession, company_id: uuid.UUID, supplier: str, percent: Decimal
) -> None:
    row = await session.get(SupplierDeductibility, (company_id, supplier))
    if row is None:
        session.add(SupplierDeductibility(company_id=company_id, supplier=supplier, percent=percent))
    else:
        row.percent = percent
    await session.flush()


async def entries_of(
    session: AsyncSession, company_id: uuid.UUID, source_type: str, source_id: uuid.UUID
) -> list[VatEntry]:
    query = (
        select(VatEntry)
        .where(
            VatEntry.company_id == company_id,
            VatEntry.source_type == source_type,
            VatEntry.source_id == source_id,
        )
        .order_by(VatEntry.position, VatEntry.line)
    )
    return list(await session.scalars(query))


# ---- the period aggregation -------------------------------------------------------------------


def _month(column: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":  # on a timestamp, not a timestamptz: no time zone arithmetic per row
        return cast(func.date_trunc("month", cast(column, DateTime)), Date)
    return func.date(column, "start of month")


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


async def aggregated_lines(
    session: AsyncSession, company_id: uuid.UUID, since: date, until: date
) -> list[VatLine]:
    """fiscal.lipe.aggregate computed by the database: one row per direction, TipoDocumento,
    Natura, EsigibilitaIVA and month of each date, over the entries dated in [since, until]."""
    dialect = session.bind.dialect.name
    if dialect == "postgresql":
        # The planner cannot tell that the month expressions make a few hundred groups; with the
        # default work_mem it sorts every line on disk instead of hashing them (4x slower).
        await session.execute(text("SET LOCAL work_mem = '64MB'"))
    months = [_month(c, dialect) for c in (VatEntry.document_date, VatEntry.recorded_on, VatEntry.settled_on)]
    keys = [VatEntry.direction, VatEntry.tipo_documento, VatEntry.natura, VatEntry.esigibilita, *months]
    query = (
        select(
            *keys,
            func.sum(VatEntry.taxable),
            func.sum(VatEntry.vat),
            func.sum(VatEntry.deductible_vat),
            func.count(),
        )
        .where(VatEntry.company_id == company_id, VatEntry.document_date.between(since, until))
        .group_by(*keys)
    )
    return [_line(row) for row in (await session.execute(query)).all()]


def _line(row: Any) -> VatLine:
    direction, tipo, natura, esigibilita, document_month, recorded_month, settled_month, *sums = row
    taxable, vat, deductible, count = sums
    return VatLine(
        Direction(direction),
        tipo,
        taxable,
        vat,
        _day(document_month),
        natura=natura,
        esigibilita=Esigibilita(esigibilita),
        recorded_on=_day(recorded_month),
        settled_on=_day(settled_month),
        deductible_vat=deductible,
        source=f"{count:,} {direction} {tipo} line(s) of {_day(document_month):%Y-%m}",
        count=count,
    )


def _candidates(code: str, first: date, last: date) -> ColumnElement[bool]:
    """A superset of the lines that can count in figure `code` of [first, last]; fiscal.lipe.rules
    decides exactly. Deferred VAT counts up to a year after the document."""
    issued, received = (
        VatEntry.direction == Direction.ISSUED.value,
        VatEntry.direction == Direction.RECEIVED.value,
    )
    recorded = VatEntry.recorded_on.between(first, last)
    deferred = VatEntry.esigibilita == Esigibilita.DEFERRED.value
    if code == "VP2":
        return issued & VatEntry.document_date.between(first, last)
    if code == "VP3":
        return received & recorded
    if code == "VP5":
        return received & (VatEntry.recorded_on <= last) & (recorded | deferred)
    year_before = first.replace(year=first.year - 1, day=1)
    sales = issued & VatEntry.document_date.between(first, last)
    collected = issued & deferred & VatEntry.document_date.between(year_before, last)
    return sales | collected | (received & recorded & VatEntry.tipo_documento.in_(INTEGRATIONS))


async def entries_page(
    session: AsyncSession,
    company_id: uuid.UUID,
    *,
    code: str,
    since: date,
    first: date,
    last: date,
    after: tuple[date, uuid.UUID] | None,
    limit: int,
) -> list[VatEntry]:
    """Lines dated from `since` that may count in figure `code` of [first, last], in
    (document_date, id) order, after a keyset position."""
    query: Select[Any] = select(VatEntry).where(
        VatEntry.company_id == company_id,
        VatEntry.document_date.between(since, last),
        _candidates(code, first, last),
    )
    if after is not None:
        query = query.where(tuple_(VatEntry.document_date, VatEntry.id) > tuple_(*after))
    query = query.order_by(VatEntry.document_date, VatEntry.id).limit(limit)
    return list(await session.scalars(query))


# ---- settings and adjustments -----------------------------------------------------------------


async def setting(session: AsyncSession, company_id: uuid.UUID, year: int) -> LipeSetting | None:
    return await session.get(LipeSetting, (company_id, year))


async def save_setting(session: AsyncSession, company_id: uuid.UUID, year: int, **values: Any) -> LipeSetting:
    row = await setting(session, company_id, year)
    if row is None:
        row = LipeSetting(company_id=company_id, year=year, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    await session.flush()  # the session does not autoflush: the computation reads it next
    return row


async def adjustments(session: AsyncSession, company_id: uuid.UUID, year: int) -> list[LipeAdjustment]:
    query = select(LipeAdjustment).where(LipeAdjustment.company_id == company_id, LipeAdjustment.year == year)
    return list(await session.scalars(query))


async def save_adjustment(
    session: AsyncSession,
    company_id: uuid.UUID,
    year: int,
    period: str,
    amounts: dict[str, Any],
    reason: str,
    now: datetime,
) -> LipeAdjustment:
    row = await session.get(LipeAdjustment, (company_id, year, period))
    if row is None:
        row = LipeAdjustment(
            company_id=company_id, year=year, period=period, amounts=amounts, reason=reason, updated_at=now
        )
        session.add(row)
    else:
        row.amounts, row.reason, row.updated_at = amounts, reason, now
    await session.flush()
    return row


# ---- submissions ------------------------------------------------------------------------------


async def submission(
    session: AsyncSession, company_id: uuid.UUID, submission_id: uuid.UUID
) -> DataSubmission | None:
    query = select(DataSubmission).where(
        DataSubmission.company_id == company_id, DataSubmission.id == submission_id
    )
    return await session.scalar(query)


def submissions_query(company_id: uuid.UUID, kind: str, year: int | None, state: str | None) -> Select[Any]:
    query = select(DataSubmission).where(DataSubmission.company_id == company_id, DataSubmission.kind == kind)
    if year is not None:
        query = query.where(DataSubmission.year == year)
    if state is not None:
        query = query.where(DataSubmission.state == state)
    return query


async def supplier_entries(session: AsyncSession, company_id: uuid.UUID, supplier: str) -> list[VatEntry]:
    """The ledger lines of the invoices received from `supplier` (IT01234567890)."""
    invoices = select(ReceivedInvoice.id).where(
        ReceivedInvoice.company_id == company_id, ReceivedInvoice.supplier_partita_iva == supplier
    )
    query = select(VatEntry).where(
        VatEntry.company_id == company_id,
        VatEntry.source_type == RECEIVED_INVOICE,
        VatEntry.source_id.in_(invoices),
    )
    return list(await session.scalars(query))


async def received_invoice(
    session: AsyncSession, company_id: uuid.UUID, received_id: uuid.UUID
) -> ReceivedInvoice | None:
    query = select(ReceivedInvoice).where(
        ReceivedInvoice.company_id == company_id, ReceivedInvoice.id == received_id
    )
    return await session.scalar(query)


async def invoice(session: AsyncSession, company_id: uuid.UUID, invoice_id: uuid.UUID) -> Invoice | None:
    return await session.scalar(
        select(Invoice).where(Invoice.company_id == company_id, Invoice.id == invoice_id)
    )


async def datifattura_entries(
    session: AsyncSession, company_id: uuid.UUID, issued: bool, first: date, last: date
) -> list[tuple[VatEntry, str | None, str | None]]:
    """Ledger lines of the documents of a Dati Fattura period, with the counterparty's VAT id and
    tax code, grouped by document: issued invoices by date, received ones by recording date."""
    if issued:
        query = (
            select(VatEntry, Invoice.customer_id, literal(None, type_=VatEntry.numero.type))
            .join(Invoice, (Invoice.id == VatEntry.source_id) & (Invoice.company_id == company_id))
            .where(VatEntry.direction == Direction.ISSUED.value, VatEntry.document_date.between(first, last))
        )
    else:
        query = (
            select(VatEntry, ReceivedInvoice.supplier_partita_iva, ReceivedInvoice.supplier_codice_fiscale)
            .join(
                ReceivedInvoice,
                (ReceivedInvoice.id == VatEntry.source_id) & (ReceivedInvoice.company_id == company_id),
            )
            .where(VatEntry.source_type == RECEIVED_INVOICE, VatEntry.recorded_on.between(first, last))
        )
    query = query.where(VatEntry.company_id == company_id).order_by(
        VatEntry.source_id, VatEntry.position, VatEntry.line
    )
    return [(entry, vat_id, tax_code) for entry, vat_id, tax_code in await session.execute(query)]


# ---- Dati Fattura cancellations and corrections -----------------------------------------------


async def lock_submission(session: AsyncSession, submission_id: uuid.UUID) -> None:
    """Serialize cancellations and corrections of one submission (PostgreSQL row lock; SQLite
    serializes writers anyway)."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(
            select(DataSubmission.id).where(DataSubmission.id == submission_id).with_for_update()
        )


async def referring(
    session: AsyncSession, submission_id: uuid.UUID, *, cancels: bool
) -> list[DataSubmission]:
    """The ANN (cancels) or Rettifica submissions made for `submission_id`."""
    column = DataSubmission.cancels_id if cancels else DataSubmission.corrects_id
    query = select(DataSubmission).where(column == submission_id).order_by(DataSubmission.created_at)
    return list(await session.scalars(query))


def filter_submissions(
    query: Select[Any],
    *,
    period: str | None = None,
    document_kind: str | None = None,
    id_file: str | None = None,
) -> Select[Any]:
    if period is not None:
        query = query.where(DataSubmission.period == period)
    if document_kind is not None:
        query = query.where(DataSubmission.document_kind == document_kind)
    if id_file is not None:
        query = query.where(DataSubmission.id_file == id_file)
    return query


async def datifattura_document_entries(
    session: AsyncSession, company_id: uuid.UUID, issued: bool, numero: str, day: date
) -> list[tuple[VatEntry, str | None, str | None]]:
    """The ledger lines of the documents numbered `numero` on `day` (issued or received), with the
    counterparty's VAT id and tax code, as datifattura_entries gives them."""
    if issued:
        query = select(VatEntry, Invoice.customer_id, literal(None, type_=VatEntry.numero.type)).join(
            Invoice, (Invoice.id == VatEntry.source_id) & (Invoice.company_id == company_id)
        )
        query = query.where(VatEntry.direction == Direction.ISSUED.value)
    else:
        query = select(
            VatEntry, ReceivedInvoice.supplier_partita_iva, ReceivedInvoice.supplier_codice_fiscale
        ).join(
            ReceivedInvoice,
            (ReceivedInvoice.id == VatEntry.source_id) & (ReceivedInvoice.company_id == company_id),
        )
        query = query.where(VatEntry.source_type == RECEIVED_INVOICE)
    query = query.where(
        VatEntry.company_id == company_id, VatEntry.numero == numero, VatEntry.document_date == day
    ).order_by(VatEntry.source_id, VatEntry.position, VatEntry.line)
    return [(entry, vat_id, tax_code) for entry, vat_id, tax_code in await session.execute(query)]
