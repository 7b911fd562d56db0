"""Per database: a live FatturaHub with the webhooks router, a live receiver, and a worker driven
by the test (on an event loop of its own, sharing the service's database)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.service.conftest import company_body, login
from tests.support.server import BACKENDS, OPERATOR_TOKEN, database
from tests.support.server import serving as serve
from tests.webhooks.receiver import Receiver

from fatturahub.api.app import create_app
from fatturahub.db.engine import engine_for, session_factory
from fatturahub.settings import Settings
from fatturahub.webhooks import endpoints, publish
from fatturahub.webhooks.models import Event
from fatturahub.webhooks.tasks import DeliveryPolicy, handlers
from fatturahub.worker.runner import Worker

T = TypeVar("T")
# quick retries, so that tests see several attempts without waiting
FAST = DeliveryPolicy(timeout=2, backoff=lambda attempt: timedelta(milliseconds=100))


def create_test_app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    if not any(getattr(route, "path", "") == "/v1/webhooks" for route in app.routes):
        app.include_router(endpoints.router)
    return app


class Loop:
    """An event loop in a thread, with the database engine living on it."""

    def __init__(self, settings: Settings) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.engine: AsyncEngine = self.run(self._engine(settings))
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(self.engine)

    @staticmethod
    async def _engine(settings: Settings) -> AsyncEngine:
        return engine_for(settings)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.run(self.engine.dispose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@dataclass
class Tenant:
    account_id: str
    client: httpx.Client  # the owner, logged in
    company_id: str


@dataclass
class Stack:
    base_url: str
    loop: Loop
    receiver: Receiver

    def tenant(self, name: str = "Tenant") -> Tenant:
        email = f"owner-{uuid.uuid4().hex[:10]}@example.com"
        password = "correct horse battery " + uuid.uuid4().hex[:6]
        operator = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
        body = {"name": name, "email": email, "password": password}
        created = httpx.post(f"{self.base_url}/v1/accounts", json=body, headers=operator)
        assert created.status_code == 201, created.text
        client = login(self.base_url, email, password)
        company = client.post("/v1/companies", json=company_body())
        assert company.status_code == 201, company.text
        return Tenant(created.json()["account"]["id"], client, company.json()["id"])

    def hook(self, tenant: Tenant, **fields: Any) -> dict[str, Any]:
        """A webhook of the tenant pointing at a fresh receiver hook, which trusts its secret."""
        name = uuid.uuid4().hex[:12]
        created = tenant.client.post("/v1/webhooks", json={"url": self.receiver.hook_url(name), **fields})
        assert created.status_code == 201, created.text
        self.receiver.secrets[name] = created.json()["secret"]
        return {**created.json(), "name": name}

    def publish(
        self,
        tenant: Tenant,
        subject: uuid.UUID,
        seq: int = 0,
        type_: str = "invoice.state_changed",
        company_id: str | None = None,
    ) -> Event:
        async def run() -> Event:
            async with self.loop.sessions() as session:
                event = await publish(
                    session,
                    company_id=uuid.UUID(company_id or tenant.company_id),
                    owner_account_id=uuid.UUID(tenant.account_id),
                    type=type_,
                    subject_type="invoice",
                    subject_id=subject,
                    data={"subject": str(subject), "seq": seq},
                )
                await session.commit()
                return event

        return self.loop.run(run())

    def deliver(self, policy: DeliveryPolicy = FAST, until: Callable[[], bool] | None = None) -> None:
        """Run the worker until nothing is due (and `until` holds, retrying as jobs fall due)."""
        worker = Worker(self.loop.sessions, handlers(policy))
        deadline = time.monotonic() + 20
        while True:
            self.loop.run(worker.run_until_idle())
            if until is None or until():
                return
            assert time.monotonic() < deadline, "the condition did not come true"
            time.sleep(0.05)


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    with serve(receiver.app()) as url:
        receiver.url = url
        yield receiver


@pytest.fixture(scope="session", params=BACKENDS)
def stack(request, tmp_path_factory, receiver) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp(f"webhooks-{request.param}")
    with database(request.param, workdir) as settings:
        settings = settings.model_copy(update={"run_worker": False})  # the tests drive the worker
        loop = Loop(settings)
        try:
            with serve(create_test_app(settings)) as base_url:
                yield Stack(base_url, loop, receiver)
        finally:
            loop.close()


@pytest.fixture(autouse=True)
def _forgiving_receiver(receiver) -> Iterator[None]:
    """Whatever a test left failing is accepted afterwards, so it does not disturb later tests."""
    yield
    receiver.rules.clear()
