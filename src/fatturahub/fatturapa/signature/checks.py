"""Checks that read the same in CAdES and XAdES: the signing time and the certificate's validity."""

from __future__ import annotations

from datetime import datetime

from fatturahub.fatturapa.signature.certificates import CertificateInfo
from fatturahub.fatturapa.signature.report import (
    CERTIFICATE_EXPIRED,
    CERTIFICATE_NOT_VALID,
    SIGNING_TIME_AFTER_RECEIPT,
    SIGNING_TIME_MISSING,
    Check,
    CheckName,
)


def check_signing_time(signing_time: datetime | None, now: datetime) -> Check:
    if signing_time is None:
        return Check.failed(CheckName.SIGNING_TIME, SIGNING_TIME_MISSING, "the signature has no signing time")
    if signing_time > now:
        return Check.failed(
            CheckName.SIGNING_TIME,
            SIGNING_TIME_AFTER_RECEIPT,
            f"signing time {signing_time.isoformat()} is later than now ({now.isoformat()})",
        )
    return Check.passed(CheckName.SIGNING_TIME, f"signed at {signing_time.isoformat()}")


def check_validity(certificate: CertificateInfo, signing_time: datetime | None, now: datetime) -> Check:
    """Valid when it signed; without a signing time, the only moment we can vouch for is now."""
    moment = signing_time or now
    stamp = moment.isoformat()
    when = f"at signing time {stamp}" if signing_time else f"now ({stamp})"
    if moment > certificate.not_after:
        return Check.failed(
            CheckName.CERTIFICATE_VALIDITY,
            CERTIFICATE_EXPIRED,
            f"certificate expired on {certificate.not_after.isoformat()}, before {when}",
        )
    if moment < certificate.not_before:
        return Check.failed(
            CheckName.CERTIFICATE_VALIDITY,
            CERTIFICATE_NOT_VALID,
            f"certificate not valid before {certificate.not_before.isoformat()}, {when}",
        )
    return Check.passed(CheckName.CERTIFICATE_VALIDITY, f"certificate valid {when}")
