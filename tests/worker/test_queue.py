"""The job queue under concurrent workers, on each database."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.support.server import BACKENDS, database

from fatturahub.db.base import utcnow
from fatturahub.db.engine import engine_for, session_factory
from fatturahub.worker import runner
from fatturahub.worker.models import Job, JobState
from fatturahub.worker.queue import claim, enqueue, finish
from fatturahub.worker.runner import RetryLater, Worker


@pytest.fixture(params=BACKENDS)
def settings(request, tmp_path):
    with database(request.param, tmp_path) as settings:
        yield settings


async def _enqueue(sessions, count: int, kind: str = "test") -> None:
    async with sessions() as session:
        for n in range(count):
            enqueue(session, kind, {"n": n})
        await session.commit()


async def _claim_all(settings, workers: int) -> list[int]:
    """Every worker on its own engine (its own connections) claims until nothing is left."""
    claimed: list[int] = []

    async def work(index: int) -> None:
        engine = engine_for(settings)
        sessions = session_factory(engine)
        try:
            while True:
                async with sessions() as session:
                    job = await claim(session, f"w{index}", ["test"])
                    await session.commit()
                if job is None:
                    return
                claimed.append(job.payload["n"])
                async with sessions() as session:
                    await finish(session, job.id)
                    await session.commit()
        finally:
            await engine.dispose()

    await asyncio.gather(*(work(i) for i in range(workers)))
    return claimed


def test_concurrent_workers_claim_each_job_exactly_once(settings):
    async def scenario() -> list[int]:
        engine = engine_for(settings)
        await _enqueue(session_factory(engine), 300)
        await engine.dispose()
        return await _claim_all(settings, workers=6)

    claimed = asyncio.run(scenario())
    duplicates = [n for n, times in Counter(claimed).items() if times > 1]
    assert duplicates == [] and sorted(claimed) == list(range(300))


def test_retries_back_off_then_die_and_expired_leases_are_reclaimed(settings):
    calls: Counter[str] = Counter()

    async def flaky(session, job) -> None:
        calls[job.kind] += 1
        raise RetryLater("SDI unavailable", delay=timedelta(0))

    async def scenario():
        engine = engine_for(settings)
        sessions = session_factory(engine)
        async with sessions() as session:
            enqueue(session, "flaky", {}, max_attempts=3)
            enqueue(session, "lease", {})
            await session.commit()
        worker = Worker(sessions, {"flaky": flaky})
        assert await worker.run_until_idle() == 3
        async with sessions() as session:
            job = await session.scalar(select(Job).where(Job.kind == "flaky"))
            assert job.state == JobState.DEAD and job.attempts == 3 and "unavailable" in job.last_error
            crashed = await claim(session, "crashed-worker", ["lease"])
            await session.commit()
            assert crashed is not None
            assert await claim(session, "other", ["lease"]) is None  # the lease still holds
            later = await claim(session, "other", ["lease"], now=utcnow() + timedelta(minutes=6))
            await session.commit()
            assert later is not None and later.id == crashed.id and later.attempts == 2
        await engine.dispose()

    asyncio.run(scenario())
    assert calls["flaky"] == 3


def test_a_worker_in_the_same_process_starts_a_job_when_it_is_committed_not_at_its_next_poll(settings):
    async def scenario() -> int:
        engine = engine_for(settings)
        sessions = session_factory(engine)
        done = asyncio.Event()

        async def handler(session, job) -> None:
            done.set()

        worker = Worker(sessions, {"ping": handler}, concurrency=3, idle_sleep=600)
        running = asyncio.create_task(worker.run())
        try:
            await asyncio.sleep(0.5)  # every loop found nothing and now sleeps for 10 minutes or more
            await _enqueue(sessions, 1, kind="ping")
            await asyncio.wait_for(done.wait(), 30)  # woken by the commit, or TimeoutError
        finally:
            worker.stop()
            await asyncio.wait_for(running, 10)
        async with sessions() as session:
            pending = select(func.count()).select_from(Job).where(Job.state != JobState.DONE)
            left = await session.scalar(pending)
        await engine.dispose()
        return left

    assert asyncio.run(scenario()) == 0


def test_one_job_wakes_one_idle_loop_and_a_burst_brings_them_all_in(settings, monkeypatch):
    claims: Counter[str] = Counter()

    async def counting_claim(session, worker_name, *args, **kwargs):
        job = await claim(session, worker_name, *args, **kwargs)
        if worker_name.startswith("wake-test/"):  # not a server's worker living in this process
            claims["found" if job else "empty"] += 1
        return job

    monkeypatch.setattr(runner, "claim", counting_claim)

    async def scenario() -> tuple[Counter[str], Counter[str]]:
        engine = engine_for(settings)
        sessions = session_factory(engine)
        all_running = asyncio.Barrier(4)

        async def together(session, job) -> None:  # done only when four run at the same time
            await asyncio.wait_for(all_running.wait(), 10)

        handlers = {"ping": _nothing, "together": together}
        worker = Worker(sessions, handlers, concurrency=4, idle_sleep=600, name="wake-test")
        running = asyncio.create_task(worker.run())
        try:
            await asyncio.sleep(0.5)  # every loop found nothing and sleeps
            claims.clear()
            await _enqueue(sessions, 1, kind="ping")
            await _until(sessions, _all_done)
            await asyncio.sleep(0.3)  # time for any other loop to wake and ask
            one_job = claims.copy()
            claims.clear()
            await _enqueue(sessions, 4, kind="together")
            await _until(sessions, _all_done)
            return one_job, claims.copy()
        finally:
            worker.stop()
            await asyncio.wait_for(running, 10)
            await engine.dispose()

    one_job, burst = asyncio.run(scenario())
    # the woken loop, the one it brought in on claiming, and its own next look: not every loop
    assert one_job["found"] == 1 and one_job["empty"] <= 2, one_job
    assert burst["found"] == 4, burst


async def _nothing(session, job) -> None:
    return None


def _all_done(jobs: list[Job]) -> bool:
    return all(job.state == JobState.DONE for job in jobs)


async def _until(sessions, condition: Callable[[list[Job]], bool], timeout: float = 20) -> None:
    """Poll the jobs until `condition` holds on them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with sessions() as session:
            jobs = list(await session.scalars(select(Job)))
        if condition(jobs):
            return
        assert asyncio.get_running_loop().time() < deadline, [(job.kind, job.state) for job in jobs]
        await asyncio.sleep(0.05)


def test_an_idle_worker_deletes_finished_jobs_past_their_retention_and_keeps_the_rest(settings):
    async def scenario() -> set[str]:
        engine = engine_for(settings)
        sessions = session_factory(engine)
        now = utcnow()
        async with sessions() as session:
            for name, state, finished in (
                ("old done", JobState.DONE, now - timedelta(days=10)),
                ("recent done", JobState.DONE, now - timedelta(days=1)),
                ("old dead", JobState.DEAD, now - timedelta(days=10)),
                ("queued", JobState.QUEUED, None),
            ):
                job = enqueue(session, "other", {"name": name}, run_at=now + timedelta(days=1))
                job.state, job.finished_at = state, finished
            await session.commit()
        worker = Worker(sessions, {"test": lambda s, j: None}, concurrency=2, retention=timedelta(days=7))
        running = asyncio.create_task(worker.run())
        try:  # loop 0 finds nothing to claim and purges
            await _until(sessions, lambda jobs: "old done" not in {job.payload["name"] for job in jobs})
        finally:
            worker.stop()
            await asyncio.wait_for(running, 10)
        async with sessions() as session:
            left = {job.payload["name"] for job in await session.scalars(select(Job))}
        await engine.dispose()
        return left

    assert asyncio.run(scenario()) == {"recent done", "old dead", "queued"}
