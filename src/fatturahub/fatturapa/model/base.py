"""Building blocks shared by the generated FatturaPA models.

The models mirror the official XSDs one to one: a class per complex type, a field per element
or attribute, named exactly as in the schema, in schema order. That order is what the XML codec
serializes in, so a model is also its own XML binding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr


class CodeList(StrEnum):
    """A code list of the schema (TipoDocumento, Natura, ...): value plus its official meaning."""

    meaning: str

    def __new__(cls, code: str, meaning: str = "") -> CodeList:
        member = str.__new__(cls, code)
        member._value_ = code
        member.meaning = meaning
        return member


class Element(BaseModel):
    """A complex type of the schema."""

    model_config = ConfigDict(
        extra="forbid",
        ser_json_bytes="base64",
        val_json_bytes="base64",
        validate_default=False,
    )


class XmlAttribute:
    """Field marker: serialized as an XML attribute of the enclosing element."""

    def __repr__(self) -> str:
        return "XML_ATTRIBUTE"


class XmlSignature:
    """Field marker: the enveloped ds:Signature, kept verbatim as its XML text."""

    def __repr__(self) -> str:
        return "XML_SIGNATURE"


XML_ATTRIBUTE: Any = XmlAttribute()
XML_SIGNATURE: Any = XmlSignature()


@dataclass(frozen=True, slots=True)
class Decimals:
    """Field marker: digits after the decimal point the schema requires (min, max)."""

    min: int
    max: int


@dataclass(slots=True)
class XmlForm:
    """How a parsed document was written, beyond its content: the root's namespace prefix and
    declarations, foreign root attributes (xsi:schemaLocation) and processing instructions
    around the root. Kept so that serializing a parsed document gives it back unchanged."""

    prefix: str | None
    nsmap: dict[str | None, str]
    attributes: dict[str, str] = field(default_factory=dict)
    # (target, text) of a processing instruction, (None, text) of a comment
    before_root: list[tuple[str | None, str | None]] = field(default_factory=list)
    after_root: list[tuple[str | None, str | None]] = field(default_factory=list)


class RootElement(Element):
    """The document element of a schema; remembers its XML form when it was parsed."""

    _xml_form: XmlForm | None = PrivateAttr(default=None)
