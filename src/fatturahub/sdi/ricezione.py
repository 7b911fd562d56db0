"""RicezioneFatture: the web service SDI calls to deliver the invoices addressed to our companies.

The contract (RicezioneFatture_v1.0.wsdl) has two operations:
- RiceviFatture (body `fileSdIConMetadati`: the invoice file and its metadata file), answered
  with `rispostaRiceviFatture` Esito ER01 ("presa in carico") — only after the app's
  `InvoiceSink` has stored it, so ER01 always means "kept". A repeat is answered ER01 again.
- NotificaDecorrenzaTermini (body `fileSdI`), one-way: HTTP 202 with an empty body, as for the
  one-way operations of TrasmissioneFatture.

ER01 is the only answer the contract allows: a file is never refused here for what it contains
(SDI has already accepted it); reading problems are the sink's to record. Anything that breaks
the contract gets a SOAP `Client` fault; a delivery we could not record gets a `Server` fault,
so SDI delivers it again. Mutual TLS and checking that the caller is SDI happen at the reverse
proxy (see docs/sdicoop.md).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Protocol

from fastapi import APIRouter, Request, Response

from fatturahub.fatturapa.schemas import SPECS
from fatturahub.sdi import endpoint, soap

WSDL_PATH = SPECS / "sdicoop" / "RicezioneFatture_v1.0.wsdl"
TYPES_XSD_PATH = SPECS / "sdicoop" / "RicezioneTypes_v1.0.xsd"
RICEVI_FATTURE = "RiceviFatture"
DECORRENZA_TERMINI = "NotificaDecorrenzaTermini"
OPERATION_BY_ELEMENT = {
    "fileSdIConMetadati": RICEVI_FATTURE,
    "fileSdI": DECORRENZA_TERMINI,  # the element the WSDL names
    "notificaDecorrenzaTermini": DECORRENZA_TERMINI,  # same type, declared by the XSD
}
SOAP_ACTIONS = {
    RICEVI_FATTURE: "http://www.fatturapa.it/RicezioneFatture/RiceviFattureSdI",
    DECORRENZA_TERMINI: "http://www.fatturapa.it/RicezioneFatture/NotificaDecorrenzaTermini",
}
TAKEN_IN_CHARGE = "ER01"

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/sdi", tags=["sdi"], include_in_schema=False)  # described by its WSDL


class InvoiceSink(Protocol):
    """Records a delivery (or a DT) and commits; raising makes us answer a Server fault."""

    async def __call__(
        self,
        *,
        operation: str,
        identificativo_sdi: str,
        file_name: str,
        content: bytes,
        metadata_file_name: str | None = None,
        metadata: bytes | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class Delivery:
    operation: str  # "RiceviFatture" | "NotificaDecorrenzaTermini"
    identificativo_sdi: str  # canonical decimal form
    file_name: str
    content: bytes  # verbatim
    metadata_file_name: str | None = None
    metadata: bytes | None = None


@router.get("/RicezioneFatture")
async def wsdl(request: Request) -> Response:
    return endpoint.wsdl(request, WSDL_PATH)


@router.get(f"/{TYPES_XSD_PATH.name}")
async def types_xsd() -> Response:
    """The types schema the WSDL imports by a relative schemaLocation."""
    return endpoint.xml_file(TYPES_XSD_PATH)


@router.post("/RicezioneFatture")
async def receive(request: Request) -> Response:
    try:
        delivery = await _delivery(request)
    except soap.SoapError as exc:
        logger.warning("refused an SDI delivery: %s", exc)
        return endpoint.fault(str(exc), client=True)
    sink: InvoiceSink | None = getattr(request.app.state, "invoice_sink", None)
    if sink is None:
        logger.error("no invoice sink configured: SDI deliveries cannot be recorded")
        return endpoint.fault("invoices cannot be received at the moment", client=False)
    try:
        await sink(**asdict(delivery))
    except Exception:  # whatever went wrong, SDI must hear "not taken" and deliver it again
        logger.exception("could not record SDI delivery %s", delivery.file_name)
        return endpoint.fault("the file could not be recorded; please deliver it again", client=False)
    if delivery.operation == DECORRENZA_TERMINI:
        return Response(status_code=202)
    answer = soap.body_element(soap.RICEZIONE_TYPES, "rispostaRiceviFatture", [("Esito", TAKEN_IN_CHARGE)])
    return Response(soap.envelope(answer), media_type=soap.SOAP_CONTENT_TYPE)


async def _delivery(request: Request) -> Delivery:
    data = await endpoint.bounded_body(request)
    message = soap.parse(data, request.headers.get("content-type"), validate=False)
    operation = _operation(message)
    endpoint.check_soap_action(request, SOAP_ACTIONS[operation], operation)
    soap.validate_body(message.body)
    metadata = operation == RICEVI_FATTURE
    return Delivery(
        operation=operation,
        identificativo_sdi=soap.identificativo_sdi(message),
        file_name=message.text("NomeFile") or "",
        content=message.binary("File"),
        metadata_file_name=(message.text("NomeFileMetadati") or "") if metadata else None,
        metadata=message.binary("Metadati") if metadata else None,
    )


def _operation(message: soap.Message) -> str:
    operation = OPERATION_BY_ELEMENT.get(message.name) if message.namespace == soap.RICEZIONE_TYPES else None
    if operation is None:
        raise soap.SoapError(
            f"{message.body.tag} is not an operation of RicezioneFatture: expected one of "
            f"{', '.join(OPERATION_BY_ELEMENT)} in {soap.RICEZIONE_TYPES}"
        )
    return operation
