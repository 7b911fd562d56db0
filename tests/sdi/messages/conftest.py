"""Shared fixtures: the official samples and a real XML-DSig signer with a throwaway key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml import XMLSigner, methods
from tests.support.pki import self_signed

OFFICIAL = Path(__file__).parents[2] / "data" / "official" / "messaggi"


def official_path(type_code: str) -> Path:
    return OFFICIAL / f"IT01234567890_11111_{type_code}_001.xml"


@pytest.fixture
def official() -> Callable[[str], bytes]:
    """The bytes of the official sample of a notification type ("RC", "NS", ...)."""
    return lambda type_code: official_path(type_code).read_bytes()


@pytest.fixture(scope="session")
def certificate_and_key() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = self_signed("FatturaHub test SDI", key, days=1)
    return (
        certificate.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


@pytest.fixture(scope="session")
def sign(certificate_and_key: tuple[bytes, bytes]) -> Callable[[bytes], bytes]:
    """An enveloped RSA-SHA256 XML-DSig signer, as the sandbox's XAdES signer will be used."""
    certificate, key = certificate_and_key
    signer = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256")

    def _sign(document: bytes) -> bytes:
        signed = signer.sign(etree.fromstring(document), key=key, cert=certificate)
        return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")

    return _sign
