"""Reading SDI messages: which message a file is, whether its schema accepts it, its values."""

from __future__ import annotations

from lxml import etree
from pydantic import ValidationError

from fatturahub.fatturapa.issues import FORMAT, InvalidDocument, Issue
from fatturahub.fatturapa.schemas import schema, validate
from fatturahub.fatturapa.xmlsafe import parse_xml
from fatturahub.sdi.messages import b2b, pa
from fatturahub.sdi.messages.base import Flow, Message
from fatturahub.sdi.messages.codec import element_to_fields

MESSAGE_TYPES: dict[tuple[str, str], type[Message]] = {
    (message_type.FLOW.namespace, message_type.__name__): message_type
    for message_type in (*pa.MESSAGES, *b2b.MESSAGES)
}

# Receipts with this misspelled root are reported in the wild (by third-party gateway code, not
# by an official source). Renaming the parsed root lets the official schema judge the rest; the
# original bytes stay untouched, so the SDI signature still verifies against them.
_MISSPELLED_ROOTS = {
    etree.QName(Flow.B2B.namespace, "RicevutaImpossibultaRecapito"): etree.QName(
        Flow.B2B.namespace, "RicevutaImpossibilitaRecapito"
    ),
}


def parse_message(data: bytes) -> Message:
    """The message in `data`, validated against its official schema.

    Raises UnreadableInput (not XML, DTDs or entities, too large) or InvalidDocument (not an SDI
    message, or rejected by the schema, with the schema's findings as issues).
    """
    tree = parse_xml(data)
    root = tree.getroot()
    _correct_root_spelling(root)
    message_type = _message_type(etree.QName(root))
    issues = validate(tree, schema(message_type.FLOW.xsd))
    if issues:
        raise InvalidDocument(issues)
    message = _to_model(message_type, root)
    message._source = data
    return message


def _correct_root_spelling(root: etree._Element) -> None:
    correct = _MISSPELLED_ROOTS.get(etree.QName(root))
    if correct is not None:
        root.tag = correct.text


def _message_type(root: etree.QName) -> type[Message]:
    message_type = MESSAGE_TYPES.get((root.namespace, root.localname))
    if message_type is not None:
        return message_type
    flow = next((flow for flow in Flow if flow.namespace == root.namespace), None)
    if flow is None:
        reason = (
            f"namespace {root.namespace!r} is neither the PA ({Flow.PA.namespace}) "
            f"nor the B2B ({Flow.B2B.namespace}) messages namespace"
        )
    else:
        names = ", ".join(name for namespace, name in MESSAGE_TYPES if namespace == flow.namespace)
        reason = f"{root.localname} is not a {flow.name} flow message (expected one of: {names})"
    raise InvalidDocument.single(FORMAT, f"not an SDI message: {reason}", f"/{root.localname}")


def _to_model(message_type: type[Message], root: etree._Element) -> Message:
    try:
        return message_type.model_validate(element_to_fields(message_type, root))
    except ValidationError as exc:
        # Schema-valid values the model still refuses, such as a negative IdentificativoSdI.
        raise InvalidDocument(
            [Issue(FORMAT, _path(root, error["loc"]), error["msg"]) for error in exc.errors()]
        ) from None


def _path(root: etree._Element, location: tuple[int | str, ...]) -> str:
    return "/" + "/".join([etree.QName(root).localname, *map(str, location)])
