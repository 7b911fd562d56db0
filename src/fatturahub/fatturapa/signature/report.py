"""What verifying a signature found: who signed, when, and a verdict for each check.

A bad signature is a report with failed checks, never an exception. Failed checks carry the SDI
error code SDI would reject the file with (FACTS.md §4), so a report maps onto a notifica di scarto.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum

from fatturahub.fatturapa.signature.certificates import CertificateInfo

# SDI codes for signature problems (FACTS.md §4).
CERTIFICATE_EXPIRED = "00100"
SIGNATURE_INVALID = "00102"
SIGNING_TIME_MISSING = "00103"
SIGNING_TIME_AFTER_RECEIPT = "00105"
CERTIFICATE_NOT_VALID = "00107"

CADES_BES = "CAdES-BES"
XADES_BES = "XAdES-BES"

TRUST_NOT_CHECKED = (
    "certificate chain not checked against a trust list, nor for revocation "
    "(SDI checks both against the AgID/EU trusted list)"
)


class CheckName(StrEnum):
    CONTENT_DIGEST = "content-digest"
    SIGNATURE = "signature"
    SIGNING_CERTIFICATE = "signing-certificate"
    SIGNING_TIME = "signing-time"
    CERTIFICATE_VALIDITY = "certificate-validity"


@dataclass(frozen=True, slots=True)
class Check:
    """One verdict. `code` is the SDI error code of a failure, None when ok."""

    name: CheckName
    ok: bool
    message: str
    code: str | None = None

    @classmethod
    def passed(cls, name: CheckName, message: str) -> Check:
        return cls(name, True, message)

    @classmethod
    def failed(cls, name: CheckName, code: str | None, message: str) -> Check:
        return cls(name, False, message, code)


@dataclass(frozen=True, slots=True)
class SignatureReport:
    """One signature: its signer, its signing time, its checks, and any parallel co-signatures."""

    format: str
    certificate: CertificateInfo
    signing_time: datetime | None
    checks: tuple[Check, ...]
    co_signatures: tuple[SignatureReport, ...] = ()
    trust: str = TRUST_NOT_CHECKED

    @property
    def valid(self) -> bool:
        own = all(check.ok for check in self.checks)
        return own and all(report.valid for report in self.co_signatures)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)

    def check(self, name: CheckName) -> Check:
        return next(check for check in self.checks if check.name == name)

    def as_dict(self) -> dict:
        """Plain data (JSON-ready with default=str), with the overall verdict."""
        return {**asdict(self), "valid": self.valid}
