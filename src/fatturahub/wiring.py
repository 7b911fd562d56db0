"""The composition root: the worker, and which job handlers it runs (in `serve` or `fatturahub worker`)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fatturahub.imports import tasks as import_tasks
from fatturahub.inbox import tasks as inbox_tasks
from fatturahub.invoices import tasks as invoice_tasks
from fatturahub.reports import tasks as report_tasks
from fatturahub.settings import Settings
from fatturahub.webhooks import tasks as webhook_tasks
from fatturahub.worker.runner import Handler, Worker


def job_handlers(settings: Settings) -> dict[str, Handler]:
    policy = webhook_tasks.DeliveryPolicy(private_networks=settings.webhooks_reach_private_networks)
    return {
        **invoice_tasks.handlers(settings),
        **inbox_tasks.handlers(settings),
        **import_tasks.handlers(settings),
        **report_tasks.handlers(settings),
        **webhook_tasks.handlers(policy),
    }


def build_worker(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, concurrency: int | None = None
) -> Worker:
    """A worker as the settings say (`concurrency` overrides theirs)."""
    return Worker(
        sessions,
        job_handlers(settings),
        concurrency=concurrency or settings.worker_concurrency,
        lease=timedelta(seconds=settings.job_lease_seconds),
        retention=timedelta(days=settings.job_retention_days),
    )
