"""What every SDI message shares: its flow (PA or B2B), its type code, its scalar types."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Annotated, Any, ClassVar, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

from fatturahub.fatturapa.naming import NotificationType

ROME = ZoneInfo("Europe/Rome")


class Flow(Enum):
    """The two message families, each with its own namespace and official schema."""

    PA = ("http://www.fatturapa.gov.it/sdi/messaggi/v1.0", "messaggi/MessaggiTypes_v1.1.xsd")
    B2B = (
        "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fattura/messaggi/v1.0",
        "messaggi/MessaggiFatturaTypes_v1.0.xsd",
    )

    def __init__(self, namespace: str, xsd: str) -> None:
        self.namespace = namespace
        self.xsd = xsd


class EsitoCommittenteType(StrEnum):
    EC01 = "EC01"  # accettazione
    EC02 = "EC02"  # rifiuto


class ScartoType(StrEnum):
    EN00 = "EN00"  # notifica non conforme al formato
    EN01 = "EN01"  # notifica non ammissibile


def _aware(value: datetime) -> datetime:
    # SDI writes xs:dateTime both with and without an offset; SDI runs on Italian time, so a
    # timestamp without one is read as Europe/Rome rather than left ambiguous.
    return value if value.tzinfo is not None else value.replace(tzinfo=ROME)


def _collapse(value: Any) -> Any:
    # xs:dateTime and xs:date collapse surrounding whitespace; pydantic's parsers do not.
    return value.strip() if isinstance(value, str) else value


_DATE_WITH_ZONE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})")


def _calendar_date(value: Any) -> Any:
    # An xs:date may carry a timezone ("2024-05-02+02:00"); a calendar day is all we keep.
    value = _collapse(value)
    if isinstance(value, str) and (match := _DATE_WITH_ZONE.fullmatch(value)):
        return match.group(1)
    return value


DataOra = Annotated[datetime, BeforeValidator(_collapse), AfterValidator(_aware)]
Data = Annotated[date, BeforeValidator(_calendar_date)]
NomeFileType = Annotated[str, Field(max_length=50)]
CodiceDestinatarioType = Annotated[str, Field(pattern=r"^[A-Z0-9]{6,7}$")]
FormatoType = Annotated[str, Field(max_length=5)]


class XmlAttribute:
    """Field marker: the field is an XML attribute of its element, not a child element."""


ATTRIBUTE = XmlAttribute()
Versione = Annotated[Literal["1.0"], ATTRIBUTE]
Si = Annotated[Literal["Si"] | None, ATTRIBUTE]


class Element(BaseModel):
    """A complex type of the schemas. Fields are named and ordered as the schema's elements."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Message(Element):
    """A root element of one of the two message schemas."""

    FLOW: ClassVar[Flow]
    TYPE_CODE: ClassVar[NotificationType]
    SIGNATURE_REQUIRED: ClassVar[bool] = False

    _source: bytes | None = PrivateAttr(default=None)

    @property
    def source(self) -> bytes | None:
        """The bytes this message was parsed from (what SDI signed), None if built here."""
        return self._source

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copied = super().model_copy(update=update, deep=deep)
        if update:
            copied._source = None  # the changed copy is no longer what was received
        return copied

    def __eq__(self, other: Any) -> bool:
        # Two messages saying the same thing are equal wherever they came from.
        return type(self) is type(other) and self.__dict__ == other.__dict__
