"""Writing SDI messages as UTF-8 XML that their official schema accepts.

Messages that SDI sends are signed (an enveloped ds:Signature, last child of the root, required
by the schema). There are three ways to get one out of `build_message`:
- the model carries `Signature` (e.g. a parsed message): it is written back as it is;
- a `sign` callback is given: the unsigned document is handed to it and what it returns is
  checked (schema-valid, signed, same content) and returned byte for byte;
- neither: the unsigned document comes back, checked against everything the schema asks except
  the trailing ds:Signature, ready for a later enveloped-signature step to append one.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from fatturahub.fatturapa.issues import InvalidDocument, Issue
from fatturahub.fatturapa.schemas import schema, validate
from fatturahub.sdi.messages.base import Message
from fatturahub.sdi.messages.codec import SIGNATURE, SIGNATURE_TAG, message_to_element
from fatturahub.sdi.messages.parse import parse_message

Signer = Callable[[bytes], bytes]
"""Gets an unsigned message document; returns it with an enveloped ds:Signature appended as the
last child of the root, e.g. `lambda xml: sign_xades(xml, signer)`."""


def build_message(message: Message, *, sign: Signer | None = None) -> bytes:
    """`message` as a UTF-8 XML document that validates against its schema (see module doc)."""
    root = message_to_element(message)
    issues = validate(root, schema(message.FLOW.xsd))
    if awaits_signature(message):
        issues = [issue for issue in issues if not _is_missing_signature(issue, root)]
    if issues:
        raise InvalidDocument(issues)
    document = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return document if sign is None else _signed(message, sign(_unsigned(message, document)))


def awaits_signature(message: Message) -> bool:
    """Whether the schema requires a ds:Signature that `message` does not have yet."""
    return message.SIGNATURE_REQUIRED and getattr(message, SIGNATURE) is None


def _unsigned(message: Message, document: bytes) -> bytes:
    if SIGNATURE not in type(message).model_fields:
        raise ValueError(f"{type(message).__name__} has no ds:Signature in its schema")
    if getattr(message, SIGNATURE) is not None:
        raise ValueError("the message is already signed; remove its Signature to sign it anew")
    return document


def _signed(message: Message, document: bytes) -> bytes:
    signed = parse_message(document)  # validates against the schema, signature included
    if getattr(signed, SIGNATURE) is None:
        raise ValueError("the signer returned the document without a ds:Signature")
    if signed.model_copy(update={SIGNATURE: None}) != message:
        raise ValueError("the signer changed the content of the message")
    return document


def _is_missing_signature(issue: Issue, root: etree._Element) -> bool:
    # libxml2 reports the end of the root's sequence, listing what may still come; ds:Signature
    # can be among them only once every element required before it is present.
    return (
        issue.path == f"/{etree.QName(root).localname}"
        and "Missing child element(s)" in issue.message
        and SIGNATURE_TAG in issue.message
    )
