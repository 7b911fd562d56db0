"""The Outbox: files delivered concurrently while the endpoint answers, each file's messages in
order; after a refusal, one at a time in queue order until the backlog is through."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from fatturahub.sdi.sandbox.delivery import Backoff, Outbox, Parcel


@dataclass
class Record:
    attempts: int = 0
    delivered_at: datetime | None = None
    last_error: str | None = None


class FakeEndpoint:
    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.refusing = False
        self.refused = 0

    async def post(self, url: str, *, content: bytes, headers: dict) -> httpx.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(random.uniform(0, 0.01))
            if self.refusing:
                self.refused += 1
                return httpx.Response(503, request=httpx.Request("POST", url))
            self.received.append(content)
            return httpx.Response(202, request=httpx.Request("POST", url))
        finally:
            self.in_flight -= 1


@pytest.fixture
def endpoint(monkeypatch) -> FakeEndpoint:
    fake = FakeEndpoint()

    async def post(client: httpx.AsyncClient, url: str, **options) -> httpx.Response:
        return await fake.post(url, **options)

    monkeypatch.setattr(httpx.AsyncClient, "post", post)
    return fake


def _outbox(concurrency: int) -> Outbox:
    return Outbox(
        "http://receiver.invalid/",
        backoff=Backoff(0.01, 0.05),
        timeout=5,
        now=lambda: datetime.now(UTC),
        concurrency=concurrency,
    )


def _parcel(file: int, step: int) -> Parcel:
    return Parcel(Record(), "action", f"{file}:{step}".encode(), lane=file)


async def _drain(outbox: Outbox, until: float = 10) -> None:
    runner = asyncio.create_task(outbox.run())
    try:
        async with asyncio.timeout(until):
            while len(outbox):
                await asyncio.sleep(0.005)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


def _steps_by_file(received: list[bytes]) -> dict[int, list[int]]:
    steps: dict[int, list[int]] = {}
    for content in received:
        file, step = map(int, content.decode().split(":"))
        steps.setdefault(file, []).append(step)
    return steps


def test_files_go_concurrently_and_each_file_in_order(endpoint: FakeEndpoint) -> None:
    outbox = _outbox(concurrency=8)
    for step in range(3):
        for file in range(40):
            outbox.put(_parcel(file, step))
    asyncio.run(_drain(outbox))
    assert len(endpoint.received) == 120
    assert 1 < endpoint.most_in_flight <= 8
    assert all(steps == [0, 1, 2] for steps in _steps_by_file(endpoint.received).values())


def test_after_a_refusal_the_backlog_goes_one_at_a_time_in_queue_order(endpoint: FakeEndpoint) -> None:
    async def scenario() -> None:
        outbox = _outbox(concurrency=8)
        endpoint.refusing = True
        runner = asyncio.create_task(outbox.run())
        try:
            for file in range(10):
                outbox.put(_parcel(file, 0))
            async with asyncio.timeout(10):  # the concurrent first tries all refused, then retries
                while endpoint.refused < 12 or endpoint.in_flight:
                    await asyncio.sleep(0.005)
            assert endpoint.received == []
            endpoint.most_in_flight = 0
            endpoint.refusing = False
            async with asyncio.timeout(10):
                while len(outbox):
                    await asyncio.sleep(0.005)
        finally:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)

    asyncio.run(scenario())
    assert endpoint.received == [f"{file}:0".encode() for file in range(10)]
    assert endpoint.most_in_flight == 1
