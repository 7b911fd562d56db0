"""SdIRiceviNotifica as SDI exposes it (SOAP 1.1, WSDL v1.0): a PA recipient sends its outcome
(EC) on a delivered invoice and gets SDI's answer at once: ES01 taken, ES00 with the
ScartoEsitoCommittente file, ES02 service unavailable."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request, Response
from lxml import etree

from fatturahub.fatturapa.schemas import SPECS
from fatturahub.sdi import soap
from fatturahub.sdi.sandbox.engine import NotRunning, OutcomeVerdict, Sandbox
from fatturahub.sdi.sandbox.ricevifile import addressed_wsdl

WSDL = SPECS / "sdicoop" / "SdIRiceviNotifica_v1.0.wsdl"
TYPES_XSD = SPECS / "sdicoop" / "RicezioneTypes_v1.0.xsd"
REQUEST_ELEMENT = "fileSdI"
SERVICE_UNAVAILABLE = OutcomeVerdict("ES02")

router = APIRouter(tags=["SdIRiceviNotifica (SOAP)"])


@router.post(
    "/SdIRiceviNotifica",
    summary="NotificaEsito: a PA recipient's outcome (EC) on a delivered invoice (SOAP 1.1, plain or MTOM)",
    response_class=Response,
    responses={200: {"content": {"text/xml": {}}}, 500: {"description": "SOAP fault"}},
)
async def notifica_esito(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    try:
        message = soap.parse(await request.body(), request.headers.get("content-type"))
        if (message.namespace, message.name) != (soap.RICEZIONE_TYPES, REQUEST_ELEMENT):
            raise soap.SoapError(f"expected {REQUEST_ELEMENT}, got {message.body.tag}")
        identificativo = int(soap.identificativo_sdi(message))
        file_name, content = message.text("NomeFile") or "", message.binary("File")
    except soap.SoapError as exc:
        return _fault(str(exc), client=exc.client_fault)
    try:
        verdict = await sandbox.take_outcome(identificativo, file_name, content)
    except NotRunning:
        verdict = SERVICE_UNAVAILABLE
    return _answer(verdict)


@router.get("/SdIRiceviNotifica", summary="The service's WSDL (?wsdl), addressed to this sandbox")
async def wsdl(request: Request) -> Response:
    return addressed_wsdl(WSDL, request)


@router.get("/RicezioneTypes_v1.0.xsd", summary="The types the WSDL imports")
async def types_xsd() -> Response:
    return Response(TYPES_XSD.read_bytes(), media_type="text/xml")


def _answer(verdict: OutcomeVerdict) -> Response:
    body = soap.body_element(soap.RICEZIONE_TYPES, "rispostaSdINotificaEsito", [("Esito", verdict.esito)])
    if verdict.scarto is not None:
        scarto = etree.SubElement(body, "ScartoEsito")
        etree.SubElement(scarto, "NomeFile").text = verdict.scarto_file_name
        etree.SubElement(scarto, "File").text = base64.b64encode(verdict.scarto).decode("ascii")
    return Response(soap.envelope(body), media_type=soap.SOAP_CONTENT_TYPE)


def _fault(message: str, *, client: bool) -> Response:
    # SOAP 1.1 over HTTP: a fault travels with status 500, whoever is at fault
    return Response(soap.fault(message, client=client), status_code=500, media_type=soap.SOAP_CONTENT_TYPE)
