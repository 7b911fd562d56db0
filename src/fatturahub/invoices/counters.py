"""Counters taken atomically on both databases: INSERT ... ON CONFLICT DO UPDATE ... RETURNING."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.invoices.models import Counter


async def next_value(session: AsyncSession, scope: str) -> int:
    """1, 2, 3, ... for `scope`; concurrent callers never get the same value."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Counter)
        .values(scope=scope, value=1)
        .on_conflict_do_update(index_elements=[Counter.scope], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )
    return (await session.execute(statement)).scalar_one()
