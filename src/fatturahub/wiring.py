"""The composition root: which job handlers a worker runs (in `serve` or `fatturahub worker`)."""

from __future__ import annotations

from fatturahub.imports import tasks as import_tasks
from fatturahub.inbox import tasks as inbox_tasks
from fatturahub.invoices import tasks as invoice_tasks
from fatturahub.reports import tasks as report_tasks
from fatturahub.settings import Settings
from fatturahub.webhooks import tasks as webhook_tasks
from fatturahub.worker.runner import Handler


def job_handlers(settings: Settings) -> dict[str, Handler]:
    policy = webhook_tasks.DeliveryPolicy(private_networks=settings.webhooks_reach_private_networks)
    return {
        **invoice_tasks.handlers(settings),
        **inbox_tasks.handlers(settings),
        **import_tasks.handlers(settings),
        **report_tasks.handlers(settings),
        **webhook_tasks.handlers(policy),
    }
