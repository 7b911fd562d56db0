"""A job: one unit of work for a worker, with its attempts visible."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fatturahub.db.base import Base, IdMixin


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"  # attempts exhausted: kept for inspection and manual retry


class Job(IdMixin, Base):
    __tablename__ = "job"
    __table_args__ = (Index("ix_job_claim", "state", "run_at"),)

    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]]
    state: Mapped[JobState] = mapped_column(String(10), default=JobState.QUEUED)
    run_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=20)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]
