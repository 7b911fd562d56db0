"""The inbound normalizer: from whatever bytes arrive to the plain XML of one FatturaPA document.

Envelopes (CAdES .p7m as DER or BER, base64 with or without line breaks or PEM armour, nested
in any order) are opened in every mode. Repairs of the XML itself — undeclared windows-1252,
broken namespace declarations, namespace-qualified children, junk before the declaration — are
made only in lenient mode, for files SDI already accepted, and each one is reported.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from lxml import etree

from fatturahub.fatturapa import p7m
from fatturahub.fatturapa.issues import FILE_CORRUPT, UnreadableInput
from fatturahub.fatturapa.xmlsafe import check_size

MAX_ENVELOPES = 4
KNOWN_NAMESPACES = (
    "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2",
    "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0",
    "http://www.w3.org/2000/09/xmldsig#",
    "http://www.w3.org/2001/XMLSchema-instance",
)
DSIG = "http://www.w3.org/2000/09/xmldsig#"

_PEM_ARMOUR = re.compile(rb"-----(BEGIN|END)[^-]*-----")
_BASE64 = re.compile(rb"[A-Za-z0-9+/=\s]+")
_DECLARATION = re.compile(rb"<\?xml[^>]*?\?>")
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ROOT_START = re.compile(rb"<[^>]*>", re.S)
_XMLNS = re.compile(rb"""(xmlns(?::[\w.-]+)?)\s*=\s*(\\?["'])(.*?)\2""", re.S)
_UTF8_NAMES = {b"utf-8", b"utf8"}
_LATIN1_NAMES = {b"iso-8859-1", b"iso8859-1", b"latin1", b"latin-1", b"iso_8859-1"}


@dataclass
class Normalized:
    xml: bytes
    envelopes: list[str] = field(default_factory=list)  # outermost first: "base64", "cades"
    repairs: list[str] = field(default_factory=list)


def open_envelopes(data: bytes, *, max_bytes: int) -> Normalized:
    """Peel base64 and CAdES layers, in any order, until XML is left."""
    check_size(data, max_bytes)
    result = Normalized(data)
    while True:
        content = result.xml
        if p7m.looks_like_cms(content):
            result.xml = p7m.signed_content(p7m.load_signed_data(content))
            result.envelopes.append("cades")
        elif (decoded := base64_payload(content)) is not None:
            result.xml = decoded
            result.envelopes.append("base64")
        else:
            return result
        if len(result.envelopes) > MAX_ENVELOPES:
            raise UnreadableInput.single(FILE_CORRUPT, f"more than {MAX_ENVELOPES} nested envelopes")


def base64_payload(data: bytes) -> bytes | None:
    """The decoded bytes if `data` is base64 of a CMS envelope or of XML, else None."""
    if data.lstrip()[:1] in (b"<", b"\xef", b"\xff", b"\xfe"):
        return None  # XML (possibly behind a BOM): the common case, decided without a scan
    text = _PEM_ARMOUR.sub(b"", data).strip()
    if len(text) < 16 or not _BASE64.fullmatch(text):
        return None
    try:
        decoded = base64.b64decode(b"".join(text.split()), validate=True)
    except binascii.Error:
        return None
    if p7m.looks_like_cms(decoded) or decoded.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return decoded
    return decoded if _BASE64.fullmatch(decoded) else None  # base64 of base64


def repair_text(xml: bytes, repairs: list[str]) -> bytes:
    """Lenient byte-level repairs, each recorded in `repairs`."""
    xml = _strip_leading_junk(xml, repairs)
    xml = _fix_encoding(xml, repairs)
    return _fix_namespace_declarations(xml, repairs)


def _strip_leading_junk(xml: bytes, repairs: list[str]) -> bytes:
    bom = b"\xef\xbb\xbf" if xml.startswith(b"\xef\xbb\xbf") else b""
    body = xml[len(bom) :]
    start = body.find(b"<")
    if start > 0:
        repairs.append(f"removed {start} bytes before the start of the XML")
        return bom + body[start:]
    return xml


def _fix_encoding(xml: bytes, repairs: list[str]) -> bytes:
    """Undeclared windows-1252, or ISO-8859-1 that is really windows-1252, becomes UTF-8."""
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        return xml  # UTF-16 with a BOM: lxml reads it as it is
    declaration = _DECLARATION.match(xml.removeprefix(b"\xef\xbb\xbf"))
    declared = _DECLARED_ENCODING.search(declaration[0]) if declaration else None
    name = declared[1].lower() if declared else b"utf-8"
    if name in _UTF8_NAMES:
        try:
            xml.decode("utf-8")
            return xml
        except UnicodeDecodeError as exc:
            repairs.append(f"not valid UTF-8 (byte {exc.start}); read as windows-1252")
    elif name in _LATIN1_NAMES and re.search(rb"[\x80-\x9f]", xml):
        repairs.append("declared ISO-8859-1 but uses windows-1252 characters; read as windows-1252")
    else:
        return xml
    text = xml.removeprefix(b"\xef\xbb\xbf").decode("cp1252", errors="replace")
    if declaration:
        text = text[len(declaration[0]) :]
    return b'<?xml version="1.0" encoding="UTF-8"?>' + text.encode("utf-8")


def _fix_namespace_declarations(xml: bytes, repairs: list[str]) -> bytes:
    """Clean xmlns values SDI lets through: stray quotes or backslashes, spaces in the URI."""
    root = next((m for m in _ROOT_START.finditer(xml) if not m[0].startswith((b"<?", b"<!"))), None)
    if root is None:
        return xml

    def clean(match: re.Match[bytes]) -> bytes:
        raw = match[3]
        value = re.sub(rb"&quot;|&apos;|&#34;|&#39;|[\"'\\\s]", b"", raw)
        if match[2] == b'"' and raw == value:
            return match[0]
        if value.decode("ascii", "replace") not in KNOWN_NAMESPACES:
            return match[0]
        repairs.append(f"repaired namespace declaration {match[1].decode()}={raw.decode(errors='replace')!r}")
        return match[1] + b'="' + value + b'"'

    fixed = _XMLNS.sub(clean, root[0])
    return xml[: root.start()] + fixed + xml[root.end() :] if fixed != root[0] else xml


def unqualify_children(tree: etree._ElementTree, repairs: list[str]) -> bool:
    """Children of a FatturaPA root are unqualified; some writers put them in its namespace."""
    root = tree.getroot()
    namespace = etree.QName(root).namespace
    moved = 0
    for element in root.iterdescendants():
        if isinstance(element.tag, str) and etree.QName(element).namespace == namespace:
            element.tag = etree.QName(element).localname
            moved += 1
    if moved:
        if root.prefix is None:  # a default namespace would capture the children again on re-reading
            tree._setroot(_prefixed_root(root, namespace))
        etree.cleanup_namespaces(tree.getroot())
        repairs.append(f"{moved} elements were in the document namespace; made unqualified")
    return bool(moved)


def _prefixed_root(root: etree._Element, namespace: str) -> etree._Element:
    nsmap = {prefix: uri for prefix, uri in root.nsmap.items() if prefix is not None}
    nsmap.setdefault("p", namespace)
    prefixed = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=nsmap)
    prefixed.text = root.text
    prefixed.extend(list(root))
    return prefixed
