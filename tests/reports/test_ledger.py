"""The ledger follows the documents: refreshed before computing, once per line even when two
refreshes race, without invoices SDI discarded; our own self-invoices go to the purchase side."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

from sqlalchemy import select, update
from tests.reports.documents import Line
from tests.reports.scenario import issue, new_company

from fatturahub.db.engine import engine_for, session_factory
from fatturahub.invoices.models import Invoice
from fatturahub.reports import ledger
from fatturahub.reports.models import VatEntry
from fatturahub.storage import LocalStorage


def entries(hub, company_id: str) -> list[tuple[str, str, str]]:
    async def read(session):
        query = select(VatEntry.numero, VatEntry.direction, VatEntry.tipo_documento).where(
            VatEntry.company_id == uuid.UUID(company_id)
        )
        return sorted(tuple(row) for row in await session.execute(query))

    return hub.db(read)


def refresh_twice_at_once(hub, company_id: str) -> None:
    async def run() -> None:
        engine = engine_for(hub.settings)
        sessions = session_factory(engine)

        async def refresh() -> None:
            async with sessions() as session:
                await ledger.refresh(session, uuid.UUID(company_id), LocalStorage(hub.settings.storage_path))
                await session.commit()

        try:
            await asyncio.gather(refresh(), refresh())
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_concurrent_refreshes_insert_each_line_once_and_follow_state_changes(hub):
    company = new_company(hub)
    issue(hub, company, "1", date(2026, 1, 10), Line("100.00"), Line("50.00", rate="10.00"))
    issue(hub, company, "2", date(2026, 1, 11), Line("200.00"))
    issue(hub, company, "RC9", date(2026, 1, 12), Line("500.00"), tipo="TD16")
    issue(hub, company, "3", date(2026, 1, 13), Line("300.00"), state="draft")
    refresh_twice_at_once(hub, company.company_id)
    assert entries(hub, company.company_id) == [
        ("1", "issued", "TD01"),
        ("1", "issued", "TD01"),
        ("2", "issued", "TD01"),
        ("RC9", "received", "TD16"),
    ]
    issue(hub, company, "4", date(2026, 1, 14), Line("200.00"), state="rejected")
    assert company.key.get(company.path("/lipe/2026/01")).status_code == 200
    assert len(entries(hub, company.company_id)) == 4


def test_an_invoice_sdi_rejects_after_it_was_counted_leaves_the_ledger(hub):
    company = new_company(hub)
    invoice_id = issue(hub, company, "1", date(2026, 2, 10), Line("100.00"), state="sent")
    vp2 = company.key.get(company.path("/lipe/2026/02")).json()["figures"][0]
    assert (vp2["code"], vp2["amount"]) == ("VP2", "100.00")

    async def reject(session):
        await session.execute(
            update(Invoice).where(Invoice.id == uuid.UUID(invoice_id)).values(state="rejected")
        )

    hub.db(reject)
    vp2 = company.key.get(company.path("/lipe/2026/02")).json()["figures"][0]
    assert vp2["amount"] == "0.00"
    assert entries(hub, company.company_id) == []
