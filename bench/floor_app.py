"""The floor of an invoice ingest endpoint on this stack, for `bench/service.py`.

FastAPI under uvicorn (uvloop + httptools, as the trivial baseline and the service), the core's
`read` + every SDI control on the request body, and one raw asyncpg transaction: the API key
looked up by hash, the file inserted. Nothing else the service does (company access, numbering,
00404, storage, quota, audit, events) and no ORM: what no implementation of `POST …/invoices`
on this stack can go below.

    FLOOR_DSN=postgresql://… FLOOR_SCHEMA=… FLOOR_TOKEN=… uvicorn --app-dir bench floor_app:app
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, HTTPException, Request

from fatturahub import fatturapa
from fatturahub.fatturapa.controls import check_reading

CONNECTIONS = 32


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@asynccontextmanager
async def _pool(app: FastAPI) -> AsyncIterator[None]:
    schema = os.environ["FLOOR_SCHEMA"]
    settings = {"search_path": schema}
    async with asyncpg.create_pool(
        os.environ["FLOOR_DSN"], min_size=CONNECTIONS, max_size=CONNECTIONS, server_settings=settings
    ) as pool:
        async with pool.acquire() as connection:
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS floor_keys (hash bytea PRIMARY KEY, account uuid NOT NULL);"
                "CREATE TABLE IF NOT EXISTS floor_invoices"
                " (id uuid PRIMARY KEY, account uuid NOT NULL, file bytea NOT NULL)"
            )
            await connection.execute(
                "INSERT INTO floor_keys VALUES ($1, $2) ON CONFLICT DO NOTHING",
                _digest(os.environ["FLOOR_TOKEN"]),
                uuid.uuid4(),
            )
        app.state.pool = pool
        yield


app = FastAPI(lifespan=_pool)


@app.post("/invoices", status_code=201)
async def ingest(request: Request) -> dict:
    body = await request.body()
    reading = fatturapa.read(body)
    if reading.errors or check_reading(reading):
        raise HTTPException(422)
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    async with request.app.state.pool.acquire() as connection, connection.transaction():
        account = await connection.fetchval("SELECT account FROM floor_keys WHERE hash = $1", _digest(token))
        if account is None:
            raise HTTPException(401)
        invoice = uuid.uuid4()
        await connection.execute("INSERT INTO floor_invoices VALUES ($1, $2, $3)", invoice, account, body)
    return {"id": str(invoice)}
