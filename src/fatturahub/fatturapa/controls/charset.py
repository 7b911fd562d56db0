"""Characters a text field may hold, and replacing those it may not.

Which fields take Basic Latin only and which also Latin-1 Supplement is read from the vendored
XSD's patterns (`\\p{IsBasicLatin}`, `\\p{IsLatin-1Supplement}`), never listed by hand. The
schema rejects a whole field; here each offending character is reported with its 1-based
position, so the user can see what to change — or `transliterate` does it for them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from lxml import etree
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from fatturahub.fatturapa import schemas
from fatturahub.fatturapa.document import ORDINARIA as ORDINARIA_KIND
from fatturahub.fatturapa.document import SEMPLIFICATA as SEMPLIFICATA_KIND
from fatturahub.fatturapa.document import Document, Kind
from fatturahub.fatturapa.findings import Finding
from fatturahub.fatturapa.model.base import CodeList, XmlAttribute
from fatturahub.fatturapa.model.ordinaria import FatturaElettronica

from .context import ANY_FORMAT, Context, Rule, finding

XS = "{http://www.w3.org/2001/XMLSchema}"
D = TypeVar("D", bound=Document)


class Charset(Enum):
    """A field's repertoire, named after the Unicode blocks of the schema pattern."""

    BASIC_LATIN = ("Basic Latin", 0x7F)
    LATIN_1 = ("Basic Latin + Latin-1 Supplement", 0xFF)

    def __init__(self, label: str, last: int) -> None:
        self.label = label
        self.last = last

    def allows(self, char: str) -> bool:
        return ord(char) <= self.last


# Field path (element names from the root, "@name" for attributes) -> its repertoire.
FieldCharsets = dict[tuple[str, ...], Charset]


def _charset_of(simple_type: etree._Element) -> Charset | None:
    patterns = [p.get("value", "") for p in simple_type.iter(f"{XS}pattern")]
    if any("IsLatin-1Supplement" in p for p in patterns):
        return Charset.LATIN_1
    if any("IsBasicLatin" in p for p in patterns):
        return Charset.BASIC_LATIN
    return None


@cache
def field_charsets(kind: Kind) -> FieldCharsets:
    """Every text field of the schema whose pattern limits its characters."""
    xsd = etree.parse(str(schemas.SPECS / kind.xsd_path)).getroot()
    complex_types = {t.get("name"): t for t in xsd.iter(f"{XS}complexType")}
    simple_types = {t.get("name"): _charset_of(t) for t in xsd.iter(f"{XS}simpleType")}
    root_type = next(e.get("type") for e in xsd.iterchildren(f"{XS}element"))
    fields: FieldCharsets = {}

    def walk(type_name: str, path: tuple[str, ...]) -> None:
        declaration = complex_types[type_name]
        for attribute in declaration.iter(f"{XS}attribute"):
            if charset := simple_types.get(attribute.get("type")):
                fields[(*path, "@" + attribute.get("name"))] = charset
        for element in declaration.iter(f"{XS}element"):
            name, child_type = element.get("name"), element.get("type")
            if name is None:  # ds:Signature, by reference
                continue
            if child_type in complex_types:
                walk(child_type, (*path, name))
            elif charset := simple_types.get(child_type):
                fields[(*path, name)] = charset

    walk(root_type, ())
    return fields


def _kind(document: Document) -> Kind:
    return ORDINARIA_KIND if isinstance(document, FatturaElettronica) else SEMPLIFICATA_KIND


@dataclass(frozen=True)
class TextField:
    """A text value of the document where the schema limits the characters."""

    path: str
    value: str
    charset: Charset


def _key(names: tuple[str, ...], name: str, info: FieldInfo) -> tuple[str, ...]:
    """The field's place in `field_charsets`: element names from the root, "@" for attributes."""
    attribute = any(isinstance(m, XmlAttribute) for m in info.metadata)
    return (*names, "@" + name if attribute else name)


def _limited(value: object, key: tuple[str, ...], charsets: FieldCharsets) -> bool:
    return isinstance(value, str) and not isinstance(value, CodeList) and key in charsets


def _text_fields(document: Document) -> Iterator[TextField]:
    charsets = field_charsets(_kind(document))

    def walk(node: BaseModel, path: str, names: tuple[str, ...]) -> Iterator[TextField]:
        for name, info in type(node).model_fields.items():
            value = getattr(node, name)
            key = _key(names, name, info)
            items = value if isinstance(value, list) else [value]
            for number, item in enumerate(items, start=1):
                step = f"{path}/{key[-1]}" + (f"[{number}]" if len(items) > 1 else "")
                if isinstance(item, BaseModel):
                    yield from walk(item, step, key)
                elif _limited(item, key, charsets):
                    yield TextField(step, item, charsets[key])

    yield from walk(document, "/" + type(document).__name__, ())


def charset_findings(document: Document) -> Iterator[Finding]:
    """One 00200 finding per character its field does not allow."""
    for field in _text_fields(document):
        for position, char in enumerate(field.value, start=1):
            if not field.charset.allows(char):
                params = {
                    "variant": "charset",
                    "position": position,
                    "char": char,
                    "codepoint": f"U+{ord(char):04X}",
                    "charset": field.charset.label,
                }
                yield finding("00200", field.path, params)


def check_charset(ctx: Context) -> Iterator[Finding]:
    yield from charset_findings(ctx.document)


# --- transliteration -------------------------------------------------------------------------
# What NFKD does not decompose into Latin. Everything here is Basic Latin, so it fits any field.
REPLACEMENTS = {
    **dict.fromkeys("‘’‚‛′´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−•·", "-"),
    **dict.fromkeys("\u00a0\u2007\u202f", " "),
    "\u200b": "",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "¢": "c",
    "…": "...",
    "⁄": "/",
    "÷": "/",
    "×": "x",
    "°": "o",
    "µ": "u",
    "¿": "?",
    "¡": "!",
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "ł": "l",
    "Ł": "L",
    "þ": "th",
    "Þ": "TH",
}
UNKNOWN = "?"  # visible, so that a lost character is noticed rather than silently dropped


def _replace(char: str, charset: Charset) -> str:
    if charset.allows(char):
        return char
    if char in REPLACEMENTS:
        return REPLACEMENTS[char]
    decomposed = unicodedata.normalize("NFKD", char)
    if decomposed == char:
        return UNKNOWN
    # accents come apart as combining marks: keep the base letters, drop the marks
    kept = (c for c in decomposed if not unicodedata.combining(c))
    return "".join(_replace(c, charset) for c in kept)


def transliterate_text(text: str, charset: Charset) -> str:
    return "".join(_replace(char, charset) for char in text)


def transliterate(document: D) -> D:
    """A copy of `document` where every character its field does not allow is replaced.

    Only the elements on the way to a changed text are copied; the rest is shared with the
    original, so values that remember their exact lexical form stay as written. Replacements
    can lengthen a text (€ -> EUR): a field already at its maximum length may then exceed it,
    which `validate` reports as usual."""
    charsets = field_charsets(_kind(document))

    def replaced(value: Any, key: tuple[str, ...]) -> Any:
        if isinstance(value, list):
            items = [replaced(item, key) for item in value]
            return items if any(new is not old for new, old in zip(items, value, strict=True)) else value
        if isinstance(value, BaseModel):
            return copied(value, key)
        if _limited(value, key, charsets):
            text = transliterate_text(value, charsets[key])
            return text if text != value else value
        return value

    def copied(node: BaseModel, names: tuple[str, ...]) -> BaseModel:
        changes = {}
        for name, info in type(node).model_fields.items():
            value = getattr(node, name)
            new = replaced(value, _key(names, name, info))
            if new is not value:
                changes[name] = new
        return node.model_copy(update=changes) if changes else node

    result = copied(document, ())
    return result if result is not document else document.model_copy()


RULES = (Rule(("00200.charset",), check_charset, ANY_FORMAT),)
