"""Binding between message models and XML elements, driven by the models' fields.

Fields are declared in schema order, so writing them in declaration order yields the schema's
sequence. As in the schemas (no elementFormDefault) only the root is namespace-qualified; children
are unqualified, except the enveloped ds:Signature. Input is validated against the XSD before it
gets here, so reading can trust the structure.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from types import UnionType
from typing import Any, Union, get_args, get_origin

from lxml import etree
from pydantic.fields import FieldInfo

from fatturahub.fatturapa.xmlsafe import parse_xml
from fatturahub.sdi.messages.base import Element, Message, XmlAttribute

DSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
SIGNATURE = "Signature"
SIGNATURE_TAG = f"{{{DSIG_NAMESPACE}}}{SIGNATURE}"
PREFIX = "types"  # the prefix of the official schemas and samples


def message_to_element(message: Message) -> etree._Element:
    namespace = message.FLOW.namespace
    root = etree.Element(etree.QName(namespace, type(message).__name__), nsmap={PREFIX: namespace})
    _write_fields(root, message)
    return root


def element_to_fields(model: type[Element], element: etree._Element) -> dict[str, Any]:
    """The raw field values of `model` found in `element`, ready for `model.model_validate`."""
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if _is_attribute(field):
            found = element.get(name)
        elif name == SIGNATURE:
            found = _signature_text(element.find(SIGNATURE_TAG))
        else:
            found = _read_children(field, element.findall(name))
        if found is not None:
            values[name] = found
    return values


def _write_fields(element: etree._Element, model: Element) -> None:
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None:
            continue
        if _is_attribute(field):
            element.set(name, _lexical(value))
        elif name == SIGNATURE:
            element.append(parse_xml(value.encode()).getroot())
        else:
            for item in value if isinstance(value, list) else [value]:
                _write_child(element, name, item)


def _write_child(parent: etree._Element, name: str, value: Any) -> None:
    child = etree.SubElement(parent, name)
    if isinstance(value, Element):
        _write_fields(child, value)
    else:
        child.text = _lexical(value)


def _lexical(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _read_children(field: FieldInfo, children: list[etree._Element]) -> Any:
    if not children:
        return None
    nested, repeated = _shape(field.annotation)
    values = [element_to_fields(nested, child) if nested else child.text or "" for child in children]
    return values if repeated else values[0]


def _shape(annotation: Any) -> tuple[type[Element] | None, bool]:
    """The nested model type of a field (None for a simple value) and whether it repeats."""
    repeated = get_origin(annotation) is list
    unwrapped = repeated or get_origin(annotation) in (Union, UnionType)
    candidates = get_args(annotation) if unwrapped else (annotation,)
    nested = next((c for c in candidates if isinstance(c, type) and issubclass(c, Element)), None)
    return nested, repeated


def _signature_text(signature: etree._Element | None) -> str | None:
    """The ds:Signature as it was written, standing alone: with its own namespace declarations
    and those it inherits and uses, not the unrelated ones of the enclosing document (so the
    text stays the same however often the message is built and parsed again)."""
    if signature is None:
        return None
    inherited = signature.getparent().nsmap
    own_prefixes = [p for p, uri in signature.nsmap.items() if inherited.get(p) != uri and p]
    standalone = copy.deepcopy(signature)
    standalone.tail = None
    etree.cleanup_namespaces(standalone, keep_ns_prefixes=own_prefixes)
    return etree.tostring(standalone, encoding="unicode")


def _is_attribute(field: FieldInfo) -> bool:
    return any(isinstance(marker, XmlAttribute) for marker in field.metadata)
