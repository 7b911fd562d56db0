"""SOAP 1.1 as SDICoop speaks it: document/literal, one namespaced body element with unqualified
children, binary content inline (base64) or as MTOM/XOP attachments (multipart/related).

Shared by both sides of every SDICoop exchange: our client of SdIRiceviFile, our
TrasmissioneFatture endpoint, and the sandbox that plays SDI.
"""

from __future__ import annotations

import base64
import email.message
import email.parser
import email.policy
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from fatturahub.fatturapa import schemas
from fatturahub.fatturapa.issues import FatturaPAError
from fatturahub.fatturapa.xmlsafe import parse_xml

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XOP_INCLUDE = "{http://www.w3.org/2004/08/xop/include}Include"
TRASMISSIONE_TYPES = "http://www.fatturapa.gov.it/sdi/ws/trasmissione/v1.0/types"
RICEZIONE_TYPES = "http://www.fatturapa.gov.it/sdi/ws/ricezione/v1.0/types"
XSD_BY_NAMESPACE = {
    TRASMISSIONE_TYPES: "sdicoop/TrasmissioneTypes_v1.1.xsd",
    RICEZIONE_TYPES: "sdicoop/RicezioneTypes_v1.0.xsd",
}
MAX_MESSAGE_BYTES = 8 * 1024 * 1024  # a 5 MB file, base64-encoded, in its envelope
SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"


class SoapError(Exception):
    """A request or response that is not the SOAP message the contract expects."""

    def __init__(self, message: str, *, client_fault: bool = True) -> None:
        super().__init__(message)
        self.client_fault = client_fault


@dataclass(frozen=True)
class Message:
    """The body element of an envelope: its qualified name and its element."""

    body: etree._Element

    @property
    def name(self) -> str:
        return etree.QName(self.body).localname

    @property
    def namespace(self) -> str | None:
        return etree.QName(self.body).namespace

    def text(self, child: str) -> str | None:
        return self.body.findtext(child)

    def binary(self, child: str) -> bytes:
        """A base64Binary child: inline base64, or the MTOM part already put back inline."""
        text = self.body.findtext(child) or ""
        try:
            return base64.b64decode("".join(text.split()), validate=True)
        except ValueError:
            raise SoapError(f"{child} is not valid base64") from None


def envelope(body: etree._Element) -> bytes:
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    etree.SubElement(root, f"{{{SOAP_ENV}}}Body").append(body)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def body_element(namespace: str, name: str, children: list[tuple[str, str | bytes]]) -> etree._Element:
    """`<ns:name><Child>text</Child>...</ns:name>`; bytes become base64 (inline, not MTOM)."""
    element = etree.Element(f"{{{namespace}}}{name}", nsmap={"types": namespace})
    for child, value in children:
        text = base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
        etree.SubElement(element, child).text = text
    return element


def fault(message: str, *, client: bool = True) -> bytes:
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    fault_element = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault_element, "faultcode").text = "soapenv:Client" if client else "soapenv:Server"
    etree.SubElement(fault_element, "faultstring").text = message
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def parse(data: bytes, content_type: str | None, *, validate: bool = True) -> Message:
    """The body element of a SOAP 1.1 message, plain or MTOM, checked against its XSD."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise SoapError(f"message larger than {MAX_MESSAGE_BYTES:,} bytes")
    root = _mtom_envelope(data, content_type) if _is_multipart(content_type) else _xml(data)
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapError("not a SOAP 1.1 envelope")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    children = [c for c in body if isinstance(c.tag, str)] if body is not None else []
    if len(children) != 1:
        raise SoapError("the SOAP body must hold exactly one element")
    fault_element = children[0] if children[0].tag == f"{{{SOAP_ENV}}}Fault" else None
    if fault_element is not None:
        raise SoapError(f"SOAP fault: {fault_element.findtext('faultstring')}", client_fault=False)
    message = Message(children[0])
    if validate:
        validate_body(message.body)
    return message


def validate_body(body: etree._Element) -> None:
    """Check a body element against the official types XSD of its namespace."""
    xsd_path = XSD_BY_NAMESPACE.get(etree.QName(body).namespace or "")
    if xsd_path is None:
        raise SoapError(f"unexpected body element {body.tag}")
    issues = schemas.validate(etree.ElementTree(_detached(body)), schemas.schema(xsd_path))
    if issues:
        raise SoapError("; ".join(f"{i.path}: {i.message}" for i in issues))


def identificativo_sdi(message: Message) -> str:
    """The IdentificativoSdI child in canonical form ("00123" and "+123" are both "123")."""
    text = (message.text("IdentificativoSdI") or "").strip()
    try:
        value = int(text)
    except ValueError:
        raise SoapError(f"IdentificativoSdI {text!r} is not an integer") from None
    if not 0 <= value < 10**12:
        raise SoapError(f"IdentificativoSdI {text!r} is not a 12-digit non-negative integer")
    return str(value)


def _xml(data: bytes) -> etree._Element:
    try:
        return parse_xml(data, max_bytes=MAX_MESSAGE_BYTES).getroot()
    except FatturaPAError as exc:
        raise SoapError(str(exc)) from None


def _detached(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element))


def _is_multipart(content_type: str | None) -> bool:
    return bool(content_type) and content_type.lower().startswith("multipart/related")


def _mtom_envelope(data: bytes, content_type: str) -> etree._Element:
    """The root part of an MTOM message with every xop:Include replaced by its part, in base64."""
    parts = _mime_parts(data, content_type)
    payload = parts[0].get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise SoapError("the MTOM root part holds no XML")
    root = _xml(payload)
    by_id = {unquote((p.get("Content-ID") or "").strip().strip("<>")): p for p in parts[1:]}
    for include in list(root.iter(XOP_INCLUDE)):
        _inline(include, by_id)
    return root


def _mime_parts(data: bytes, content_type: str) -> list[email.message.EmailMessage]:
    """The parts of a multipart/related message, the root part (its `start`, or the first) first."""
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    header = b"Content-Type: " + content_type.encode("latin-1", errors="replace")
    message = parser.parsebytes(header + b"\r\n\r\n" + data)
    parts = list(message.iter_parts()) if message.is_multipart() else []
    if not parts:
        raise SoapError("multipart/related message without parts")
    start = message.get_param("start")
    root = next((p for p in parts if start and p.get("Content-ID") == start), parts[0])
    return [root, *(p for p in parts if p is not root)]


def _inline(include: etree._Element, parts_by_id: dict[str, email.message.EmailMessage]) -> None:
    href = include.get("href") or ""
    part = parts_by_id.get(unquote(href.removeprefix("cid:"))) if href.startswith("cid:") else None
    payload = part.get_payload(decode=True) if part is not None else None
    if not isinstance(payload, bytes):
        raise SoapError(f"MTOM part {href!r} is missing")
    parent = include.getparent()
    parent.remove(include)
    parent.text = base64.b64encode(payload).decode("ascii")
