"""Jobs of the reports context: hand a data file to the company's channel, then poll its outcome.

As for invoices, no transaction is held over a network call: the state is committed first. The
outcome job asks again while SDI says SF01 (processing), then records the EsitoFile.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.db.base import utcnow
from fatturahub.fiscal import esiti
from fatturahub.reports import corrections
from fatturahub.reports.models import DataSubmission
from fatturahub.reports.submissions import OUTCOME_JOB, TRANSMIT_JOB, WAITING, SubmissionState
from fatturahub.sdi.channels import (
    Channel,
    ChannelConfigurationError,
    DataFileSubmission,
    Refused,
    TransportError,
    channel_for,
)
from fatturahub.settings import Settings
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.models import Company
from fatturahub.webhooks.publishing import publish
from fatturahub.worker.models import Job
from fatturahub.worker.queue import enqueue
from fatturahub.worker.runner import Handler, RetryLater

POLL_EVERY = timedelta(minutes=1)
POLL_ATTEMPTS = 1000  # SDI answers within hours; past this the submission stays `processing`
PROCESSING, ERROR = "SF01", "SF03"  # DataFileOutcome.state; SF02: processed, the EsitoFile says how
ChannelOf = Callable[[Company], Channel]


def handlers(settings: Settings, channel_of: ChannelOf | None = None) -> dict[str, Handler]:
    storage = LocalStorage(settings.storage_path)
    channels = channel_of or _company_channel(settings)

    async def run_transmit(session: AsyncSession, job: Job) -> None:
        await transmit(session, job, channel_of=channels, storage=storage)

    async def run_poll(session: AsyncSession, job: Job) -> None:
        await poll_outcome(session, job, channel_of=channels)

    return {TRANSMIT_JOB: run_transmit, OUTCOME_JOB: run_poll}


def _company_channel(settings: Settings) -> ChannelOf:
    def channel(company: Company) -> Channel:
        return channel_for(
            company.channel,
            company.channel_settings or {},
            sandbox_url=settings.sandbox_endpoint,
            certificates_dir=settings.channel_certificates_dir / str(company.account_id),
        )

    return channel


async def transmit(session: AsyncSession, job: Job, *, channel_of: ChannelOf, storage: LocalStorage) -> None:
    submission_id = uuid.UUID(job.payload["submission_id"])
    submission = await session.get(DataSubmission, submission_id)
    if submission is None or submission.state != SubmissionState.QUEUED:
        return
    company = await session.get_one(Company, submission.company_id)
    try:
        channel = channel_of(company)
    except ChannelConfigurationError as error:
        await _finish(
            session, submission, SubmissionState.FAILED, [{"code": "channel", "message": str(error)}]
        )
        return
    request = DataFileSubmission(submission.file_name, submission.kind, storage.get(submission.file_key))
    await session.commit()
    try:
        receipt = await channel.transmit_file(request)
    except Refused as refusal:
        if refusal.retryable:
            raise RetryLater(f"SDI {refusal.code}: {refusal}") from None
        await _finish(
            session, submission, SubmissionState.FAILED, [{"code": refusal.code, "message": str(refusal)}]
        )
        return
    except TransportError as error:  # unknown outcome: the same name again, SDI refuses a duplicate
        if job.attempts < job.max_attempts:
            raise RetryLater(f"transport: {error}") from None
        await _finish(
            session, submission, SubmissionState.FAILED, [{"code": "transport", "message": str(error)}]
        )
        return
    submission = await session.get_one(DataSubmission, submission_id, populate_existing=True)
    submission.state, submission.id_file, submission.sent_at = (
        SubmissionState.SENT,
        receipt.id_file,
        receipt.received_at,
    )
    enqueue(
        session,
        OUTCOME_JOB,
        {"submission_id": str(submission_id)},
        run_at=utcnow() + POLL_EVERY,
        max_attempts=POLL_ATTEMPTS,
    )


async def poll_outcome(session: AsyncSession, job: Job, *, channel_of: ChannelOf) -> None:
    submission = await session.get(DataSubmission, uuid.UUID(job.payload["submission_id"]))
    if submission is None or submission.state not in WAITING or submission.id_file is None:
        return
    company = await session.get_one(Company, submission.company_id)
    try:
        outcome = await channel_of(company).file_outcome(submission.id_file)
    except (TransportError, Refused) as error:
        raise RetryLater(f"outcome: {error}", delay=POLL_EVERY) from None
    if outcome.state == PROCESSING:
        if submission.state != SubmissionState.PROCESSING:
            submission.state = SubmissionState.PROCESSING
            await session.commit()
        raise RetryLater("SDI is processing the file (SF01)", delay=POLL_EVERY)
    if outcome.state == ERROR or outcome.esito is None:
        await _finish(
            session,
            submission,
            SubmissionState.FAILED,
            [{"code": outcome.state, "message": "SDI could not process the file"}],
        )
        return
    esito = esiti.parse(outcome.esito)
    submission.outcome_file_name, submission.outcome = outcome.esito_file_name, outcome.esito
    errors = [{"code": e.code, "message": e.description} for e in esito.errors]
    await _finish(session, submission, _STATE_OF[esito.outcome], errors)


_STATE_OF = {
    esiti.Outcome.VALIDATED: SubmissionState.ACCEPTED,
    esiti.Outcome.VALIDATED_WITH_WARNINGS: SubmissionState.ACCEPTED_WITH_WARNINGS,
    esiti.Outcome.REJECTED: SubmissionState.REJECTED,
}


async def _finish(
    session: AsyncSession, submission: DataSubmission, state: SubmissionState, errors: list[dict[str, str]]
) -> None:
    submission.state, submission.errors = state, {"items": errors}
    company = await session.get_one(Company, submission.company_id)
    event = (
        "accepted"
        if state in (SubmissionState.ACCEPTED, SubmissionState.ACCEPTED_WITH_WARNINGS)
        else "rejected"
    )
    await publish(
        session,
        company_id=company.id,
        owner_account_id=company.account_id,
        type=f"{_EVENT_PREFIX[submission.kind]}.submission.{event}",
        subject_type="data_submission",
        subject_id=submission.id,
        data={
            "id": str(submission.id),
            "file_name": submission.file_name,
            "state": state.value,
            "year": submission.year,
            "id_file": submission.id_file,
            "errors": errors,
        },
    )
    await corrections.after_outcome(session, submission)  # an accepted ANN marks the file cancelled


_EVENT_PREFIX = {"LI": "lipe", "DF": "dati_fatture"}
