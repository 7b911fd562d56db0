"""The control API: look at what the sandbox received and sent, play the recipient, move time.

JSON in and out; errors are RFC 9457 problem+json like the rest of FatturaHub.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from fatturahub.errors import Conflict, NotFound, ServiceError
from fatturahub.fatturapa.naming import NotificationType
from fatturahub.sdi.messages import EsitoCommittenteType
from fatturahub.sdi.sandbox.engine import OutcomeRefused, Sandbox
from fatturahub.sdi.sandbox.state import FileStatus, ReceivedFile, SentNotification

CodiceDestinatario = Annotated[str, Field(pattern=r"^[A-Z0-9]{6,7}$", examples=["ABC1234"])]
IdentificativoSdI = Annotated[int, Path(ge=1, le=10**12 - 1)]

router = APIRouter(prefix="/control", tags=["control"])


class DeliveriesPending(ServiceError):
    type, status, title = "deliveries-pending", 504, "Deliveries still pending"


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
    summary="Forget every file and pending notification; clock and recipients as at start",
    status_code=204,
)
async def reset(request: Request) -> Response:
    await _sandbox(request).reset()
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
