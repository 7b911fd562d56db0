"""XML ⇄ model binding, driven by the models' own field metadata.

Reading trusts the tree's shape only as far as the schema check before it went; every leaf that
does not convert is reported, never guessed. Values keep the exact text they were read from when
it differs from their canonical form ("01.00", "2024-01-31T10:00:00.000+01:00", base64 with line
breaks), so a parsed document serializes back to what it was.
"""

from __future__ import annotations

import base64
import binascii
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from lxml import etree
from pydantic import BaseModel

from fatturahub.fatturapa.model.base import (
    CodeList,
    Decimals,
    Element,
    RootElement,
    XmlAttribute,
    XmlForm,
    XmlSignature,
)
from fatturahub.fatturapa.xmlsafe import parse_xml

DSIG = "http://www.w3.org/2000/09/xmldsig#"
SIGNATURE_TAG = f"{{{DSIG}}}Signature"

# A problem found while reading: the element and what is wrong with it.
Problem = Callable[[etree._Element, str], None]


# --- values that remember their text ------------------------------------------------------
class _Lexical:
    """Mixin of immutable values that carry the exact text they were read from."""

    lexical: str

    def __copy__(self) -> _Lexical:
        return self  # immutable: a copy may be the value itself, text included

    def __deepcopy__(self, memo: dict) -> _Lexical:
        return self

    def __reduce_ex__(self, protocol: object) -> tuple:
        return _relexical, (type(self), self._plain(), self.lexical)


def _relexical(cls: type, plain: Any, lexical: str) -> Any:
    value = cls._from_plain(plain)
    value.lexical = lexical
    return value


class LexicalDecimal(_Lexical, Decimal):
    def _plain(self) -> Decimal:
        return Decimal(self)

    @classmethod
    def _from_plain(cls, plain: Decimal) -> LexicalDecimal:
        return cls(plain)


class LexicalInt(_Lexical, int):
    def _plain(self) -> int:
        return int(self)

    @classmethod
    def _from_plain(cls, plain: int) -> LexicalInt:
        return cls(plain)


class LexicalDate(_Lexical, date):
    def _plain(self) -> date:
        return date(self.year, self.month, self.day)

    @classmethod
    def _from_plain(cls, plain: date) -> LexicalDate:
        return cls(plain.year, plain.month, plain.day)


class LexicalDateTime(_Lexical, datetime):
    def _plain(self) -> datetime:
        return datetime.combine(self.date(), self.timetz())

    @classmethod
    def _from_plain(cls, plain: datetime) -> LexicalDateTime:
        return cls.combine(plain.date(), plain.timetz())


class LexicalBytes(_Lexical, bytes):
    def _plain(self) -> bytes:
        return bytes(self)

    @classmethod
    def _from_plain(cls, plain: bytes) -> LexicalBytes:
        return cls(plain)


def _remember(value: Any, text: str) -> Any:
    value.lexical = text
    return value


_DATE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?\s*")


def _decode_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a decimal number") from None
    if str(value) == text:  # the common case; "1E-8"-style text is kept lexically below
        return value
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a decimal number")
    return _remember(LexicalDecimal(text), text)


def _decode_int(text: str) -> int:
    value = int(text)
    return value if str(value) == text else _remember(LexicalInt(text), text)


def _decode_date(text: str) -> date:
    match = _DATE.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")
    value = date.fromisoformat(match[1])
    if match[0] == match[1]:
        return value
    return _remember(LexicalDate(value.year, value.month, value.day), text)


def _decode_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip())
    if value.isoformat() == text:
        return value
    return _remember(LexicalDateTime.fromisoformat(text.strip()), text)


def _decode_bytes(text: str) -> bytes:
    try:
        value = base64.b64decode(text)
    except binascii.Error as exc:
        raise ValueError(f"invalid base64: {exc}") from None
    if base64.b64encode(value).decode("ascii") == text:
        return value
    return _remember(LexicalBytes(value), text)


def _encode_decimal(value: Decimal, decimals: Decimals | None) -> str:
    exponent = value.as_tuple().exponent
    if decimals is not None and isinstance(exponent, int) and -exponent < decimals.min:
        value = value.quantize(Decimal(1).scaleb(-decimals.min))
    return format(value, "f")


def _encode(value: Any, decimals: Decimals | None) -> str:
    lexical = getattr(value, "lexical", None)
    if lexical is not None:
        return lexical
    if isinstance(value, str):
        return value.value if isinstance(value, CodeList) else value
    if isinstance(value, Decimal):
        return _encode_decimal(value, decimals)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    return str(value)


def _code_decoder(code_list: type[CodeList]) -> Callable[[str], CodeList]:
    members = code_list._value2member_map_

    def decode(text: str) -> CodeList:
        try:
            return members[text]
        except KeyError:
            raise ValueError(f"{text!r} is not a {code_list.__name__} code") from None

    return decode


_DECODERS: dict[type, Callable[[str], Any]] = {
    str: str,
    Decimal: _decode_decimal,
    int: _decode_int,
    date: _decode_date,
    datetime: _decode_datetime,
    bytes: _decode_bytes,
}


# --- field metadata -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Binding:
    """How one model field maps to XML."""

    name: str
    tag: str
    attribute: bool
    signature: bool
    many: bool
    model: type[Element] | None
    decode: Callable[[str], Any] | None
    decimals: Decimals | None


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(item type, is a list) of `T`, `T | None`, `list[T]`."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(annotation) is list:
        return typing.get_args(annotation)[0], True
    return annotation, False


def _binding(name: str, info: Any) -> Binding:
    item, many = _unwrap(info.annotation)
    marks = info.metadata
    signature = any(isinstance(m, XmlSignature) for m in marks)
    model = item if isinstance(item, type) and issubclass(item, Element) else None
    decode = None
    if model is None and not signature:
        decode = _code_decoder(item) if issubclass(item, CodeList) else _DECODERS[item]
    return Binding(
        name=name,
        tag=SIGNATURE_TAG if signature else name,
        attribute=any(isinstance(m, XmlAttribute) for m in marks),
        signature=signature,
        many=many,
        model=model,
        decode=decode,
        decimals=next((m for m in marks if isinstance(m, Decimals)), None),
    )


@cache
def bindings(model: type[Element]) -> tuple[Binding, ...]:
    return tuple(_binding(name, info) for name, info in model.model_fields.items())


@dataclass(slots=True)
class Shape:
    """What reading needs of a model, flattened for the hot loop (built once per model)."""

    model: type[Element]
    # child tag -> (field name, is a list, shape of a complex child, decoder of a leaf)
    children: dict[str, tuple[str, bool, Shape | None, Callable[[str], Any] | None]]
    attributes: dict[str, Binding]
    blank: dict[str, None]  # every field, in schema order, None until read (copied, never changed)
    lists: tuple[str, ...]  # optional list fields, empty until read
    private: dict[str, Any] | None


@cache
def shape(model: type[Element]) -> Shape:
    children = {}
    for b in bindings(model):
        if not b.attribute:
            decode = None if b.decode is str else b.decode  # plain text needs no conversion
            if b.signature:
                decode = _signature_xml
            children[b.tag] = (b.name, b.many, shape(b.model) if b.model else None, decode)
    optional = [b for b in bindings(model) if not model.model_fields[b.name].is_required()]
    private = {name: attr.get_default() for name, attr in model.__private_attributes__.items()}
    return Shape(
        model=model,
        children=children,
        attributes={b.tag: b for b in bindings(model) if b.attribute},
        blank=dict.fromkeys(model.model_fields),
        lists=tuple(b.name for b in optional if b.many),
        private=private or None,
    )


def _signature_xml(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode", with_tail=False)


_new = object.__new__
# Pydantic's own slots, written through their descriptors: BaseModel.__setattr__ would validate,
# and object.__setattr__ is a slower generic path for the same store.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def construct(of: Shape, values: dict[str, Any]) -> Element:
    """A model instance from already-converted values, without re-validating them.

    What pydantic's model_construct does, minus its per-call signature inspection of default
    factories, which made it the dominant cost of parsing (measured: 85% of the time). The
    fields start as a copy of the blank dict, which clones its keys in one step instead of
    growing a new dict key by key, and that copy becomes the instance's __dict__.
    """
    instance = _new(of.model)
    fields = of.blank.copy()
    fields.update(values)
    for name in of.lists:
        if name not in values:
            fields[name] = []
    _set_dict(instance, fields)
    _set_fields_set(instance, set(values))
    _set_extra(instance, None)
    _set_private(instance, of.private and dict(of.private))
    return instance


# --- reading --------------------------------------------------------------------------------
def read_element(element: etree._Element, of: Shape, problem: Problem) -> Element:
    """Build `of.model` from `element`; unknown or unconvertible parts go to `problem`."""
    children = of.children
    values: dict[str, Any] = {}
    for child in element[:]:  # a slice is one C call; iterating builds an iterator object per element
        tag = child.tag
        try:
            name, many, child_shape, decode = children[tag]
        except KeyError:
            if isinstance(tag, str):  # comments and PIs carry no data
                problem(child, f"unexpected element {tag!r}; ignored")
            continue
        if child_shape is not None:
            value = read_element(child, child_shape, problem)
        elif decode is None:
            value = child.text or ""
        elif decode is _signature_xml:
            value = _signature_xml(child)
        else:
            try:
                value = decode(child.text or "")
            except ValueError as exc:
                problem(child, f"{exc}; left out of the structured view")
                continue
        if not many:
            values[name] = value
        elif name in values:
            values[name].append(value)
        else:
            values[name] = [value]
    if of.attributes:
        _read_attributes(element, of, values, problem)
    return construct(of, values)


def _read_attributes(element: etree._Element, of: Shape, values: dict[str, Any], problem: Problem) -> None:
    for name, binding in of.attributes.items():
        text = element.get(name)
        if text is None:
            continue
        try:
            values[binding.name] = binding.decode(text)
        except ValueError as exc:
            problem(element, f"attribute {name}: {exc}")


def read_document(tree: etree._ElementTree, model: type[RootElement], problem: Problem) -> RootElement:
    root = tree.getroot()
    of = shape(model)
    document = read_element(root, of, problem)
    known = of.attributes
    document._xml_form = XmlForm(
        prefix=root.prefix,
        nsmap=dict(root.nsmap),
        attributes={k: v for k, v in root.attrib.items() if k not in known},
        before_root=[_misc(n) for n in reversed(list(root.itersiblings(preceding=True)))],
        after_root=[_misc(n) for n in root.itersiblings()],
    )
    return document


def _misc(node: etree._Element) -> tuple[str | None, str | None]:
    """A processing instruction (target, text) or a comment (None, text) beside the root."""
    return (node.target, node.text) if isinstance(node, etree._ProcessingInstruction) else (None, node.text)


def _misc_node(target: str | None, text: str | None) -> etree._Element:
    return etree.PI(target, text) if target else etree.Comment(text)


# --- writing --------------------------------------------------------------------------------
def write_element(element: etree._Element, value: Element) -> None:
    fields = value.__dict__
    for binding in bindings(type(value)):
        item = fields.get(binding.name)
        if item is None or (binding.many and not item):
            continue
        if binding.attribute:
            element.set(binding.tag, _encode(item, binding.decimals))
        elif binding.signature:
            element.append(parse_xml(item.encode("utf-8")).getroot())
        else:
            for one in item if binding.many else (item,):
                child = etree.SubElement(element, binding.tag)
                if binding.model:
                    write_element(child, one)
                else:
                    child.text = _encode(one, binding.decimals)


def write_document(
    document: RootElement, namespace: str, root_name: str, default_form: XmlForm
) -> etree._ElementTree:
    form = document._xml_form or default_form
    prefix = form.prefix if form.prefix is not None else "p"
    nsmap = {prefix: namespace, **{k: v for k, v in form.nsmap.items() if k != prefix}}
    root = etree.Element(etree.QName(namespace, root_name), nsmap=nsmap)
    for name, value in form.attributes.items():
        root.set(name, value)
    write_element(root, document)
    for target, text in form.before_root:
        root.addprevious(_misc_node(target, text))
    for target, text in reversed(form.after_root):
        root.addnext(_misc_node(target, text))
    return root.getroottree()
