"""The send job: hand the reserved file to the company's SDI channel.

The network call happens outside any database transaction: the invoice is marked `sending` and
committed first, the channel is called, then the answer is recorded in a new transaction. A
timeout retries the same file under the same name; SDI either takes it or answers (NS 00002)
that it already has it.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.invoices.models import Invoice
from fatturahub.invoices.sending import SEND_JOB
from fatturahub.invoices.service import move
from fatturahub.invoices.states import InvoiceState
from fatturahub.sdi.channels import (
    ChannelConfigurationError,
    Refused,
    Submission,
    TransportError,
    channel_for,
)
from fatturahub.settings import Settings
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.models import Company
from fatturahub.worker.models import Job
from fatturahub.worker.runner import Handler, RetryLater


def handlers(settings: Settings) -> dict[str, Handler]:
    storage = LocalStorage(settings.storage_path)

    async def send(session: AsyncSession, job: Job) -> None:
        await send_invoice(session, job, settings=settings, storage=storage)

    return {SEND_JOB: send}


async def send_invoice(session: AsyncSession, job: Job, *, settings: Settings, storage: LocalStorage) -> None:
    invoice_id = uuid.UUID(job.payload["invoice_id"])
    invoice = await session.get(Invoice, invoice_id)
    if invoice is None or invoice.state not in IN_QUEUE:
        return  # already sent, or moved on by a notification: nothing to do
    company = await session.get_one(Company, invoice.company_id)
    try:
        channel = channel_for(
            company.channel,
            company.channel_settings or {},
            sandbox_url=settings.sandbox_endpoint,
            certificates_dir=settings.channel_certificates_dir / str(company.account_id),
        )
    except ChannelConfigurationError as error:
        await _fail(session, invoice_id, [{"code": "channel", "message": str(error)}], from_states=IN_QUEUE)
        return
    submission = Submission(invoice.file_name, storage.get(invoice.file_key))
    if invoice.state == InvoiceState.QUEUED and not await move(session, invoice, InvoiceState.SENDING):
        return  # a notification overtook us: SDI has it
    await session.commit()
    try:
        acceptance = await channel.submit(submission)
    except Refused as refusal:
        if refusal.retryable:
            raise RetryLater(f"SDI {refusal.code}: {refusal}") from None
        await _fail(session, invoice_id, [{"code": refusal.code, "message": str(refusal)}])
        return
    except TransportError as error:
        if job.attempts < job.max_attempts:
            raise RetryLater(f"transport: {error}") from None
        await _fail(session, invoice_id, [{"code": "transport", "message": str(error)}])
        return
    invoice = await session.get_one(Invoice, invoice_id, populate_existing=True)
    # A notification may already have moved it on, naming the file SDI kept: after a retry
    # answered 00002 that is the first upload's id, not this one's; never overwrite it.
    overtaken = invoice.state != InvoiceState.SENDING
    if not overtaken or invoice.identificativo_sdi is None:
        invoice.identificativo_sdi = acceptance.identificativo_sdi
    if not overtaken or invoice.sdi_received_at is None:
        invoice.sdi_received_at = acceptance.received_at
    if not overtaken:
        await move(session, invoice, InvoiceState.SENT)


IN_QUEUE = (InvoiceState.QUEUED, InvoiceState.SENDING)


async def _fail(
    session: AsyncSession,
    invoice_id: uuid.UUID,
    errors: list[dict[str, str]],
    from_states: tuple[InvoiceState, ...] = (InvoiceState.SENDING,),
) -> None:
    invoice = await session.get_one(Invoice, invoice_id, populate_existing=True)
    if invoice.state in from_states and await move(session, invoice, InvoiceState.FAILED):
        invoice.errors = {"items": errors}
