"""Opaque cursors over (document date, id): where a page of ledger lines stops."""

from __future__ import annotations

import base64
import uuid
from datetime import date

from fatturahub.errors import InvalidInput


def encode_position(day: date, entry_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{day.isoformat()}|{entry_id}".encode()).decode().rstrip("=")


def decode_position(cursor: str) -> tuple[date, uuid.UUID]:
    try:
        day, entry_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
        return date.fromisoformat(day), uuid.UUID(entry_id)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            "invalid cursor", errors=[{"path": "cursor", "message": "not a cursor we issued"}]
        ) from None
