"""The signer's certificate as a report shows it.

Read with asn1crypto rather than cryptography: certificates from Italian smart cards sometimes
carry ASN.1 that strict parsers refuse (UniversalString names, odd serials), and a report must
still be written for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509

from fatturahub.fatturapa.issues import FILE_CORRUPT, UnreadableInput

# Qualified certificates carry the holder's codice fiscale in serialNumber, as an ETSI semantic
# identifier ("TINIT-RSSMRA80A01H501U") or, on older cards, as "IT:RSSMRA80A01H501U".
_CODICE_FISCALE = re.compile(
    r"(?:TINIT-|IT:)?([A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z])"
)


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    subject: str
    common_name: str | None
    codice_fiscale: str | None
    issuer: str
    serial_number: int
    not_before: datetime
    not_after: datetime

    @classmethod
    def from_der(cls, der: bytes) -> CertificateInfo:
        try:
            certificate = x509.Certificate.load(der)
            subject = certificate.subject
            return cls(
                subject=subject.human_friendly,
                common_name=_text(subject.native.get("common_name")),
                codice_fiscale=_codice_fiscale(subject.native.get("serial_number")),
                issuer=certificate.issuer.human_friendly,
                serial_number=certificate.serial_number,
                not_before=certificate.not_valid_before,
                not_after=certificate.not_valid_after,
            )
        except (ValueError, TypeError, KeyError) as exc:
            raise UnreadableInput.single(FILE_CORRUPT, f"unreadable signer certificate: {exc}") from None


def _text(value: object) -> str | None:
    # a name attribute that appears more than once comes back as a list: the first one names it
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def _codice_fiscale(serial_number: object) -> str | None:
    text = _text(serial_number)
    match = _CODICE_FISCALE.fullmatch(text.strip().upper()) if text else None
    return match.group(1) if match else None
