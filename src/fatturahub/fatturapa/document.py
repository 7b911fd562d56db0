"""Reading and writing FatturaPA documents: the public face of the core.

    read(data, lenient=False) -> Reading     # normalize, parse, check against the XSD, bind
    parse(data) -> document                  # strict: raises unless schema-valid
    serialize(document) -> bytes             # UTF-8 XML, schema order, original form kept
    validate(document_or_bytes) -> [Issue]   # the XSD check, as SDI 00200 issues

Strict mode is for what we send: the XML must be well-formed as given (envelopes are still
opened). Lenient mode is for what SDI already accepted: the text is repaired where it can be,
and schema deviations are reported without refusing the document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TypeAlias

from lxml import etree
from pydantic import ValidationError

from fatturahub.fatturapa import codec, schemas
from fatturahub.fatturapa.issues import (
    FORMAT,
    FatturaPAError,
    InvalidDocument,
    Issue,
    NotAnInvoice,
    UnsupportedVersion,
)
from fatturahub.fatturapa.model.base import RootElement, XmlForm
from fatturahub.fatturapa.model.ordinaria import FatturaElettronica
from fatturahub.fatturapa.model.semplificata import FatturaElettronicaSemplificata
from fatturahub.fatturapa.normalize import open_envelopes, repair_text, unqualify_children
from fatturahub.fatturapa.xmlsafe import DEFAULT_MAX_BYTES, parse_xml

Document: TypeAlias = FatturaElettronica | FatturaElettronicaSemplificata

XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class Kind:
    """One schema family we read: its namespace, root element, model and XSD."""

    namespace: str
    root: str
    model: type[RootElement]
    xsd_path: str

    @property
    def xsd(self) -> etree.XMLSchema:
        return schemas.schema(self.xsd_path)

    def default_form(self) -> XmlForm:
        return XmlForm(prefix="p", nsmap={"p": self.namespace, "ds": codec.DSIG, "xsi": XSI})


ORDINARIA = Kind(
    "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2",
    "FatturaElettronica",
    FatturaElettronica,
    "fatturapa/Schema_del_file_xml_FatturaPA_v1.2.3.xsd",
)
SEMPLIFICATA = Kind(
    "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0",
    "FatturaElettronicaSemplificata",
    FatturaElettronicaSemplificata,
    "fatturapa-semplificata/Schema_VFSM10_v1.0.2.xsd",
)
KINDS = {(k.namespace, k.root): k for k in (ORDINARIA, SEMPLIFICATA)}
RETIRED_NAMESPACES = {
    "http://www.fatturapa.gov.it/sdi/fatturapa/v1.0": "FatturaPA 1.0",
    "http://www.fatturapa.gov.it/sdi/fatturapa/v1.1": "FatturaPA 1.1",
    "http://www.fatturapa.gov.it/sdi/fatturapa/v1.2": "FatturaPA 1.2 (pre-2017 namespace)",
}


@dataclass
class Reading:
    """A document as read, with everything learned on the way."""

    document: Document
    xml: bytes  # the plain XML that was parsed, after envelopes and repairs
    errors: list[Issue] = field(default_factory=list)  # schema deviations and unreadable values
    envelopes: list[str] = field(default_factory=list)  # "base64", "cades", outermost first
    repairs: list[str] = field(default_factory=list)  # what lenient mode changed in the text

    @property
    def format(self) -> str:
        return str(self.document.versione)

    @property
    def valid(self) -> bool:
        return not self.errors


def kind_of(root: etree._Element) -> Kind:
    qname = etree.QName(root)
    kind = KINDS.get((qname.namespace, qname.localname))
    if kind is not None:
        return kind
    if qname.namespace in RETIRED_NAMESPACES:
        raise UnsupportedVersion.single(
            FORMAT,
            f"{RETIRED_NAMESPACES[qname.namespace]} is no longer accepted by SDI; "
            "supported: FatturaPA 1.2.x (FPA12, FPR12) and semplificata 1.0.x (FSM10)",
        )
    raise NotAnInvoice.single(FORMAT, f"not a FatturaPA document: root element {qname.text!r}")


def read(data: bytes, *, lenient: bool = False, max_bytes: int = DEFAULT_MAX_BYTES) -> Reading:
    """Normalize and parse `data`; raises FatturaPAError only when no document can be read."""
    normalized = open_envelopes(data, max_bytes=max_bytes)
    xml = repair_text(normalized.xml, normalized.repairs) if lenient else normalized.xml
    tree = parse_xml(xml, max_bytes=max_bytes)
    kind = kind_of(tree.getroot())
    if lenient and unqualify_children(tree, normalized.repairs):
        xml = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    errors = schemas.validate(tree, kind.xsd)
    reported = {issue.path for issue in errors}

    def problem(element: etree._Element, message: str) -> None:
        path = _path(element)
        if path not in reported:  # the schema already said what is wrong there
            errors.append(Issue(FORMAT, path, message))

    document = codec.read_document(tree, kind.model, problem)
    return Reading(document, xml, errors, normalized.envelopes, normalized.repairs)


def parse(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """The schema-valid document in `data`, or InvalidDocument with every 00200 issue."""
    reading = read(data, max_bytes=max_bytes)
    if reading.errors:
        raise InvalidDocument(reading.errors)
    return reading.document


def from_json(data: bytes | str) -> Document:
    """A document from its JSON form (field names = XSD element names); FSM10 by `versione`.

    Shape and types are checked here, with XML-style paths; the facets (lengths, patterns) are
    the schema's job: call `validate` on the result before trusting it."""
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidDocument.single(FORMAT, f"not valid JSON: {exc}") from None
    kind = SEMPLIFICATA if isinstance(raw, dict) and raw.get("versione") == "FSM10" else ORDINARIA
    try:
        return kind.model.model_validate(raw)
    except ValidationError as exc:
        raise InvalidDocument(
            [Issue(FORMAT, _json_path(kind.root, e["loc"]), e["msg"]) for e in exc.errors()]
        ) from None


def _json_path(root: str, location: tuple[str | int, ...]) -> str:
    path = f"/{root}"
    for step in location:
        path += f"[{step + 1}]" if isinstance(step, int) else f"/{step}"
    return path


def to_tree(document: Document) -> etree._ElementTree:
    kind = ORDINARIA if isinstance(document, FatturaElettronica) else SEMPLIFICATA
    return codec.write_document(document, kind.namespace, kind.root, kind.default_form())


def serialize(document: Document) -> bytes:
    return _xml(to_tree(document))


def checked_xml(document: Document) -> tuple[bytes, list[Issue]]:
    """The XML of a document and its schema issues, from one tree (serialize + validate)."""
    tree = to_tree(document)
    return _xml(tree), schemas.validate(tree, kind_of(tree.getroot()).xsd)


def _xml(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def validate(document: Document | bytes, *, lenient: bool = False) -> list[Issue]:
    """Schema issues of a document or of raw bytes (unreadable bytes give their own issue)."""
    if isinstance(document, bytes):
        try:
            return read(document, lenient=lenient).errors
        except FatturaPAError as exc:
            return exc.issues
    tree = to_tree(document)
    return schemas.validate(tree, kind_of(tree.getroot()).xsd)


def _path(element: etree._Element) -> str:
    return schemas.unprefixed(element.getroottree().getpath(element))
