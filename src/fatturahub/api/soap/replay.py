"""IdempotencyKey on SendInvoice (and SendEsitoCommittente, SendLipe, SendDatiFatture): the REST
semantics, on the same records.

The same key and the same request replay the first answer; the same key with another request is
a conflict; a key whose request still runs is a conflict too. The key is claimed in its own
transaction before the work (so two concurrent calls cannot both run) and the answer is kept
after the work committed. Keys live per principal, in a `soap:` space of their own so a SOAP
call never replays a REST response. A fault frees the key, like a 5xx in REST, so a corrected
retry runs for real.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.api.idempotency import IdempotencyRecord
from fatturahub.api.soap.calls import Call
from fatturahub.db.base import utcnow
from fatturahub.errors import Conflict

KEPT = 200  # the status recorded for a kept SOAP answer


def request_hash(*parts: bytes) -> str:
    return hashlib.sha256(b"\n".join(parts)).hexdigest()


async def once(call: Call, key: str, digest: str, work: Callable[[], Awaitable[bytes]]) -> bytes:
    """`work`'s answer (bytes to keep), run at most once per key; replayed after that."""
    scoped = f"soap:{key}"
    stored = await _claim(call, scoped, digest)
    if stored is not None:
        return _replay(stored, digest)
    try:
        answer = await work()
        await call.session.commit()
    except BaseException:
        await call.session.rollback()  # first: on SQLite its writes would hold up _forget's
        await _forget(call, scoped)
        raise
    await _keep(call, scoped, answer)
    return answer


async def _claim(call: Call, key: str, digest: str) -> IdempotencyRecord | None:
    """None if this call now owns the key, else the record that already holds it."""
    principal = call.principal.id
    async with call.sessions() as session:
        now = utcnow()
        await session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.principal == principal,
                IdempotencyRecord.key == key,
                IdempotencyRecord.expires_at <= now,
            )
        )
        hours = timedelta(hours=call.settings.idempotency_hours)
        session.add(
            IdempotencyRecord(principal=principal, key=key, request_hash=digest, expires_at=now + hours)
        )
        try:
            await session.commit()
            return None
        except IntegrityError:
            await session.rollback()
        return await _record(session, principal, key)


def _replay(stored: IdempotencyRecord, digest: str) -> bytes:
    if stored.request_hash != digest:
        raise Conflict("this IdempotencyKey was used with a different request")
    if stored.body is None:
        raise Conflict("a request with this IdempotencyKey is still being processed")
    return stored.body


async def _keep(call: Call, key: str, answer: bytes) -> None:
    async with call.sessions() as session:
        record = await _record(session, call.principal.id, key)
        if record is not None:
            record.status_code, record.body = KEPT, answer
        await session.commit()


async def _forget(call: Call, key: str) -> None:
    async with call.sessions() as session:
        await session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.principal == call.principal.id, IdempotencyRecord.key == key
            )
        )
        await session.commit()


async def _record(session: AsyncSession, principal: str, key: str) -> IdempotencyRecord | None:
    return await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
        )
    )
