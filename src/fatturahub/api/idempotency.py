"""Idempotency-Key on POST: the same key and body replay the first response.

Keys are per principal (an API key, or a user) and expire. The key is claimed in its own
transaction before the request runs, so two concurrent requests with one key cannot both run;
the response is stored after the request's own transaction committed. A 5xx frees the key.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fatturahub.api.deps import authenticate
from fatturahub.api.errors import problem
from fatturahub.db.base import Base, IdMixin, utcnow
from fatturahub.tenancy.principal import Principal

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("content-type", "location")
# A response marked no-store (it carries a secret, e.g. a new API key) is never kept for replay.
NO_STORE = "no-store"


class IdempotencyRecord(IdMixin, Base):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    principal: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    request_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    status_code: Mapped[int | None]
    headers: Mapped[dict[str, Any] | None]
    body: Mapped[bytes | None] = mapped_column(LargeBinary)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        if not key:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        replay_receive = _replaying(body)
        if len(key) > MAX_KEY_LENGTH:
            await _send_problem(
                scope,
                receive,
                send,
                422,
                "invalid-idempotency-key",
                f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters",
            )
            return
        principal = await self._principal(scope, headers)
        if principal is None:  # the endpoint answers 401 itself
            await self.app(scope, replay_receive, send)
            return
        request_hash = hashlib.sha256(
            b"\n".join([scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        stored = await self._claim(scope, principal.id, key, request_hash)
        if stored is not None:
            await self._answer_existing(scope, receive, send, stored, request_hash)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self._run_and_store(scope, replay_receive, send, principal.id, key)

    async def _principal(self, scope: Scope, headers: Headers) -> Principal | None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        app_state = scope["app"].state
        async with app_state.sessions() as session:
            principal = await authenticate(session, app_state.settings, token.strip())
            await session.commit()  # last-used time of the key
        return principal

    async def _claim(
        self, scope: Scope, principal: str, key: str, request_hash: str
    ) -> IdempotencyRecord | None:
        """None if this request now owns the key, else the record that already holds it."""
        app_state = scope["app"].state
        hours = app_state.settings.idempotency_hours
        async with app_state.sessions() as session:
            now = utcnow()
            await session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.principal == principal,
                    IdempotencyRecord.key == key,
                    IdempotencyRecord.expires_at <= now,
                )
            )
            session.add(
                IdempotencyRecord(
                    principal=principal,
                    key=key,
                    request_hash=request_hash,
                    expires_at=now + timedelta(hours=hours),
                )
            )
            try:
                await session.commit()
                return None
            except IntegrityError:
                await session.rollback()
            return await session.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
                )
            )

    async def _answer_existing(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        stored: IdempotencyRecord,
        request_hash: str,
    ) -> None:
        if stored.request_hash != request_hash:
            await _send_problem(
                scope,
                receive,
                send,
                422,
                "idempotency-key-reused",
                "this Idempotency-Key was used with a different request",
            )
        elif stored.status_code is None:
            await _send_problem(
                scope,
                receive,
                send,
                409,
                "idempotency-in-progress",
                "a request with this Idempotency-Key is still being processed",
            )
        elif stored.body is None:
            await _send_problem(
                scope,
                receive,
                send,
                409,
                "idempotency-not-replayable",
                "this request already succeeded; its response carried a secret "
                "that is shown once and not kept",
            )
        else:
            headers = [(k.encode(), v.encode()) for k, v in (stored.headers or {}).items()]
            headers.append((b"idempotent-replayed", b"true"))
            await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
            await send({"type": "http.response.body", "body": stored.body or b""})

    async def _run_and_store(
        self, scope: Scope, receive: Receive, send: Send, principal: str, key: str
    ) -> None:
        captured: dict[str, Any] = {"body": [], "held": []}

        async def capture(message: Message) -> None:
            # The response is held until it is stored: a client that retries the moment it has
            # its answer must find the answer, not a key still "in progress".
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
                captured["secret"] = NO_STORE in headers.get("cache-control", "")
                captured["headers"] = {k: v for k, v in headers.items() if k in REPLAYED_HEADERS}
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))
            captured["held"].append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                await self._store(scope, principal, key, captured)
                captured["stored"] = True
                for held in captured["held"]:
                    await send(held)

        try:
            await self.app(scope, receive, capture)
        finally:
            if not captured.get("stored"):
                await self._store(scope, principal, key, captured)

    async def _store(self, scope: Scope, principal: str, key: str, captured: dict[str, Any]) -> None:
        app_state = scope["app"].state
        async with app_state.sessions() as session:
            record = await session.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
                )
            )
            status = captured.get("status", 500)
            if record is not None and status >= 500:
                await session.delete(record)  # let the client retry for real
            elif record is not None:
                record.status_code = status
                record.headers = captured["headers"]
                record.body = None if captured.get("secret") else b"".join(captured["body"])
            await session.commit()


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _send_problem(
    scope: Scope, receive: Receive, send: Send, status: int, type_: str, detail: str
) -> None:
    title = {409: "Conflict", 422: "Invalid Idempotency-Key use"}[status]
    await problem(status, type_, title, detail, instance=scope["path"])(scope, receive, send)
