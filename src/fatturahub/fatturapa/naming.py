"""SDI file names: invoice files and the notification files SDI derives from them.

Invoice file:       IT01234567890_00A1B.xml | .xml.p7m | .zip
                    <IdPaese><IdCodice of the transmitter>_<5 alphanumerics>
Notification file:  IT01234567890_00A1B_RC_001.xml
                    <invoice file name without extension>_<type>_<3 alphanumerics>
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

PROGRESSIVE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PROGRESSIVE_LENGTH = 5
PROGRESSIVE_CAPACITY = len(PROGRESSIVE_ALPHABET) ** PROGRESSIVE_LENGTH  # 60,466,176 names


class Extension(StrEnum):
    XML = ".xml"
    SIGNED = ".xml.p7m"  # CAdES
    ZIP = ".zip"


class NotificationType(StrEnum):
    """The two letters SDI puts in notification file names (FACTS §2, §3.1)."""

    RC = "RC"  # ricevuta di consegna
    NS = "NS"  # notifica / ricevuta di scarto
    MC = "MC"  # mancata consegna / impossibilità di recapito
    NE = "NE"  # notifica di esito (the PA's EC, forwarded to the sender)
    DT = "DT"  # decorrenza termini
    AT = "AT"  # attestazione di trasmissione con impossibilità di recapito
    MT = "MT"  # metadati, delivered with the invoice
    EC = "EC"  # esito committente (from the PA)
    SE = "SE"  # scarto esito committente


# The transmitter id: country code, then its fiscal code (IT: 11-16 chars, abroad: up to 28).
_STEM = r"(?P<country>[A-Z]{2})(?P<code>[A-Za-z0-9]{2,28})_(?P<progressive>[A-Za-z0-9]{5})"
_INVOICE = re.compile(_STEM + r"(?P<extension>(?i:\.xml\.p7m|\.xml|\.zip))")
_NOTIFICATION = re.compile(
    _STEM + r"_(?P<type>RC|NS|MC|NE|MT|EC|SE|DT|AT)_(?P<sequence>[A-Za-z0-9]{3})(?i:\.xml)"
)


class InvalidFileName(ValueError):
    """Not a name SDI accepts (SDI answers 00001)."""

    code = "00001"


@dataclass(frozen=True)
class InvoiceFileName:
    country: str
    code: str
    progressive: str
    extension: Extension

    @property
    def stem(self) -> str:
        return f"{self.country}{self.code}_{self.progressive}"

    def __str__(self) -> str:
        return self.stem + self.extension.value

    @classmethod
    def parse(cls, name: str) -> InvoiceFileName:
        match = _INVOICE.fullmatch(name)
        if not match:
            raise InvalidFileName(f"{name!r} is not an SDI invoice file name (e.g. IT01234567890_00001.xml)")
        return cls(
            country=match["country"],
            code=match["code"],
            progressive=match["progressive"],
            extension=Extension(match["extension"].lower()),
        )


@dataclass(frozen=True)
class NotificationFileName:
    invoice_stem: str
    type: NotificationType
    sequence: str

    def __str__(self) -> str:
        return f"{self.invoice_stem}_{self.type.value}_{self.sequence}.xml"

    @classmethod
    def parse(cls, name: str) -> NotificationFileName:
        match = _NOTIFICATION.fullmatch(name)
        if not match:
            example = "IT01234567890_00001_RC_001.xml"
            raise InvalidFileName(f"{name!r} is not an SDI notification file name (e.g. {example})")
        stem = f"{match['country']}{match['code']}_{match['progressive']}"
        return cls(stem, NotificationType(match["type"]), match["sequence"])


def progressive(counter: int) -> str:
    """The 5-character progressive for `counter`: a bijection on 0..60,466,175, so distinct
    counters never collide. Upper case only, so names stay distinct on case-insensitive disks."""
    if not 0 <= counter < PROGRESSIVE_CAPACITY:
        raise ValueError(f"counter must be in 0..{PROGRESSIVE_CAPACITY - 1}, got {counter}")
    digits = []
    for _ in range(PROGRESSIVE_LENGTH):
        counter, digit = divmod(counter, len(PROGRESSIVE_ALPHABET))
        digits.append(PROGRESSIVE_ALPHABET[digit])
    return "".join(reversed(digits))


def invoice_file_name(
    country: str, code: str, counter: int, extension: Extension = Extension.XML
) -> InvoiceFileName:
    """The file name for the `counter`-th file of transmitter `country`+`code`."""
    name = InvoiceFileName(country.upper(), code.upper(), progressive(counter), extension)
    return InvoiceFileName.parse(str(name))  # validates the transmitter part
