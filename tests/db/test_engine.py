"""Pooled PostgreSQL connections that died while idle are replaced before use."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from tests.support.server import BACKENDS, database

from fatturahub.db.engine import create_engine


@pytest.fixture(params=[b for b in BACKENDS if b == "postgresql"])
def settings(request, tmp_path):
    with database(request.param, tmp_path) as settings:
        yield settings


async def _backend_pid(engine) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(text("SELECT pg_backend_pid()"))


async def _kill(engine, pid: int) -> None:
    async with engine.connect() as other:
        await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def _scenario(settings, ping_idle_after: float) -> tuple[int, int, str]:
    """(pid before, pid after, outcome of the first query after the kill)."""

    async def run() -> tuple[int, int, str]:
        engine = create_engine(
            settings.database_url, schema=settings.database_schema, ping_idle_after=ping_idle_after
        )
        try:
            async with engine.connect() as first, engine.connect() as second:  # two pooled connections
                pids = [await c.scalar(text("SELECT pg_backend_pid()")) for c in (first, second)]
            victim = pids[0]
            await _kill(engine, victim)  # checked out first: the other, returned before it
            await asyncio.sleep(0.1)
            try:
                outcome = f"ok {await _backend_pid(engine)}"
            except DBAPIError:
                outcome = "failed once"
            return victim, await _backend_pid(engine), outcome
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_a_connection_idle_long_enough_is_pinged_and_replaced_when_dead(settings):
    victim, after, outcome = _scenario(settings, ping_idle_after=0.0)
    assert outcome.startswith("ok")
    assert after != victim


def test_a_connection_used_moments_ago_fails_once_then_the_pool_reconnects(settings):
    victim, after, outcome = _scenario(settings, ping_idle_after=3600.0)
    assert outcome == "failed once"
    assert after != victim
