"""The database schema: migrations match the models on both databases; the audit log is append-only;
the committed OpenAPI document matches the app."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from tests.support.server import BACKENDS, database

from fatturahub.api.app import create_app
from fatturahub.db.engine import engine_for
from fatturahub.db.registry import metadata
from fatturahub.settings import Settings

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


@pytest.fixture(params=BACKENDS)
def migrated(request, tmp_path):
    with database(request.param, tmp_path) as settings:
        yield settings


async def _diff(settings: Settings) -> list:
    engine = engine_for(settings)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), metadata
                )
            )
    finally:
        await engine.dispose()


def test_migrations_and_models_do_not_drift(migrated):
    assert asyncio.run(_diff(migrated)) == []


async def _tamper(settings: Settings, statement: str) -> None:
    engine = engine_for(settings)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def test_the_audit_log_is_append_only(migrated):
    account = "INSERT INTO account (id, name, storage_quota_bytes, storage_used_bytes, active, created_at) "
    account += "VALUES ('00000000000000000000000000000001', 'a', 0, 0, true, CURRENT_TIMESTAMP)"
    if "postgresql" in migrated.database_url:
        account = account.replace(
            "'00000000000000000000000000000001'", "'00000000-0000-0000-0000-000000000001'"
        )
    asyncio.run(_tamper(migrated, account))
    entry = (
        "INSERT INTO audit_entry (id, account_id, action, target_type, target_id, details, created_at) "
        "SELECT id, id, 'x', 'account', 'x', '{}', CURRENT_TIMESTAMP FROM account"
    )
    asyncio.run(_tamper(migrated, entry))
    with pytest.raises(Exception, match="append-only"):
        asyncio.run(_tamper(migrated, "UPDATE audit_entry SET action = 'y'"))
    with pytest.raises(Exception, match="append-only"):
        asyncio.run(_tamper(migrated, "DELETE FROM audit_entry"))


def test_committed_openapi_matches_the_app():
    current = json.loads(OPENAPI.read_text())
    assert current == create_app(Settings(secret_key="x" * 32)).openapi(), (
        "openapi/openapi.json is stale: run `make openapi`"
    )
