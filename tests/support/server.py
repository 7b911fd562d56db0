"""A real FatturaHub server on loopback, over a fresh database: SQLite, or PostgreSQL in a schema
of its own when FATTURAHUB_TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn
from sqlalchemy.engine import make_url

from fatturahub.api.app import create_app
from fatturahub.db.engine import engine_for
from fatturahub.db.migrate import upgrade
from fatturahub.settings import Settings

POSTGRES_URL = os.environ.get("FATTURAHUB_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
OPERATOR_TOKEN = "operator-test-token-" + uuid.uuid4().hex


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[Settings]:
    """Settings pointing at an empty, migrated database, dropped afterwards."""
    common = {
        "secret_key": "test-" + uuid.uuid4().hex,
        "operator_token": OPERATOR_TOKEN,
        "storage_path": workdir / "blobs",
    }
    if backend == "sqlite":
        settings = Settings(database_url=f"sqlite+aiosqlite:///{workdir}/fatturahub.db", **common)
        asyncio.run(_migrate(settings))
        yield settings
        return
    schema = f"test_{uuid.uuid4().hex[:16]}"
    asyncio.run(_postgres(f"CREATE SCHEMA {schema}"))
    try:
        settings = Settings(database_url=POSTGRES_URL, database_schema=schema, **common)
        asyncio.run(_migrate(settings))
        yield settings
    finally:
        asyncio.run(_postgres(f"DROP SCHEMA {schema} CASCADE"))


async def _migrate(settings: Settings) -> None:
    engine = engine_for(settings)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _postgres(statement: str) -> None:
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def free_port() -> int:
    """A port nobody listens on now (for a server that must know its URL before it starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(app: Any, *, port: int = 0, **options: Any) -> Iterator[str]:
    """Serve an ASGI app with its lifespan on 127.0.0.1 (`port`, or a free one) in a thread;
    uvicorn options (ssl_*, http) pass through. Yields the base URL."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="on",
        log_level="warning",
        loop="asyncio",
        timeout_graceful_shutdown=1,
        **options,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    scheme = "https" if options.get("ssl_certfile") else "http"
    try:
        yield f"{scheme}://127.0.0.1:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def running_server(settings: Settings, port: int = 0) -> Iterator[str]:
    """FatturaHub itself, served by `serving`."""
    with serving(create_app(settings), port=port) as url:
        yield url
