"""The ASGI endpoint at /soap/v1: Spyne parses and writes the XML, our coroutines do the work.

See the package docstring for why there is no WSGI bridge and no thread.
"""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree
from spyne import Fault, MethodContext
from spyne.interface.wsdl import Wsdl11
from spyne.server import ServerBase
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from fatturahub.api.deps import authenticate
from fatturahub.api.soap import auth, faults
from fatturahub.api.soap.calls import Call
from fatturahub.api.soap.service import application
from fatturahub.errors import InvalidInput, ServiceError, Unauthorized
from fatturahub.tenancy.principal import Principal

# A 5 MB invoice (SDI's limit) is ~6.7 MB in base64; the envelope's own markup fits in the rest.
MAX_ENVELOPE = 8 * 1024 * 1024
SOAP_XML = "text/xml; charset=utf-8"
XSD = "http://www.w3.org/2001/XMLSchema"
log = logging.getLogger("fatturahub.api.soap")


class _SpyneCore(ServerBase):
    """Spyne's protocol machinery without any transport of its own."""

    transport = "http://schemas.xmlsoap.org/soap/http"


def wsdl_document(address: str) -> bytes:
    """The WSDL, its service at `address`, indented so that its committed copy reads well."""
    interface = Wsdl11(_SpyneCore(application()).app.interface)
    interface.build_interface_document(address)
    tree = etree.fromstring(interface.get_interface_document())
    for schema in tree.iter(f"{{{XSD}}}schema"):
        schema[:] = sorted(schema, key=_schema_order)  # Spyne's order changes with the hash seed
    etree.indent(tree)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8") + b"\n"


def _schema_order(node: etree._Element) -> tuple[int, str]:
    kinds = [f"{{{XSD}}}{kind}" for kind in ("import", "simpleType", "complexType", "element")]
    return kinds.index(node.tag) if node.tag in kinds else len(kinds), node.get("name", "")


class SoapEndpoint:
    """An ASGI app: GET ?wsdl serves the contract, POST runs one operation."""

    def __init__(self, address: str) -> None:
        self.core = _SpyneCore(application())
        self.wsdl = wsdl_document(address)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method == "GET":
            response = self._wsdl(request)
        else:
            response = await self._post(request)
        await response(scope, receive, send)

    def _wsdl(self, request: Request) -> Response:
        if "wsdl" not in {name.lower() for name in request.query_params}:
            return self._fault(faults.bad_request("POST a SOAP 1.1 envelope, or GET ?wsdl"))
        return Response(self.wsdl, media_type=SOAP_XML)

    async def _post(self, request: Request) -> Response:
        ctx = None
        try:
            ctx = self._parsed(await _bounded_body(request))
            if ctx.in_error is not None:
                return self._fault(faults.bad_request(_text(ctx.in_error.faultstring)), ctx)
            ctx.out_object = (await self._run(ctx, request),)
        except ServiceError as error:
            return self._fault(faults.service_fault(error), ctx)
        except Exception:
            log.exception("unhandled error in a SOAP call")
            return self._fault(faults.internal_error(), ctx)
        return self._response(ctx, 200)

    def _parsed(self, body: bytes) -> MethodContext:
        """Spyne reads the envelope, finds the operation and checks the body against the schema."""
        ctx = MethodContext(self.core, MethodContext.SERVER)
        ctx.in_string = [body]
        ctx = self.core.generate_contexts(ctx)[0]
        if ctx.in_error is None:
            self.core.get_in_object(ctx)
        return ctx

    async def _run(self, ctx: MethodContext, request: Request) -> Any:
        """The operation in one transaction, committed before the answer is written."""
        state = request.app.state
        principal = await _principal(state, auth.credential(ctx.in_header_doc, _authorization(request)))
        async with state.sessions() as session:
            ctx.udc = Call(session, state.sessions, principal, state.settings, _language(request))
            self.core.get_out_object(ctx)  # runs the declaration, which hands back the coroutine
            (pending,) = ctx.out_object
            try:
                result = await pending
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        return result

    def _fault(self, fault: Fault, ctx: MethodContext | None = None) -> Response:
        ctx = ctx or MethodContext(self.core, MethodContext.SERVER)
        ctx.out_error = fault
        return self._response(ctx, 500)  # SOAP 1.1 over HTTP: a fault travels with 500

    def _response(self, ctx: MethodContext, status: int) -> Response:
        ctx.out_protocol.serialize(ctx, message=ctx.out_protocol.RESPONSE)
        ctx.out_protocol.create_out_string(ctx)
        return Response(b"".join(ctx.out_string), status_code=status, media_type=SOAP_XML)


async def _principal(state: Any, token: str) -> Principal:
    """As REST does it; in a transaction of its own, so the key's last-use write is committed
    before the operation's (and never holds SQLite's write lock through it)."""
    async with state.sessions() as session:
        principal = await authenticate(session, state.settings, token)
        await session.commit()
    if principal is None:
        raise Unauthorized("the API key is invalid, expired or revoked")
    return principal


async def _bounded_body(request: Request) -> bytes:
    """The envelope, refused past MAX_ENVELOPE before it is all in memory (as REST's upload)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_ENVELOPE:
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_ENVELOPE:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> InvalidInput:
    return InvalidInput(
        "envelope too large",
        errors=[{"path": "", "code": "00003", "message": f"more than {MAX_ENVELOPE} bytes"}],
    )


def _text(message: str | bytes) -> str:
    # Spyne's schema validation errors carry their message as bytes
    return message.decode(errors="replace") if isinstance(message, bytes) else message


def _authorization(request: Request) -> str:
    return request.headers.get("authorization", "")


def _language(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "it").lower().startswith("en") else "it"
