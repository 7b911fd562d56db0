"""PA recipients' outcome on a received invoice: NotificaEsitoCommittente (EC01 accept, EC02 refuse).

Built, stored and queued in the request's transaction; the worker sends it through the company's
channel (SdIRiceviNotifica) and records SDI's answer: ES01 → the invoice is accepted / refused;
ES00 with ScartoEsitoCommittente → the outcome is rejected (kept verbatim) and may be sent again
while the 15-day term is open; ES02 → tried again later. After the term, or once SDI's
NotificaDecorrenzaTermini arrived, no outcome can be given.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.audit.service import record
from fatturahub.db.base import utcnow
from fatturahub.errors import Conflict, InvalidInput
from fatturahub.fatturapa.issues import InvalidDocument
from fatturahub.inbox import events, repository, rules
from fatturahub.inbox.models import ReceivedFile, ReceivedInvoice, ReceivedOutcome
from fatturahub.inbox.states import OPEN, OutcomeState, ReceivedState
from fatturahub.sdi.messages import build_message, pa
from fatturahub.tenancy.principal import CompanyAccess, Principal
from fatturahub.worker.queue import enqueue

OUTCOME_JOB = "received_invoice.send_outcome"
ESITI = ("EC01", "EC02")


async def request_outcome(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    invoice_id: uuid.UUID,
    *,
    esito: str,
    descrizione: str | None,
) -> ReceivedOutcome:
    invoice, file = await repository.get_received(session, access, invoice_id)
    await _check_may_answer(session, invoice, file, esito, descrizione)
    siblings = await repository.invoices_of_file(session, file.id)
    sequence = await repository.outcomes_of_file(session, file.id) + 1
    outcome = ReceivedOutcome(
        id=uuid.uuid4(),
        received_invoice_id=invoice.id,
        esito=esito,
        descrizione=descrizione,
        state=OutcomeState.QUEUED,
        file_name=rules.outcome_file_name(file.file_name, sequence),
        content=_esito_file(file, invoice, esito, descrizione, lotto=len(siblings) > 1),
    )
    session.add(outcome)
    try:
        await session.flush()
    except IntegrityError:  # a concurrent request queued its outcome first (or took the EC name)
        raise Conflict("another outcome for this invoice was requested at the same moment") from None
    enqueue(session, OUTCOME_JOB, {"outcome_id": str(outcome.id)})
    record(
        session,
        principal,
        action="received_invoice.outcome_requested",
        target=invoice,
        access=access,
        details={"esito": esito, "file_name": outcome.file_name},
    )
    return outcome


async def _check_may_answer(
    session: AsyncSession, invoice: ReceivedInvoice, file: ReceivedFile, esito: str, descrizione: str | None
) -> None:
    if esito not in ESITI:
        raise InvalidInput("unknown esito", errors=[{"path": "esito", "message": "EC01 or EC02"}])
    if esito == "EC02" and not (descrizione or "").strip():
        raise InvalidInput(
            "a refusal needs its reason",
            errors=[{"path": "descrizione", "message": "required for EC02 (refusal)"}],
        )
    if file.identificativo_sdi is None:
        raise Conflict("imported history was not delivered by SDI here: no outcome can be sent for it")
    refusal = rules.outcome_refusal(
        format=invoice.format,
        received_at=file.created_at,
        expired=file.expired_at is not None or invoice.state == ReceivedState.EXPIRED,
        now=utcnow(),
    )
    if refusal:
        raise Conflict(refusal)
    if invoice.state not in OPEN:
        raise Conflict(f"the invoice is already {invoice.state}")
    pending = [o for o in await repository.outcomes_of(session, invoice.id) if o.state == OutcomeState.QUEUED]
    if pending:
        raise Conflict(f"outcome {pending[0].file_name} is still being sent")


def _esito_file(
    file: ReceivedFile, invoice: ReceivedInvoice, esito: str, descrizione: str | None, *, lotto: bool
) -> bytes:
    reference = None
    if lotto and invoice.numero and invoice.data:  # one body of a lotto is answered on its own
        reference = pa.RiferimentoFatturaType(
            NumeroFattura=invoice.numero, AnnoFattura=invoice.data.year, PosizioneFattura=invoice.position
        )
    try:
        message = pa.NotificaEsitoCommittente(
            IdentificativoSdI=int(file.identificativo_sdi),
            RiferimentoFattura=reference,
            Esito=esito,
            Descrizione=(descrizione or None),
        )
        return build_message(message)
    except (ValueError, InvalidDocument) as exc:
        raise InvalidInput(
            "the outcome cannot be written as SDI requires",
            errors=[{"path": "descrizione", "message": str(exc)[:300]}],
        ) from None


async def apply_answer(
    session: AsyncSession,
    outcome: ReceivedOutcome,
    *,
    esito: str,
    scarto_file_name: str | None,
    scarto: bytes | None,
) -> None:
    """Record SDI's final answer (ES01 or ES00) to a sent outcome."""
    invoice = await session.get_one(ReceivedInvoice, outcome.received_invoice_id, populate_existing=True)
    file = await session.get_one(ReceivedFile, invoice.file_id)
    outcome.answer = esito
    outcome.sent_at = utcnow()
    if esito == "ES01":
        outcome.state = OutcomeState.SENT
        if invoice.state in OPEN:
            invoice.state = ReceivedState.ACCEPTED if outcome.esito == "EC01" else ReceivedState.REFUSED
        await events.publish_received(session, invoice, file, events.OUTCOME_SENT, outcome=_summary(outcome))
        return
    outcome.state = OutcomeState.REJECTED
    outcome.scarto_file_name = scarto_file_name
    outcome.scarto = scarto
    await events.publish_received(session, invoice, file, events.OUTCOME_REJECTED, outcome=_summary(outcome))


async def fail(session: AsyncSession, outcome: ReceivedOutcome, reason: str) -> None:
    outcome.state = OutcomeState.FAILED
    outcome.error = reason[:500]


def _summary(outcome: ReceivedOutcome) -> dict[str, str | None]:
    return {
        "id": str(outcome.id),
        "esito": outcome.esito,
        "descrizione": outcome.descrizione,
        "file_name": outcome.file_name,
        "answer": outcome.answer,
        "state": outcome.state,
        "scarto_file_name": outcome.scarto_file_name,
    }
