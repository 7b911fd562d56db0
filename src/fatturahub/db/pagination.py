"""Keyset pagination with opaque cursors: stable under inserts, cheap on both databases."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.errors import InvalidInput

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, row_id = json.loads(raw)
        return datetime.fromisoformat(created_at), uuid.UUID(row_id)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise InvalidInput(
            "invalid cursor", errors=[{"path": "cursor", "message": "not a cursor we issued"}]
        ) from None


async def paginate(
    session: AsyncSession, query: Select[Any], model: Any, *, limit: int, cursor: str | None
) -> Page[Any]:
    """Rows of `query` (selecting `model`) ordered by (created_at, id), after `cursor`."""
    if cursor:
        created_at, row_id = decode_cursor(cursor)
        query = query.where(tuple_(model.created_at, model.id) > tuple_(created_at, row_id))
    query = query.order_by(model.created_at, model.id).limit(limit + 1)
    rows = list(await session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
    return Page(rows, next_cursor)
