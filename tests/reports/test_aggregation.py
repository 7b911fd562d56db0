"""The database's GROUP BY over the ledger gives fiscal.lipe.aggregate's rows, and the same figures."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from tests.fiscal.scenario import DOCUMENTS
from tests.fiscal.test_lipe_compute import ADJUSTMENTS, Q1, Q2, Q3, Q4, figures
from tests.support.server import BACKENDS, database

from fatturahub.db.engine import engine_for, session_factory
from fatturahub.fiscal.lipe import ReceivedDocument, aggregate, settle_periods, vat_lines
from fatturahub.fiscal.money import percent_of
from fatturahub.reports import repository
from fatturahub.reports.models import VatEntry
from fatturahub.tenancy.models import Account, Company


def entries(company_id: uuid.UUID) -> list[VatEntry]:
    rows = []
    for document in DOCUMENTS:
        received = isinstance(document, ReceivedDocument)
        percent = document.deductible_percent if received else Decimal(100)
        for number, line in enumerate(document.lines, start=1):
            rows.append(
                VatEntry(
                    company_id=company_id,
                    direction="received" if received else "issued",
                    source_type="test",
                    source_id=uuid.uuid4(),
                    position=1,
                    line=number,
                    numero=document.number,
                    counterparty=document.counterparty,
                    tipo_documento=document.document_type,
                    natura=line.natura,
                    aliquota=line.rate,
                    esigibilita=line.esigibilita.value,
                    document_date=document.date,
                    recorded_on=document.recorded_on if received else None,
                    settled_on=document.paid_on if received else document.collected_on,
                    taxable=line.taxable,
                    vat=line.vat,
                    deductible_percent=percent,
                    deductible_vat=percent_of(line.vat, percent) if received else line.vat,
                )
            )
    return rows


async def aggregated(settings) -> list:
    engine = engine_for(settings)
    try:
        async with session_factory(engine)() as session:
            account = Account(name="A", storage_quota_bytes=1)
            session.add(account)
            await session.flush()
            company = Company(account_id=account.id, regime_fiscale="RF01", sede={})
            session.add(company)
            await session.flush()
            session.add_all(entries(company.id))
            await session.flush()
            other = Company(account_id=account.id, regime_fiscale="RF01", sede={})  # never in the sums
            session.add(other)
            await session.flush()
            session.add_all(entries(other.id))
            await session.commit()
            return await repository.aggregated_lines(session, company.id, Q1.first_day, Q4.last_day)
    finally:
        await engine.dispose()


def key(line):
    return replace(line, source="")


@pytest.mark.parametrize("backend", BACKENDS)
def test_database_aggregation_equals_the_reference(backend, tmp_path):
    with database(backend, tmp_path) as settings:
        rows = asyncio.run(aggregated(settings))
    reference = aggregate(vat_lines(DOCUMENTS))
    assert sorted(map(key, rows), key=repr) == sorted(map(key, reference), key=repr)
    periods = [Q1, Q2, Q3, Q4]
    from_database = settle_periods(periods, rows, ADJUSTMENTS)
    from_documents = settle_periods(periods, vat_lines(DOCUMENTS), ADJUSTMENTS)
    assert [figures(s) for s in from_database] == [figures(s) for s in from_documents]
