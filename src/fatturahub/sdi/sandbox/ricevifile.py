"""SdIRiceviFile as SDI exposes it (SOAP 1.1, WSDL v1.0): the sender uploads a file and gets its
IdentificativoSdI and DataOraRicezione back at once; the outcome follows as notifications."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Request, Response
from lxml import etree

from fatturahub.fatturapa.schemas import SPECS
from fatturahub.sdi import soap
from fatturahub.sdi.sandbox.engine import NotRunning, Sandbox

WSDL = SPECS / "sdicoop" / "SdIRiceviFile_v1.0.wsdl"
TYPES_XSD = SPECS / "sdicoop" / "TrasmissioneTypes_v1.0.xsd"
SOAP_ADDRESS = "{http://schemas.xmlsoap.org/wsdl/soap/}address"
REQUEST_ELEMENT = "fileSdIAccoglienza"
EMPTY_FILE = "EI01"
SERVICE_UNAVAILABLE = "EI02"
NO_IDENTIFICATIVO = "0"  # refused uploads get no IdentificativoSdI; the schema still wants one

router = APIRouter(tags=["SdIRiceviFile (SOAP)"])


@router.post(
    "/SdIRiceviFile",
    summary="RiceviFile: upload an invoice file (SOAP 1.1, plain or MTOM)",
    response_class=Response,
    responses={200: {"content": {"text/xml": {}}}, 500: {"description": "SOAP fault"}},
)
async def ricevi_file(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    try:
        message = soap.parse(await request.body(), request.headers.get("content-type"))
    except soap.SoapError as exc:
        return _fault(str(exc), client=exc.client_fault)
    if message.name != REQUEST_ELEMENT:
        return _fault(f"expected {REQUEST_ELEMENT}, got {message.name}", client=True)
    content = message.binary("File")
    if not content:
        return _answer(NO_IDENTIFICATIVO, sandbox.clock.now(), EMPTY_FILE)
    try:
        file = sandbox.receive(message.text("NomeFile") or "", content)
    except NotRunning:
        return _answer(NO_IDENTIFICATIVO, sandbox.clock.now(), SERVICE_UNAVAILABLE)
    return _answer(str(file.identificativo_sdi), file.received_at)


@router.get("/SdIRiceviFile", summary="The service's WSDL (?wsdl), addressed to this sandbox")
async def wsdl(request: Request) -> Response:
    return addressed_wsdl(WSDL, request)


def addressed_wsdl(wsdl_path: Path, request: Request) -> Response:
    """An official WSDL with its service address pointing at this request's URL (the sandbox)."""
    tree = etree.parse(str(wsdl_path))
    for address in tree.iter(SOAP_ADDRESS):
        address.set("location", str(request.url.replace(query="")))
    body = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    return Response(body, media_type="text/xml")


@router.get("/TrasmissioneTypes_v1.0.xsd", summary="The types the WSDL imports")
async def types_xsd() -> Response:
    return Response(TYPES_XSD.read_bytes(), media_type="text/xml")


def _answer(identificativo: str, received_at: datetime, error: str | None = None) -> Response:
    children = [("IdentificativoSdI", identificativo), ("DataOraRicezione", received_at.isoformat())]
    if error is not None:
        children.append(("Errore", error))
    body = soap.body_element(soap.TRASMISSIONE_TYPES, "rispostaSdIRiceviFile", children)
    return Response(soap.envelope(body), media_type=soap.SOAP_CONTENT_TYPE)


def _fault(message: str, *, client: bool) -> Response:
    # SOAP 1.1 over HTTP: a fault travels with status 500, whoever is at fault
    return Response(soap.fault(message, client=client), status_code=500, media_type=soap.SOAP_CONTENT_TYPE)
