"""A throwaway PKI: one CA, signer certificates it issues, and the files signers come in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from tests.support.pki import self_signed

from fatturahub.fatturapa.signature import Signer

NOW = dt.datetime.now(dt.UTC)
CODICE_FISCALE = "RSSMRA80A01H501U"
PASSWORD = b"correct horse"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class CA:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    def issue(
        self,
        key: PrivateKey,
        *,
        not_before: dt.datetime = NOW - dt.timedelta(days=30),
        not_after: dt.datetime = NOW + dt.timedelta(days=365),
        serial: int | None = None,
        common_name: str = "Mario Rossi",
    ) -> x509.Certificate:
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, f"TINIT-{CODICE_FISCALE}"),
            ]
        )
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(serial or x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )


@pytest.fixture(scope="session")
def password() -> bytes:
    return PASSWORD


@pytest.fixture(scope="session")
def ca() -> CA:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return CA(key, self_signed("FatturaHub Test CA", key, days=3650, ca=True))


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def rsa_signer(ca: CA, rsa_key: rsa.RSAPrivateKey) -> Signer:
    return Signer(ca.issue(rsa_key), rsa_key, (ca.certificate,))


@pytest.fixture(scope="session")
def ec_signer(ca: CA, ec_key: ec.EllipticCurvePrivateKey) -> Signer:
    return Signer(ca.issue(ec_key), ec_key, (ca.certificate,))


@pytest.fixture(scope="session")
def expired_signer(ca: CA, rsa_key: rsa.RSAPrivateKey) -> Signer:
    """Valid for 30 days, ended 10 days ago."""
    certificate = ca.issue(
        rsa_key, not_before=NOW - dt.timedelta(days=40), not_after=NOW - dt.timedelta(days=10)
    )
    return Signer(certificate, rsa_key)


@pytest.fixture(scope="session")
def pkcs12_bundle(ca: CA, rsa_signer: Signer) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"signer",
        rsa_signer.private_key,
        rsa_signer.certificate,
        [ca.certificate],
        serialization.BestAvailableEncryption(PASSWORD),
    )


@pytest.fixture(scope="session")
def as_pem(ca: CA) -> Callable[[Signer], tuple[bytes, bytes]]:
    """(the signer's certificate followed by the CA's, the password-encrypted private key)."""

    def files(signer: Signer) -> tuple[bytes, bytes]:
        certificates = b"".join(
            c.public_bytes(serialization.Encoding.PEM) for c in (signer.certificate, ca.certificate)
        )
        key = signer.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASSWORD),
        )
        return certificates, key

    return files


@pytest.fixture
def issue(ca: CA) -> Callable[..., x509.Certificate]:
    return ca.issue
