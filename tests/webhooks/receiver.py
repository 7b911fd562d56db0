"""A webhook consumer on loopback, as an ERP would run one: it checks Standard Webhooks signatures
with its own code (written from the specification, not with fatturahub.webhooks.signing), records
what it accepted in order, and fails on demand."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

TOLERANCE_SECONDS = 5 * 60
BIG_BODY_STATUS = 507  # a rule answering this sends a 1 MB body along

# answers a payload with a status (to fail it) or None (to accept it)
Rule = Callable[[dict[str, Any]], int | None]


def verify(secret: str, headers: dict[str, str], body: bytes, now: float) -> bool:
    """The receiver's side of Standard Webhooks: any v1 signature made with `secret` will do."""
    msg_id, timestamp = headers.get("webhook-id"), headers.get("webhook-timestamp", "")
    if not msg_id or not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.split("_", 1)[1])
    mac = hmac.new(key, msg_id.encode() + b"." + timestamp.encode() + b"." + body, hashlib.sha256)
    expected = base64.b64encode(mac.digest()).decode()
    offered = [s.split(",", 1) for s in headers.get("webhook-signature", "").split()]
    return any(version == "v1" and hmac.compare_digest(sig, expected) for version, sig in offered)


@dataclass
class Received:
    hook: str
    headers: dict[str, str]
    payload: dict[str, Any]

    @property
    def subject(self) -> str:
        return self.payload["data"]["subject"]

    @property
    def seq(self) -> int:
        return self.payload["data"]["seq"]


@dataclass
class Receiver:
    url: str = ""
    secrets: dict[str, str] = field(default_factory=dict)  # hook name -> secret it trusts
    rules: dict[str, Rule] = field(default_factory=dict)
    accepted: list[Received] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)  # everything that arrived, in order
    unsigned: list[str] = field(default_factory=list)  # hooks that got a request failing the check

    def hook_url(self, hook: str) -> str:
        return f"{self.url}/hooks/{hook}"

    def accepted_by(self, hook: str) -> list[Received]:
        return [r for r in self.accepted if r.hook == hook]

    async def _hook(self, request: Request) -> Response:
        hook = request.path_params["hook"]
        body = await request.body()
        headers = dict(request.headers)
        if not verify(self.secrets.get(hook, "whsec_"), headers, body, time.time()):
            self.unsigned.append(hook)
            return Response("bad signature", status_code=401)
        received = Received(hook, headers, json.loads(body))
        self.requests.append(received)
        status = self.rules[hook](received.payload) if hook in self.rules else None
        if status is not None:
            return Response(
                "x" * 1_000_000 if status == BIG_BODY_STATUS else "unavailable", status_code=status
            )
        self.accepted.append(received)
        return Response(status_code=204)

    async def _redirect(self, request: Request) -> Response:
        self.requests.append(Received("redirect", dict(request.headers), {}))
        return RedirectResponse(self.hook_url(request.path_params["hook"]), status_code=307)

    async def _slow(self, request: Request) -> Response:
        await asyncio.sleep(3)
        return Response(status_code=204)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/hooks/{hook}", self._hook, methods=["POST"]),
                Route("/redirect/{hook}", self._redirect, methods=["POST"]),
                Route("/slow", self._slow, methods=["POST"]),
            ]
        )
