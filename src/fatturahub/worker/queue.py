"""Enqueue, claim, finish. Claiming is one statement on both databases:

    UPDATE job SET state='running', ... WHERE id = (SELECT id ... FOR UPDATE SKIP LOCKED LIMIT 1)
    RETURNING ...

On PostgreSQL, SKIP LOCKED lets any number of workers claim without waiting on each other; on
SQLite the database lock serializes writers and the clause is left out. A claim is a lease: a
worker that dies (kill -9) leaves its job to be claimed again when the lease runs out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from fatturahub.db.base import utcnow
from fatturahub.worker.models import Job, JobState

LEASE = timedelta(minutes=5)


def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    run_at: datetime | None = None,
    max_attempts: int = 20,
) -> Job:
    """Add a job to the caller's transaction: it exists exactly when the caller's change does."""
    job = Job(kind=kind, payload=payload, run_at=run_at or utcnow(), max_attempts=max_attempts)
    session.add(job)
    session.info[_ENQUEUED] = True
    return job


# In-process wake-ups: a worker in the same process as the API (`serve`) starts a job the moment
# the transaction that queued it commits, instead of at its next poll. Other processes poll.
_ENQUEUED = "worker.enqueued"
_wakers: set[Callable[[], None]] = set()


def on_jobs_committed(wake: Callable[[], None]) -> Callable[[], None]:
    """Call `wake` (from any thread) after each commit that queued jobs; returns the undo."""
    _wakers.add(wake)
    return lambda: _wakers.discard(wake)


@orm_event.listens_for(Session, "after_commit")
def _wake_workers(session: Session) -> None:
    if session.info.pop(_ENQUEUED, False):
        for wake in list(_wakers):
            wake()


@orm_event.listens_for(Session, "after_rollback")
def _forget_enqueued(session: Session) -> None:
    session.info.pop(_ENQUEUED, None)


# Every worker loop claims several times a second: built once, values as parameters.
_DUE = (
    select(Job.id)
    .where(
        Job.kind.in_(bindparam("kinds", expanding=True)),
        or_(
            (Job.state == JobState.QUEUED) & (Job.run_at <= bindparam("now")),
            (Job.state == JobState.RUNNING) & (Job.locked_until < bindparam("now")),
        ),
    )
    .order_by(Job.run_at, Job.created_at)
    .limit(1)
    .with_for_update(skip_locked=True)
    .scalar_subquery()
)
_CLAIM = (
    update(Job)
    .where(Job.id == _DUE)
    .values(
        state=JobState.RUNNING,
        locked_by=bindparam("worker"),
        locked_until=bindparam("locked_until"),
        attempts=Job.attempts + 1,
    )
    .returning(Job)
    .execution_options(synchronize_session=False, populate_existing=True)
)
_FINISH = (
    update(Job)
    .where(Job.id == bindparam("job_id"))
    .values(state=JobState.DONE, finished_at=bindparam("now"), locked_by=None, locked_until=None)
)


async def claim(
    session: AsyncSession,
    worker: str,
    kinds: Sequence[str],
    *,
    now: datetime | None = None,
    lease: timedelta = LEASE,
) -> Job | None:
    """Atomically take the next due job of `kinds` (or an expired lease), or None."""
    now = now or utcnow()
    parameters = {"kinds": list(kinds), "now": now, "worker": worker, "locked_until": now + lease}
    return (await session.execute(_CLAIM, parameters)).scalar_one_or_none()


def backoff(attempt: int) -> timedelta:
    """5 s, 10 s, 20 s, ... capped at 6 hours: about 5 days of retries over 30 attempts."""
    return timedelta(seconds=min(5 * 2 ** max(attempt - 1, 0), 6 * 3600))


async def finish(session: AsyncSession, job_id: uuid.UUID) -> None:
    await session.execute(_FINISH, {"job_id": job_id, "now": utcnow()})


async def retry_later(
    session: AsyncSession, job: Job, error: str, *, delay: timedelta | None = None
) -> JobState:
    """Back to the queue after a backoff, or dead when the attempts are spent."""
    dead = job.attempts >= job.max_attempts
    state = JobState.DEAD if dead else JobState.QUEUED
    await session.execute(
        update(Job)
        .where(Job.id == job.id)
        .values(
            state=state,
            run_at=utcnow() + (delay if delay is not None else backoff(job.attempts)),
            last_error=error[:4000],
            locked_by=None,
            locked_until=None,
            finished_at=utcnow() if dead else None,
        )
    )
    return state


async def purge_finished(session: AsyncSession, *, before: datetime, limit: int = 1000) -> int:
    """Delete up to `limit` jobs done before `before`; dead ones stay for inspection. How many."""
    doomed = (
        select(Job.id)
        .where(Job.state == JobState.DONE, Job.finished_at < before)
        .limit(limit)
        .scalar_subquery()
    )
    deleted = await session.execute(
        delete(Job).where(Job.id.in_(doomed)).execution_options(synchronize_session=False)
    )
    return deleted.rowcount
