"""Event types and which endpoint wants which event: pure rules."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection

# "invoice.created", "received_invoice.notification_received": dotted lowercase words
EVENT_TYPE = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
# an event type, a prefix wildcard ("invoice.*"), or "*"
TYPE_PATTERN = r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$"

_EVENT_TYPE = re.compile(EVENT_TYPE)


def check_event_type(type_: str) -> None:
    if not _EVENT_TYPE.match(type_):
        raise ValueError(f"event type {type_!r} is not dotted lowercase words (e.g. invoice.created)")


def type_accepted(patterns: Collection[str], type_: str) -> bool:
    return any(p == "*" or p == type_ or (p.endswith(".*") and type_.startswith(p[:-1])) for p in patterns)


def company_accepted(company_ids: Collection[str] | None, company_id: uuid.UUID | None) -> bool:
    """No filter: every event; a filter: only events of those companies (not account-level ones)."""
    return company_ids is None or (company_id is not None and str(company_id) in company_ids)
