from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import pkcs12

from fatturahub.fatturapa.signature import InvalidCredentials, Signer


def test_pkcs12_gives_key_certificate_and_chain(pkcs12_bundle, password, rsa_signer, ca):
    signer = Signer.from_pkcs12(pkcs12_bundle, password)
    assert signer.certificate == rsa_signer.certificate
    assert signer.chain == (ca.certificate,)
    assert signer.certificate_der == rsa_signer.certificate_der


def test_pkcs12_password_may_be_text(pkcs12_bundle, password, rsa_signer):
    signer = Signer.from_pkcs12(pkcs12_bundle, password.decode())
    assert signer.certificate == rsa_signer.certificate


def test_pkcs12_without_password(rsa_signer):
    bundle = pkcs12.serialize_key_and_certificates(
        None, rsa_signer.private_key, rsa_signer.certificate, None, serialization.NoEncryption()
    )
    assert Signer.from_pkcs12(bundle).chain == ()


@pytest.mark.parametrize("password", [b"wrong", None])
def test_pkcs12_with_wrong_password_is_refused(pkcs12_bundle, password):
    with pytest.raises(InvalidCredentials, match="PKCS#12"):
        Signer.from_pkcs12(pkcs12_bundle, password)


def test_pkcs12_without_a_key_is_refused(rsa_signer):
    bundle = pkcs12.serialize_key_and_certificates(
        None, None, None, [rsa_signer.certificate], serialization.NoEncryption()
    )
    with pytest.raises(InvalidCredentials, match="no private key"):
        Signer.from_pkcs12(bundle)


def test_pem_with_encrypted_key_and_chain(as_pem, password, ec_signer, ca):
    certificates, key = as_pem(ec_signer)
    signer = Signer.from_pem(certificates, key, password=password)
    assert signer.certificate == ec_signer.certificate
    assert signer.chain == (ca.certificate,)


@pytest.mark.parametrize("password", [b"wrong", None])
def test_pem_with_wrong_password_is_refused(as_pem, ec_signer, password):
    certificates, key = as_pem(ec_signer)
    with pytest.raises(InvalidCredentials, match="PEM"):
        Signer.from_pem(certificates, key, password=password)


def test_key_of_another_certificate_is_refused(rsa_signer, ec_signer):
    with pytest.raises(InvalidCredentials, match="does not belong"):
        Signer(rsa_signer.certificate, ec_signer.private_key)


def test_unsupported_key_type_is_refused(rsa_signer):
    with pytest.raises(InvalidCredentials, match="RSA or EC"):
        Signer(rsa_signer.certificate, ed25519.Ed25519PrivateKey.generate())  # type: ignore[arg-type]
