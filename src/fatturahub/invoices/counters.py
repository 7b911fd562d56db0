"""Counters taken atomically on both databases: INSERT ... ON CONFLICT DO UPDATE ... RETURNING."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Insert, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.invoices.models import Counter


def _increment(insert: Callable[..., Insert]) -> Insert:  # insert() of the dialect
    return (
        insert(Counter)
        .values(scope=bindparam("scope"), value=1)
        .on_conflict_do_update(index_elements=[Counter.scope], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )


# One statement per dialect, built once: every invoice takes a number and a file progressive.
_NEXT_VALUE = {"postgresql": _increment(postgresql.insert), "sqlite": _increment(sqlite.insert)}


async def next_value(session: AsyncSession, scope: str) -> int:
    """1, 2, 3, ... for `scope`; concurrent callers never get the same value."""
    statement = _NEXT_VALUE[session.bind.dialect.name]
    return (await session.execute(statement, {"scope": scope})).scalar_one()
