"""HTTP plumbing shared by the SDI-facing SOAP endpoints (TrasmissioneFatture, RicezioneFatture):
the bounded request body, the SOAPAction check, the official WSDL and its types, faults."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request, Response

from fatturahub.sdi import soap

XML_MEDIA_TYPE = "text/xml"


async def bounded_body(request: Request) -> bytes:
    """The request body, refused as soon as it is known to exceed the SOAP message limit."""
    too_large = soap.SoapError(f"message larger than {soap.MAX_MESSAGE_BYTES:,} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > soap.MAX_MESSAGE_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > soap.MAX_MESSAGE_BYTES:
            raise too_large
    return bytes(body)


def check_soap_action(request: Request, expected: str, operation: str) -> None:
    """SOAPAction is optional for us, but when sent it must name the same operation as the body."""
    action = (request.headers.get("soapaction") or "").strip().strip('"')
    if action and action != expected:
        raise soap.SoapError(f"SOAPAction {action!r} does not match the body, which is {operation}")


def wsdl(request: Request, path: Path) -> Response:
    """The official WSDL, as is (its soap:address names SDI's host: clients override it)."""
    if "wsdl" not in {key.lower() for key in request.query_params}:
        hint = "append ?wsdl for the service description\n"
        return Response(hint, status_code=404, media_type="text/plain")
    return Response(path.read_bytes(), media_type=XML_MEDIA_TYPE)


def xml_file(path: Path) -> Response:
    return Response(path.read_bytes(), media_type=XML_MEDIA_TYPE)


def fault(message: str, *, client: bool) -> Response:
    """SOAP 1.1 over HTTP: a fault travels with status 500, whoever is at fault."""
    return Response(soap.fault(message, client=client), status_code=500, media_type=soap.SOAP_CONTENT_TYPE)
