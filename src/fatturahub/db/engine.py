"""Engine and session factory for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, Pool

from fatturahub.settings import Settings


def create_engine(
    url: str, *, schema: str | None = None, ping_idle_after: float = 10.0, **options: object
) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"server_settings": {"search_path": schema}} if schema else {}
    engine = create_async_engine(url, connect_args=connect_args, **options)
    _ping_when_idle(engine.sync_engine.pool, after=ping_idle_after)
    return engine


def _ping_when_idle(pool: Pool, *, after: float) -> None:
    """Test a pooled connection before use when it sat idle for `after` seconds (a restarted
    server or a proxy's idle timeout may have closed it), and replace it if it is dead.

    pool_pre_ping would ping at every checkout: with asyncpg that is three round trips (BEGIN,
    a query, ROLLBACK) per request and per job step. A connection in use moments ago is not
    tested; if the server went away since, the statement fails once, SQLAlchemy invalidates
    the whole pool, and the next checkouts reconnect."""

    @event.listens_for(pool, "checkin")
    def _checked_in(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        checked_in = record.info.get(_CHECKED_IN)
        if checked_in is None or time.monotonic() - checked_in < after:
            return
        try:
            dbapi_connection.ping()
        except Exception as error:  # whatever the driver raises for a dead connection
            raise DisconnectionError("pooled connection is dead") from error


_CHECKED_IN = "fatturahub.checked_in"


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL: no corruption on a crash; only a power loss can drop the last commits
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def engine_for(settings: Settings) -> AsyncEngine:
    return create_engine(settings.database_url, schema=settings.database_schema)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
