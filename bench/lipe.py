"""LIPE benchmark: a company with 1,000,000 invoices on PostgreSQL, a quarter computed in full.

    make bench-lipe   (or: .venv/bin/python bench/lipe.py [--invoices 1000000] [--purchases 250000]
                       [--database-url postgresql+asyncpg://…] [--runs 3])

Database: --database-url, else FATTURAHUB_TEST_DATABASE_URL, else the local test server. The data
go into a schema of their own, migrated, filled with INSERT … SELECT generate_series (the issued
invoices as `invoice` rows and their ledger lines; purchases as ledger lines), and dropped after.

Measured, median of --runs, in the same run:
- baseline: `SELECT count(*), sum(taxable), sum(vat)` over the company's ledger, through asyncpg;
- the GROUP BY the computation relies on, alone, through asyncpg (the service's statement);
- LIPE of the fourth quarter (it settles Q1–Q4, each carrying its credit into the next) through
  the service: the ledger refresh (anti-joins over the 1,000,000 invoices, nothing to add),
  the GROUP BY through SQLAlchemy, fiscal.lipe.settle_periods. Target: ≤ 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from datetime import date
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from fatturahub.db.engine import engine_for, session_factory
from fatturahub.db.migrate import upgrade
from fatturahub.fiscal.periods import Period
from fatturahub.reports import lipe
from fatturahub.settings import Settings
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.models import Account, Company

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TARGET_SECONDS = 5.0

ISSUED = """
INSERT INTO invoice (id, created_at, account_id, company_id, state, format, tipo_documento, numero, data,
                     customer_id, customer_name, document, origin)
SELECT gen_random_uuid(), now(), $1, $2, 'delivered', 'FPR12',
       CASE WHEN g % 40 = 0 THEN 'TD04' ELSE 'TD01' END, g::text, date '2026-01-01' + (g % 365),
       'IT01234567890', 'CLIENTE ' || (g % 5000), '\\x00'::bytea, 'json'
FROM generate_series(1, $3) AS g
"""
ISSUED_LINES = """
INSERT INTO vat_entry (id, created_at, company_id, direction, source_type, source_id, position, line,
                       numero, counterparty, tipo_documento, natura, aliquota, esigibilita, document_date,
                       recorded_on, settled_on, taxable, vat, deductible_percent, deductible_vat)
SELECT gen_random_uuid(), now(), company_id, 'issued', 'invoice', id, 1, 1, numero, customer_name,
       tipo_documento,
       CASE WHEN n % 30 = 0 THEN 'N3.2' END, CASE WHEN n % 30 = 0 THEN 0 ELSE 22 END,
       CASE WHEN n % 20 = 0 THEN 'S' WHEN n % 25 = 0 THEN 'D' ELSE 'I' END, data, NULL,
       CASE WHEN n % 25 = 0 AND n % 3 > 0 THEN data + 45 END,
       100 + n % 1000, CASE WHEN n % 30 = 0 THEN 0 ELSE round((100 + n % 1000) * 0.22, 2) END,
       100, CASE WHEN n % 30 = 0 THEN 0 ELSE round((100 + n % 1000) * 0.22, 2) END
FROM (SELECT *, numero::int AS n FROM invoice WHERE company_id = $1) AS i
"""
PURCHASE_LINES = """
INSERT INTO vat_entry (id, created_at, company_id, direction, source_type, source_id, position, line,
                       numero, counterparty, tipo_documento, natura, aliquota, esigibilita, document_date,
                       recorded_on, settled_on, taxable, vat, deductible_percent, deductible_vat)
SELECT gen_random_uuid(), now(), $1, 'received', 'received_invoice', gen_random_uuid(), 1, 1, g::text,
       'FORNITORE ' || (g % 800),
       CASE WHEN g % 50 = 0 THEN 'TD16' WHEN g % 45 = 0 THEN 'TD04' ELSE 'TD01' END,
       NULL, 22, 'I', date '2026-01-01' + (g % 360), date '2026-01-01' + (g % 360) + 3, NULL,
       300 + g % 700, round((300 + g % 700) * 0.22, 2), CASE WHEN g % 10 = 0 THEN 40 ELSE 100 END,
       round((300 + g % 700) * 0.22 * CASE WHEN g % 10 = 0 THEN 0.4 ELSE 1 END, 2)
FROM generate_series(1, $2) AS g
"""
BASELINE = "SELECT count(*), sum(taxable), sum(vat) FROM vat_entry WHERE company_id = $1"
GROUP_BY = """
SELECT direction, tipo_documento, natura, esigibilita, date_trunc('month', document_date::timestamp)::date,
       date_trunc('month', recorded_on::timestamp)::date, date_trunc('month', settled_on::timestamp)::date,
       sum(taxable), sum(vat), sum(deductible_vat), count(*)
FROM vat_entry WHERE company_id = $1 AND document_date BETWEEN $2 AND $3
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_company(settings: Settings) -> tuple[uuid.UUID, uuid.UUID]:
    engine = engine_for(settings)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session:
            account = Account(name="bench", storage_quota_bytes=0)
            session.add(account)
            await session.flush()
            company = Company(
                account_id=account.id, regime_fiscale="RF01", sede={}, partita_iva="01234567890"
            )
            session.add(company)
            await session.commit()
            return account.id, company.id
    finally:
        await engine.dispose()


async def populate(connection: asyncpg.Connection, ids: tuple[uuid.UUID, uuid.UUID], args) -> float:
    started = time.perf_counter()
    await connection.execute(ISSUED, *ids, args.invoices)
    await connection.execute(ISSUED_LINES, ids[1])
    await connection.execute(PURCHASE_LINES, ids[1], args.purchases)
    await connection.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps
    return time.perf_counter() - started


async def group_by(connection: asyncpg.Connection, company_id: uuid.UUID, since: date, until: date) -> None:
    """The statement the service runs, with the same work_mem (see reports.repository)."""
    async with connection.transaction():
        await connection.execute("SET LOCAL work_mem = '64MB'")
        await connection.fetch(GROUP_BY, company_id, since, until)


async def measure(
    settings: Settings, connection: asyncpg.Connection, company_id: uuid.UUID, runs: int
) -> dict:
    """Each run times the three in turn, so that a change in the machine's load hits them alike."""
    period = Period(2026, quarter=4)
    since = Period(2024, quarter=1).first_day
    engine = engine_for(settings)
    sessions = session_factory(engine)
    storage = LocalStorage(Path("/nonexistent"))  # nothing to read: the ledger is up to date
    result: dict = {}

    async def compute() -> None:
        async with sessions() as session:
            result["settlement"] = (await lipe.compute(session, company_id, period, storage)).settlement
            await session.rollback()

    work = {
        "baseline": lambda: connection.fetch(BASELINE, company_id),
        "group_by": lambda: group_by(connection, company_id, since, period.last_day),
        "lipe": compute,
    }
    times: dict[str, list[float]] = {name: [] for name in work}
    try:
        await compute()  # warm-up: connections, statement caches
        for _ in range(runs):
            for name, job in work.items():
                started = time.perf_counter()
                await job()
                times[name].append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return {name: statistics.median(values) for name, values in times.items()} | {
        "settlement": result["settlement"]
    }


async def main(args) -> None:
    schema = f"bench_lipe_{uuid.uuid4().hex[:12]}"
    dsn = asyncpg_dsn(args.database_url)
    admin = await asyncpg.connect(dsn)
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        settings = Settings(database_url=args.database_url, database_schema=schema, secret_key="bench")
        ids = await create_company(settings)
        connection = await asyncpg.connect(dsn, server_settings={"search_path": schema})
        try:
            filled = await populate(connection, ids, args)
            rows = await connection.fetchval("SELECT count(*) FROM vat_entry")
            print(f"populated {args.invoices:,} invoices, {rows:,} ledger lines in {filled:.1f} s")
            figures = await measure(settings, connection, ids[1], args.runs)
        finally:
            await connection.close()
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()
    report(figures, args.runs)


def report(figures: dict, runs: int) -> None:
    s = figures["settlement"]
    print(f"median of {runs} runs")
    print(f"baseline  count/sum over the ledger (asyncpg)  {figures['baseline']:7.3f} s")
    print(
        f"GROUP BY  alone (asyncpg)                      {figures['group_by']:7.3f} s  "
        f"{figures['group_by'] / figures['baseline']:5.1f}x baseline"
    )
    print(
        f"LIPE Q4   refresh + GROUP BY + settle Q1–Q4    {figures['lipe']:7.3f} s  "
        f"{figures['lipe'] / figures['baseline']:5.1f}x baseline  target ≤ {TARGET_SECONDS:.0f} s: "
        f"{'met' if figures['lipe'] <= TARGET_SECONDS else 'MISSED'}"
    )
    print(
        f"Q4: VP2 {s.vp2.amount}  VP3 {s.vp3.amount}  VP4 {s.vp4.amount}  VP5 {s.vp5.amount}  "
        f"VP14 {s.vp14_debit.amount} / {s.vp14_credit.amount}"
    )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("FATTURAHUB_TEST_DATABASE_URL", PG_DEFAULT))
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--purchases", type=int, default=250_000)
    parser.add_argument("--runs", type=int, default=3)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
