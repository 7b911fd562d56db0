"""TrasmissioneFatture: the web service SDI calls to deliver notifications about the invoices we sent.

The contract (TrasmissioneFatture_v1.1.wsdl) has six one-way operations, each with its own body
element. A valid notification goes to the app's `NotificationSink` and is answered with HTTP 202
and an empty body: WS-I Basic Profile 1.1 (R2714) forbids a SOAP envelope in the answer to a
one-way operation, and 202 is what SOAP stacks (SDI's included) expect when there is nothing to say.

Anything else gets a SOAP 1.1 fault with HTTP 500 (SOAP 1.1 §6.2, BP 1.1 R1126): `Client` when the
request breaks the contract (malformed, wrong element or namespace, XSD-invalid, too large),
`Server` when we could not record a valid notification; SDI treats the non-2xx answer as a failed
delivery and retries later. Mutual TLS and the check that the caller is SDI happen at the reverse
proxy in front of us (see docs/sdicoop.md).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Protocol

from fastapi import APIRouter, Request, Response

from fatturahub.fatturapa.schemas import SPECS
from fatturahub.sdi import endpoint, soap

WSDL_PATH = SPECS / "sdicoop" / "TrasmissioneFatture_v1.1.wsdl"
TYPES_XSD_PATH = SPECS / "sdicoop" / "TrasmissioneTypes_v1.1.xsd"
SOAP_ACTION_PREFIX = "http://www.fatturapa.it/TrasmissioneFatture/"
OPERATION_BY_ELEMENT = {
    "ricevutaConsegna": "RicevutaConsegna",
    "notificaMancataConsegna": "NotificaMancataConsegna",
    "notificaScarto": "NotificaScarto",
    "notificaEsito": "NotificaEsito",
    "notificaDecorrenzaTermini": "NotificaDecorrenzaTermini",
    "attestazioneTrasmissioneFattura": "AttestazioneTrasmissioneFattura",
}

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/sdi", tags=["sdi"], include_in_schema=False)  # described by its WSDL


class NotificationSink(Protocol):
    """Records a notification; raising makes us answer a Server fault, so SDI delivers it again."""

    async def __call__(
        self, *, operation: str, identificativo_sdi: str, file_name: str, content: bytes
    ) -> None: ...


@dataclass(frozen=True)
class Notification:
    operation: str  # the WSDL operation name, e.g. "RicevutaConsegna"
    identificativo_sdi: str  # canonical decimal form
    file_name: str
    content: bytes  # the notification file, verbatim


@router.get("/TrasmissioneFatture")
async def wsdl(request: Request) -> Response:
    return endpoint.wsdl(request, WSDL_PATH)


@router.get(f"/{TYPES_XSD_PATH.name}")
async def types_xsd() -> Response:
    """The types schema the WSDL imports by a relative schemaLocation."""
    return endpoint.xml_file(TYPES_XSD_PATH)


@router.post("/TrasmissioneFatture")
async def receive(request: Request) -> Response:
    try:
        notification = await _notification(request)
    except soap.SoapError as exc:
        logger.warning("refused an SDI notification: %s", exc)
        return endpoint.fault(str(exc), client=True)
    sink: NotificationSink | None = getattr(request.app.state, "notification_sink", None)
    if sink is None:
        logger.error("no notification sink configured: SDI notifications cannot be recorded")
        return endpoint.fault("notifications cannot be received at the moment", client=False)
    try:
        await sink(**asdict(notification))
    except Exception:  # whatever went wrong, SDI must hear "not taken" and deliver it again
        logger.exception("could not record SDI notification %s", notification.file_name)
        return endpoint.fault("the notification could not be recorded; please deliver it again", client=False)
    return Response(status_code=202)


async def _notification(request: Request) -> Notification:
    data = await endpoint.bounded_body(request)
    message = soap.parse(data, request.headers.get("content-type"), validate=False)
    operation = _operation(message)
    endpoint.check_soap_action(request, SOAP_ACTION_PREFIX + operation, operation)
    soap.validate_body(message.body)
    return Notification(
        operation=operation,
        identificativo_sdi=soap.identificativo_sdi(message),
        file_name=message.text("NomeFile") or "",
        content=message.binary("File"),
    )


def _operation(message: soap.Message) -> str:
    operation = (
        OPERATION_BY_ELEMENT.get(message.name) if message.namespace == soap.TRASMISSIONE_TYPES else None
    )
    if operation is None:
        raise soap.SoapError(
            f"{message.body.tag} is not an operation of TrasmissioneFatture: expected one of "
            f"{', '.join(OPERATION_BY_ELEMENT)} in {soap.TRASMISSIONE_TYPES}"
        )
    return operation
