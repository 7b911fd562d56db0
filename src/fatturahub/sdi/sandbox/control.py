"""The control API: look at what the sandbox received and sent, play the recipient, move time,
and deliver supplier invoices to a recipient (the passive cycle).

JSON in and out; errors are RFC 9457 problem+json like the rest of FatturaHub.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime, timedelta
from typing import Annotated, Literal, Self

from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field, model_validator
from stdnum.it import codicefiscale, iva

from fatturahub.errors import Conflict, InvalidInput, NotFound, ServiceError
from fatturahub.fatturapa.naming import NotificationType
from fatturahub.sdi.messages import EsitoCommittenteType, ScartoType
from fatturahub.sdi.sandbox import datafiles
from fatturahub.sdi.sandbox.engine import NoRecipient, NotRunning, OutcomeRefused, Sandbox
from fatturahub.sdi.sandbox.generate import InvoiceSpec
from fatturahub.sdi.sandbox.passive import InvoiceFacts, UnreadableInvoice
from fatturahub.sdi.sandbox.state import (
    DeliveryStatus,
    FileStatus,
    InvoiceDelivery,
    ReceivedFile,
    ReceivedOutcome,
    SentNotification,
)

CodiceDestinatario = Annotated[str, Field(pattern=r"^[A-Z0-9]{6,7}$", examples=["ABC1234"])]
IdentificativoSdI = Annotated[int, Path(ge=1, le=10**12 - 1)]

router = APIRouter(prefix="/control", tags=["control"])


class DeliveriesPending(ServiceError):
    type, status, title = "deliveries-pending", 504, "Deliveries still pending"


class SandboxNotRunning(ServiceError):
    type, status, title = "sandbox-not-running", 503, "The sandbox is not running"


class ErrorView(BaseModel):
    code: str = Field(description="SDI error code, e.g. 00200")
    path: str
    message: str


class NotificationView(BaseModel):
    type: NotificationType
    file_name: str
    message_id: str
    created_at: datetime = Field(description="virtual time")
    delivered_at: datetime | None = Field(description="virtual time of the 2xx answer; null while pending")
    attempts: int
    last_error: str | None = Field(description="why the last attempt failed, while retrying")


class DeadlineView(BaseModel):
    type: NotificationType = Field(description="DT or AT")
    at: datetime


class FileView(BaseModel):
    identificativo_sdi: int
    file_name: str
    received_at: datetime = Field(description="virtual time")
    status: FileStatus
    flow: str = Field(description="PA or B2B: the message family of the notifications")
    format: str | None = Field(description="FPA12, FPR12 or FSM10 once read")
    codice_destinatario: str | None
    hash: str = Field(description="SHA-256 of the file as received")
    errors: list[ErrorView] = Field(description="the ListaErrori of the NS")
    deadline: DeadlineView | None = Field(description="the notification due unless the PA answers")
    notifications: list[NotificationView]


class ClockView(BaseModel):
    now: datetime
    offset_seconds: float


class AdvanceRequest(BaseModel):
    days: float = Field(default=0, ge=0, le=3650)
    hours: float = Field(default=0, ge=0, le=24 * 3650)


class FiredView(BaseModel):
    identificativo_sdi: int
    type: NotificationType


class AdvanceView(ClockView):
    fired: list[FiredView] = Field(description="notifications that fell due and were queued")


class OutcomeRequest(BaseModel):
    esito: EsitoCommittenteType = Field(description="EC01 accepts the invoice, EC02 refuses it")
    descrizione: str | None = Field(default=None, max_length=255)


class UnreachableView(BaseModel):
    codes: list[CodiceDestinatario] = Field(description="recipients whose delivery fails (MC)")


class FlushView(BaseModel):
    pending: int


class GivenFile(BaseModel):
    file_name: str = Field(pattern=r"^[a-zA-Z0-9_.]{9,50}$", examples=["IT01234560017_00001.xml.p7m"])
    content_base64: str = Field(
        description="the file's bytes in base64; the file itself may be XML, a .p7m, or base64 text"
    )
    formato: Literal["FPA12", "FPR12", "FSM10"] | None = Field(
        default=None, description="for the metadata file; read from the file when omitted"
    )
    codice_destinatario: CodiceDestinatario | None = Field(
        default=None, description="for the metadata file; read from the file when omitted"
    )

    @model_validator(mode="after")
    def _facts_together(self) -> Self:
        if (self.formato is None) != (self.codice_destinatario is None):
            raise ValueError("give formato and codice_destinatario together, or neither")
        return self

    def facts(self) -> InvoiceFacts | None:
        if self.formato is None or self.codice_destinatario is None:
            return None
        return InvoiceFacts(self.formato, self.codice_destinatario)

    def content(self) -> bytes:
        try:
            return base64.b64decode(self.content_base64, validate=True)
        except binascii.Error:
            raise InvalidInput("file.content_base64 is not valid base64") from None


class GenerateRequest(BaseModel):
    formato: Literal["FPA12", "FPR12"] = Field(default="FPR12", description="FPA12 to a PA, FPR12 B2B")
    codice_destinatario: CodiceDestinatario = Field(description="6 characters for FPA12, 7 for FPR12")
    cessionario_partita_iva: str | None = Field(default=None, pattern=r"^\d{11}$")
    cessionario_codice_fiscale: str | None = Field(default=None, pattern=r"^[A-Z0-9]{11,16}$")
    cessionario_denominazione: str = Field(default="Cliente della sandbox", min_length=1, max_length=80)
    lines: int = Field(default=3, ge=1, le=100, description="DettaglioLinee per body")
    bodies: int = Field(default=1, ge=1, le=50, description="more than one makes a lotto")
    signed: bool = Field(default=False, description="CAdES (.xml.p7m) with the sandbox's certificate")
    base64: bool = Field(default=False, description="send the file base64-encoded, as some senders do")
    encoding: Literal["UTF-8", "windows-1252"] = "UTF-8"
    data: date | None = Field(default=None, description="the invoice date; default: today (virtual)")

    @model_validator(mode="after")
    def _recipient_is_valid(self) -> Self:
        if not (self.cessionario_partita_iva or self.cessionario_codice_fiscale):
            raise ValueError("give cessionario_partita_iva or cessionario_codice_fiscale (or both)")
        if self.cessionario_partita_iva and not iva.is_valid(self.cessionario_partita_iva):
            raise ValueError("cessionario_partita_iva has a wrong check digit")
        cf = self.cessionario_codice_fiscale
        if cf and not (iva.is_valid(cf) if cf.isdigit() else codicefiscale.is_valid(cf)):
            raise ValueError("cessionario_codice_fiscale is not valid")
        if len(self.codice_destinatario) != (6 if self.formato == "FPA12" else 7):
            raise ValueError("codice_destinatario has 6 characters for FPA12 (IPA code), 7 for FPR12")
        return self

    def spec(self) -> InvoiceSpec:
        return InvoiceSpec(**self.model_dump())


class DeliveryRequest(BaseModel):
    """Exactly one of `file` (deliver it as given) and `generate` (make up a realistic invoice)."""

    file: GivenFile | None = None
    generate: GenerateRequest | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.file is None) == (self.generate is None):
            raise ValueError("give exactly one of file and generate")
        return self


class ReceivedOutcomeView(BaseModel):
    file_name: str
    received_at: datetime = Field(description="virtual time")
    esito: EsitoCommittenteType | None = Field(description="EC01/EC02; null when the file was unreadable")
    answer: Literal["ES00", "ES01"]
    scarto: ScartoType | None = Field(description="EN00 malformed or unknown invoice, EN01 not admissible")
    reason: str | None


class DeliveryView(BaseModel):
    identificativo_sdi: int
    file_name: str
    metadata_file_name: str
    format: str
    codice_destinatario: str
    hash: str = Field(description="SHA-256 of the file as delivered")
    created_at: datetime = Field(description="virtual time")
    status: DeliveryStatus
    attempts: int = Field(description="RiceviFatture requests made so far")
    delivered_at: datetime | None = Field(description="virtual time of the ER01 answer; null while pending")
    last_error: str | None = Field(description="why the last attempt failed, while retrying")
    outcome_deadline: datetime | None = Field(description="when DT is due unless the PA answers")
    outcomes: list[ReceivedOutcomeView] = Field(description="the EC files received, with SDI's answer")
    to_recipient: list[NotificationView] = Field(description="SE (in the ES00 answer) and DT")
    to_supplier: list[NotificationView] = Field(description="NE and DT (recorded: the supplier is outside)")


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


@router.get("/files", summary="Files received, oldest first, with their notifications")
async def list_files(request: Request) -> list[FileView]:
    return [_file_view(file) for file in _sandbox(request).files()]


@router.get("/files/{identificativo_sdi}", summary="One received file")
async def get_file(request: Request, identificativo_sdi: IdentificativoSdI) -> FileView:
    return _file_view(_file(_sandbox(request), identificativo_sdi))


@router.get(
    "/files/{identificativo_sdi}/notifications/{file_name}",
    summary="A notification file as sent (signed XML)",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
async def get_notification(
    request: Request, identificativo_sdi: IdentificativoSdI, file_name: str
) -> Response:
    file = _file(_sandbox(request), identificativo_sdi)
    sent = next((n for n in file.notifications if n.file_name == file_name), None)
    if sent is None:
        raise NotFound(f"file {identificativo_sdi} has no notification {file_name}")
    return Response(sent.content, media_type="application/xml")


@router.post(
    "/files/{identificativo_sdi}/outcome",
    summary="Make the simulated PA accept (EC01) or refuse (EC02) a delivered invoice: NE follows",
    status_code=202,
)
async def set_outcome(
    request: Request, identificativo_sdi: IdentificativoSdI, body: OutcomeRequest
) -> FileView:
    sandbox = _sandbox(request)
    try:
        file = await sandbox.set_outcome(identificativo_sdi, body.esito, body.descrizione)
    except OutcomeRefused as exc:
        raise Conflict(str(exc)) from None
    if file is None:
        raise _unknown(identificativo_sdi)
    return _file_view(file)


@router.post(
    "/deliveries",
    summary="Deliver a supplier invoice (given or generated) to the recipient's RicezioneFatture",
    status_code=202,
    responses={409: {"description": "no invoices_url configured"}, 503: {"description": "not running"}},
)
async def deliver(request: Request, body: DeliveryRequest) -> DeliveryView:
    sandbox = _sandbox(request)
    try:
        if body.generate is not None:
            return _delivery_view(await sandbox.deliver_generated(body.generate.spec()))
        given = body.file
        return _delivery_view(await sandbox.deliver(given.file_name, given.content(), given.facts()))
    except UnreadableInvoice as exc:
        raise InvalidInput(str(exc)) from None
    except NoRecipient as exc:
        raise Conflict(str(exc)) from None
    except NotRunning as exc:
        raise SandboxNotRunning(str(exc)) from None


@router.get("/deliveries", summary="Invoices delivered to the recipient, oldest first")
async def list_deliveries(request: Request) -> list[DeliveryView]:
    return [_delivery_view(delivery) for delivery in _sandbox(request).deliveries()]


@router.get("/deliveries/{identificativo_sdi}", summary="One delivered invoice")
async def get_delivery(request: Request, identificativo_sdi: IdentificativoSdI) -> DeliveryView:
    return _delivery_view(_delivery(_sandbox(request), identificativo_sdi))


@router.get(
    "/deliveries/{identificativo_sdi}/files/{file_name}",
    summary="A file of a delivery: the invoice, its metadata, an EC received, or an SE/NE/DT sent",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def get_delivery_file(
    request: Request, identificativo_sdi: IdentificativoSdI, file_name: str
) -> Response:
    delivery = _delivery(_sandbox(request), identificativo_sdi)
    content = _files_of(delivery).get(file_name)
    if content is None:
        raise NotFound(f"delivery {identificativo_sdi} has no file {file_name}")
    return Response(content, media_type="application/octet-stream")


@router.get("/unreachable", summary="Recipient codes whose delivery fails")
async def get_unreachable(request: Request) -> UnreachableView:
    return UnreachableView(codes=sorted(_sandbox(request).unreachable))


@router.put("/unreachable", summary="Replace the recipient codes whose delivery fails (MC)")
async def set_unreachable(request: Request, body: UnreachableView) -> UnreachableView:
    sandbox = _sandbox(request)
    sandbox.unreachable = frozenset(body.codes)
    return UnreachableView(codes=sorted(sandbox.unreachable))


@router.get("/clock", summary="The sandbox's virtual time")
async def get_clock(request: Request) -> ClockView:
    return _clock_view(_sandbox(request))


@router.post("/clock/advance", summary="Move the virtual time forward and send what fell due (DT, AT)")
async def advance_clock(request: Request, body: AdvanceRequest) -> AdvanceView:
    sandbox = _sandbox(request)
    fired = await sandbox.advance(timedelta(days=body.days, hours=body.hours))
    clock = _clock_view(sandbox)
    return AdvanceView(
        now=clock.now,
        offset_seconds=clock.offset_seconds,
        fired=[FiredView(identificativo_sdi=f.identificativo_sdi, type=f.type) for f in fired],
    )


@router.post(
    "/deliveries/flush",
    summary="Wait until every file is processed and every notification delivered",
    responses={504: {"description": "still pending after the timeout (problem+json)"}},
)
async def flush(
    request: Request, timeout: Annotated[float, Query(gt=0, le=300, description="seconds")] = 30
) -> FlushView:
    sandbox = _sandbox(request)
    if not await sandbox.flush(timeout):
        raise DeliveriesPending(
            f"{sandbox.pending()} still pending after {timeout:g} s; GET /control/files shows the last errors"
        )
    return FlushView(pending=0)


@router.post(
    "/reset",
    summary="Forget every file, data file and pending notification; clock and recipients as at start",
    status_code=204,
)
async def reset(request: Request) -> Response:
    await _sandbox(request).reset()
    datafiles.state_of(request.app).reset()  # and the SdITrasmissioneFile files (LIPE, Dati Fattura)
    return Response(status_code=204)


@router.get(
    "/certificate",
    summary="The sandbox's signing certificate (PEM), generated at startup",
    response_class=Response,
    responses={200: {"content": {"application/x-pem-file": {}}}},
)
async def certificate(request: Request) -> Response:
    pem = _sandbox(request).signer.certificate.public_bytes(Encoding.PEM)
    return Response(pem, media_type="application/x-pem-file")


def _file(sandbox: Sandbox, identificativo_sdi: int) -> ReceivedFile:
    file = sandbox.file(identificativo_sdi)
    if file is None:
        raise _unknown(identificativo_sdi)
    return file


def _unknown(identificativo_sdi: int) -> NotFound:
    return NotFound(f"no file with IdentificativoSdI {identificativo_sdi}")


def _delivery(sandbox: Sandbox, identificativo_sdi: int) -> InvoiceDelivery:
    delivery = sandbox.delivery(identificativo_sdi)
    if delivery is None:
        raise NotFound(f"no delivery with IdentificativoSdI {identificativo_sdi}")
    return delivery


def _files_of(delivery: InvoiceDelivery) -> dict[str, bytes]:
    files = {delivery.file_name: delivery.content, delivery.metadata_file_name: delivery.metadata}
    files |= {outcome.file_name: outcome.content for outcome in delivery.outcomes}
    return files | {sent.file_name: sent.content for sent in (*delivery.to_recipient, *delivery.to_supplier)}


def _clock_view(sandbox: Sandbox) -> ClockView:
    return ClockView(now=sandbox.clock.now(), offset_seconds=sandbox.clock.offset.total_seconds())


def _file_view(file: ReceivedFile) -> FileView:
    deadline = file.deadline
    return FileView(
        identificativo_sdi=file.identificativo_sdi,
        file_name=file.file_name,
        received_at=file.received_at,
        status=file.status,
        flow=file.flow.name,
        format=file.format,
        codice_destinatario=file.codice_destinatario,
        hash=file.hash,
        errors=[ErrorView(**issue.as_dict()) for issue in file.errors],
        deadline=DeadlineView(type=deadline.type, at=deadline.at) if deadline else None,
        notifications=[_notification_view(n) for n in file.notifications],
    )


def _notification_view(sent: SentNotification) -> NotificationView:
    return NotificationView(
        type=sent.type,
        file_name=sent.file_name,
        message_id=sent.message_id,
        created_at=sent.created_at,
        delivered_at=sent.delivered_at,
        attempts=sent.attempts,
        last_error=sent.last_error,
    )


def _delivery_view(delivery: InvoiceDelivery) -> DeliveryView:
    return DeliveryView(
        identificativo_sdi=delivery.identificativo_sdi,
        file_name=delivery.file_name,
        metadata_file_name=delivery.metadata_file_name,
        format=delivery.format,
        codice_destinatario=delivery.codice_destinatario,
        hash=delivery.hash,
        created_at=delivery.created_at,
        status=delivery.status,
        attempts=delivery.attempts,
        delivered_at=delivery.delivered_at,
        last_error=delivery.last_error,
        outcome_deadline=delivery.outcome_deadline,
        outcomes=[_outcome_view(outcome) for outcome in delivery.outcomes],
        to_recipient=[_notification_view(n) for n in delivery.to_recipient],
        to_supplier=[_notification_view(n) for n in delivery.to_supplier],
    )


def _outcome_view(outcome: ReceivedOutcome) -> ReceivedOutcomeView:
    return ReceivedOutcomeView(
        file_name=outcome.file_name,
        received_at=outcome.received_at,
        esito=outcome.esito,
        answer=outcome.answer,
        scarto=outcome.scarto,
        reason=outcome.reason,
    )
