"""The worker loop: claim a job, run its handler in a transaction, record the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fatturahub.db.base import utcnow
from fatturahub.worker.models import Job
from fatturahub.worker.queue import LEASE, claim, finish, on_jobs_committed, purge_finished, retry_later

log = logging.getLogger("fatturahub.worker")

Handler = Callable[[AsyncSession, Job], Awaitable[None]]


class RetryLater(Exception):  # an instruction, not an error
    """A handler asks for another attempt (after `delay`, or the standard backoff)."""

    def __init__(self, reason: str, delay: timedelta | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


@dataclass
class Worker:
    sessions: async_sessionmaker[AsyncSession]
    handlers: Mapping[str, Handler]
    concurrency: int = 4
    idle_sleep: float = 0.2
    name: str = ""
    lease: timedelta = LEASE
    retention: timedelta = timedelta(days=7)  # finished jobs older than this are deleted
    purge_every: float = 3600.0  # seconds between purges, done by loop 0 when it is idle

    def __post_init__(self) -> None:
        self.name = self.name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stopping = False
        self._sleepers: deque[asyncio.Event] = deque()  # idle loops, the longest idle first
        self._purged_at = -math.inf

    def stop(self) -> None:
        self._stopping = True
        self._wake(len(self._sleepers))

    def _wake(self, count: int = 1) -> None:
        """Bring `count` idle loops in. One at a time: each that finds a job brings in the next,
        so a burst of jobs fills the loops and one job does not send them all to the database."""
        for _ in range(min(count, len(self._sleepers))):
            self._sleepers.popleft().set()

    async def run(self) -> None:
        """Run `concurrency` loops until stop(); a job in progress is finished first."""
        loop = asyncio.get_running_loop()
        forget = on_jobs_committed(lambda: loop.call_soon_threadsafe(self._wake))
        try:
            await asyncio.gather(*(self._loop(n) for n in range(self.concurrency)))
        finally:
            forget()

    async def run_until_idle(self) -> int:
        """Process due jobs until none is left; returns how many ran. For tests and tools."""
        count = 0
        while await self.run_one():
            count += 1
        return count

    async def _loop(self, slot: int) -> None:
        while not self._stopping:
            try:
                ran = await self.run_one(f"{self.name}/{slot}")
            except Exception:  # the loop must survive a broken database moment
                log.exception("worker loop error")
                ran = False
            if not ran:
                await self._idle(slot)

    async def _idle(self, slot: int) -> None:
        """Wait for work. Loop 0 polls every `idle_sleep` (jobs queued by other processes, retries
        coming due); the others wait to be woken, polling ten times less often: an idle worker
        asks the database ~6 times a second, not `concurrency` × 5."""
        if slot == 0 and time.monotonic() - self._purged_at >= self.purge_every:
            await self._purge()
        if self._stopping:  # stop() came while this loop was busy: it woke no one here
            return
        woken = asyncio.Event()
        self._sleepers.append(woken)
        timeout = self.idle_sleep if slot == 0 else self.idle_sleep * 10
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), timeout)
        finally:
            with contextlib.suppress(ValueError):  # timed out: still in the queue
                self._sleepers.remove(woken)

    async def _purge(self) -> None:
        """Delete finished jobs past their retention, a batch at a time (short transactions)."""
        self._purged_at = time.monotonic()
        before = utcnow() - self.retention
        try:
            while not self._stopping:
                async with self.sessions() as session:
                    deleted = await purge_finished(session, before=before)
                    await session.commit()
                if deleted == 0:
                    return
        except Exception:  # housekeeping: the next purge tries again
            log.exception("purging finished jobs failed")

    async def run_one(self, name: str | None = None) -> bool:
        async with self.sessions() as session:
            job = await claim(session, name or self.name, list(self.handlers), lease=self.lease)
            await session.commit()
        if job is None:
            return False
        self._wake()  # there may be more: bring one more loop in while this one works
        await self._execute(job)
        return True

    async def _execute(self, job: Job) -> None:
        handler = self.handlers[job.kind]
        async with self.sessions() as session:
            try:
                await handler(session, job)
                await finish(session, job.id)
                await session.commit()
                return
            except RetryLater as exc:
                await session.rollback()
                reason, delay = str(exc), exc.delay
            except Exception as exc:  # any failure is retried, and logged
                await session.rollback()
                log.exception("job %s (%s) failed", job.id, job.kind)
                reason, delay = f"{type(exc).__name__}: {exc}", None
        async with self.sessions() as session:
            state = await retry_later(session, job, reason, delay=delay)
            await session.commit()
        log.info(
            "job retried",
            extra={
                "job_id": str(job.id),
                "kind": job.kind,
                "state": state,
                "attempt": job.attempts,
                "reason": reason,
            },
        )
