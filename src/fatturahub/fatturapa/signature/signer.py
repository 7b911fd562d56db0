"""Who signs: a private key and its certificate (plus the CA chain to ship with signatures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
Password = bytes | str | None


class InvalidCredentials(ValueError):
    """The key or certificate cannot be loaded or cannot sign (wrong password, mismatched pair)."""


@dataclass(frozen=True, slots=True)
class Signer:
    certificate: x509.Certificate
    private_key: PrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.private_key, PrivateKey):
            raise InvalidCredentials(
                f"{type(self.private_key).__name__} keys are not supported: use RSA or EC"
            )
        if self.private_key.public_key() != self.certificate.public_key():
            raise InvalidCredentials("the private key does not belong to the certificate")

    @classmethod
    def from_pkcs12(cls, data: bytes, password: Password = None) -> Signer:
        try:
            key, certificate, chain = pkcs12.load_key_and_certificates(data, _bytes(password))
        except ValueError as exc:
            raise InvalidCredentials(f"unreadable PKCS#12 (or wrong password): {exc}") from None
        if key is None or certificate is None:
            raise InvalidCredentials("the PKCS#12 holds no private key with its certificate")
        return cls(certificate, key, tuple(chain))  # type: ignore[arg-type]  # checked on init

    @classmethod
    def from_pem(cls, cert_pem: bytes, key_pem: bytes, password: Password = None) -> Signer:
        """`cert_pem` holds the signer's certificate first, then any CA certificates to ship."""
        try:
            certificate, *chain = x509.load_pem_x509_certificates(cert_pem)
            key = serialization.load_pem_private_key(key_pem, _bytes(password))
        except (ValueError, TypeError) as exc:
            raise InvalidCredentials(f"unreadable PEM key or certificate: {exc}") from None
        return cls(certificate, key, tuple(chain))  # type: ignore[arg-type]  # checked on init

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def sign(self, data: bytes) -> bytes:
        """SHA-256 signature: PKCS#1 v1.5 for RSA (as Italian smart cards sign), ECDSA for EC."""
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))


def signing_moment(signing_time: datetime | None) -> datetime:
    """The time a signature declares: the one given (timezone-aware) or now, UTC, whole seconds
    (CMS UTCTime has no fractions; XAdES gets the same value so both formats agree)."""
    moment = signing_time or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("signing_time must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0)


def _bytes(password: Password) -> bytes | None:
    return password.encode() if isinstance(password, str) else password
