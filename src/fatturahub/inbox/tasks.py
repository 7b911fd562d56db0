"""The outcome job: send a queued NotificaEsitoCommittente through the company's SDI channel.

As for sending invoices, the network call happens outside any transaction: what we need is read,
the session committed, the channel called, then the answer recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.inbox import outcomes
from fatturahub.inbox.models import ReceivedFile, ReceivedInvoice, ReceivedOutcome
from fatturahub.inbox.states import OutcomeState
from fatturahub.sdi.channels import ChannelConfigurationError, TransportError, channel_for
from fatturahub.sdi.channels.base import OutcomeSubmission
from fatturahub.settings import Settings
from fatturahub.tenancy.models import Company
from fatturahub.worker.models import Job
from fatturahub.worker.runner import Handler, RetryLater

ChannelFactory = Callable[[Company], Any]  # a Channel with send_outcome(OutcomeSubmission)


def handlers(settings: Settings) -> dict[str, Handler]:
    def channel_of(company: Company) -> Any:
        return channel_for(
            company.channel,
            company.channel_settings or {},
            sandbox_url=settings.sandbox_endpoint,
            certificates_dir=settings.channel_certificates_dir / str(company.account_id),
        )

    async def send(session: AsyncSession, job: Job) -> None:
        await send_outcome(session, job, channel_of=channel_of)

    return {outcomes.OUTCOME_JOB: send}


async def send_outcome(session: AsyncSession, job: Job, *, channel_of: ChannelFactory) -> None:
    outcome_id = uuid.UUID(job.payload["outcome_id"])
    outcome = await session.get(ReceivedOutcome, outcome_id)
    if outcome is None or outcome.state != OutcomeState.QUEUED:
        return  # answered already
    invoice = await session.get_one(ReceivedInvoice, outcome.received_invoice_id)
    company = await session.get_one(Company, invoice.company_id)
    file = await session.get_one(ReceivedFile, invoice.file_id)
    try:
        channel = channel_of(company)
    except ChannelConfigurationError as error:
        await outcomes.fail(session, outcome, f"channel: {error}")
        return
    submission = OutcomeSubmission(outcome.file_name, file.identificativo_sdi, outcome.content)
    await session.commit()
    try:
        answer = await channel.send_outcome(submission)
    except ChannelConfigurationError as error:  # e.g. SDICoop without outcome_endpoint_url
        outcome = await session.get_one(ReceivedOutcome, outcome_id, populate_existing=True)
        await outcomes.fail(session, outcome, f"channel: {error}")
        return
    except TransportError as error:
        if job.attempts < job.max_attempts:
            raise RetryLater(f"transport: {error}") from None
        outcome = await session.get_one(ReceivedOutcome, outcome_id, populate_existing=True)
        await outcomes.fail(session, outcome, f"transport: {error}")
        return
    if answer.esito == "ES02":
        raise RetryLater("SDI ES02: service unavailable")
    outcome = await session.get_one(ReceivedOutcome, outcome_id, populate_existing=True)
    if answer.esito not in ("ES00", "ES01"):
        await outcomes.fail(session, outcome, f"unexpected answer {answer.esito!r}")
        return
    await outcomes.apply_answer(
        session, outcome, esito=answer.esito, scarto_file_name=answer.scarto_file_name, scarto=answer.scarto
    )
