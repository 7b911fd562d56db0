"""Real servers on loopback for the SDICoop tests, and throwaway certificates for mutual TLS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fastapi import FastAPI, Request, Response
from tests.support.server import serving

Serve = Callable[..., AbstractContextManager[str]]


@dataclass
class CannedPeer:
    """A SOAP service at `path` that records each request and answers `answers[answer]`."""

    path: str
    answers: Mapping[str, Callable[[], Response]]
    default: str  # the answer after reset()
    url: str = ""  # where it is served, once it is
    answer: str = ""
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.answer = self.answer or self.default

    def app(self) -> FastAPI:
        app = FastAPI()
        app.post(self.path)(self.receive)
        return app

    async def receive(self, request: Request) -> Response:
        self.requests.append((dict(request.headers), await request.body()))
        return self.answers[self.answer]()

    def reset(self) -> CannedPeer:
        self.answer = self.default
        self.requests.clear()
        return self


CLIENT_COMMON_NAME = "FatturaHub test client"


@pytest.fixture(scope="session")
def serve() -> Serve:
    return serving


@dataclass(frozen=True)
class Pki:
    client_name: str  # the common name of our client certificate
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    stranger_cert: Path  # a client certificate from another CA
    stranger_key: Path

    def server_options(self) -> dict[str, Any]:
        """uvicorn options for a server that requires a client certificate signed by our CA."""
        return {
            "ssl_certfile": str(self.server_cert),
            "ssl_keyfile": str(self.server_key),
            "ssl_ca_certs": str(self.ca),
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
        }


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    ca_key, ca = _authority("FatturaHub test CA")
    server_key, server = _leaf(ca_key, ca, "127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH)
    client_key, client = _leaf(ca_key, ca, CLIENT_COMMON_NAME, ExtendedKeyUsageOID.CLIENT_AUTH)
    other_ca_key, other_ca = _authority("Another CA")
    stranger_key, stranger = _leaf(other_ca_key, other_ca, "stranger", ExtendedKeyUsageOID.CLIENT_AUTH)
    return Pki(
        client_name=CLIENT_COMMON_NAME,
        ca=_write(directory / "ca.pem", ca),
        server_cert=_write(directory / "server.pem", server),
        server_key=_write(directory / "server.key", server_key),
        client_cert=_write(directory / "client.pem", client),
        client_key=_write(directory / "client.key", client_key),
        stranger_cert=_write(directory / "stranger.pem", stranger),
        stranger_key=_write(directory / "stranger.key", stranger_key),
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: str, issuer: x509.Name, key: ec.EllipticCurvePrivateKey) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
    )


def _authority(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        _builder(common_name, _name(common_name), key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _leaf(
    ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, common_name: str, usage: x509.ObjectIdentifier
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        _builder(common_name, ca.subject, key)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if usage == ExtendedKeyUsageOID.SERVER_AUTH:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(common_name))])
        builder = builder.add_extension(san, critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def _write(path: Path, item: x509.Certificate | ec.EllipticCurvePrivateKey) -> Path:
    if isinstance(item, x509.Certificate):
        path.write_bytes(item.public_bytes(serialization.Encoding.PEM))
    else:
        path.write_bytes(
            item.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return path
