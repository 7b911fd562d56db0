"""Data files (LI, DF) sent to SDI's data service: reserve the name, store, queue; track the outcome.

The official file name's progressive is reserved in the database before anything leaves (a
counter per sender's fiscal code), so a retried upload always carries the same name and a new
communication never reuses one.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.errors import InvalidInput
from fatturahub.fatturapa.signature import Signer, sign_cades, sign_xades
from fatturahub.fiscal.naming import FileType, communication_file_name
from fatturahub.invoices.counters import next_value
from fatturahub.reports import repository
from fatturahub.reports.models import DataSubmission
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.models import Company
from fatturahub.tenancy.sealing import unseal_certificate
from fatturahub.worker.queue import enqueue

TRANSMIT_JOB = "reports.transmit"
OUTCOME_JOB = "reports.outcome"


class SubmissionState(StrEnum):
    QUEUED = "queued"  # stored under its reserved name, waiting for a worker
    SENT = "sent"  # SDI took it (IdFile)
    PROCESSING = "processing"  # SDI says SF01: checks in progress
    ACCEPTED = "accepted"  # EsitoFile ES01
    ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"  # ES02
    REJECTED = "rejected"  # ES03, with SDI's errors
    FAILED = "failed"  # SDI refused the upload (EI01–EI04), SF03, or the channel cannot be used


WAITING = (SubmissionState.SENT, SubmissionState.PROCESSING)


async def submit(
    session: AsyncSession,
    company: Company,
    *,
    secret_key: str,
    kind: FileType,
    year: int,
    content: bytes,
    storage: LocalStorage,
    substitutes: uuid.UUID | None,
) -> DataSubmission:
    if substitutes is not None:
        await _check_substituted(session, company.id, kind, year, substitutes)
    sender = company.codice_fiscale or company.partita_iva or ""
    content, extension = _signed(content, company, secret_key)
    counter = await next_value(session, f"data-file:{sender}")
    name = replace(communication_file_name(sender, kind, counter), extension=extension)
    submission = DataSubmission(
        id=uuid.uuid4(),
        company_id=company.id,
        kind=kind.value,
        year=year,
        state=SubmissionState.QUEUED,
        file_name=str(name),
        file_key=await storage.put(content),
        substitutes_id=substitutes,
        errors={"items": []},
    )
    session.add(submission)
    enqueue(session, TRANSMIT_JOB, {"submission_id": str(submission.id)})
    return submission


async def _check_substituted(
    session: AsyncSession, company_id: uuid.UUID, kind: FileType, year: int, substituted: uuid.UUID
) -> None:
    """A corrective communication replaces one of the same kind and year that SDI accepted."""
    previous = await repository.submission(session, company_id, substituted)
    accepted = (SubmissionState.ACCEPTED, SubmissionState.ACCEPTED_WITH_WARNINGS)
    if (
        previous is None
        or previous.kind != kind.value
        or previous.year != year
        or previous.state not in accepted
    ):
        raise InvalidInput(
            "nothing to substitute",
            errors=[{"path": "substitutes", "message": f"not an accepted {kind.value} submission of {year}"}],
        )


def _signed(content: bytes, company: Company, secret_key: str) -> tuple[bytes, str]:
    """Signed with the company's certificate when it has one (the Sistema Ricevente wants signed
    files: CAdES as .xml.p7m, or XAdES inside the .xml), else as it is."""
    if company.signing_certificate is None:
        return content, ".xml"
    signer = Signer.from_pkcs12(*unseal_certificate(secret_key, company.signing_certificate))
    if company.signing_format == "xades":
        return sign_xades(content, signer), ".xml"
    return sign_cades(content, signer), ".xml.p7m"
