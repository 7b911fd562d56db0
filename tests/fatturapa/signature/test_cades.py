from __future__ import annotations

import base64
import datetime as dt
import subprocess
from dataclasses import replace

import pytest
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from tests.support.cms import p7m as plain_pkcs7
from tests.support.cms import to_ber_indefinite

from fatturahub.fatturapa import p7m
from fatturahub.fatturapa.issues import UnreadableInput
from fatturahub.fatturapa.signature import CheckName, Signer, sign_cades, verify_cades

SIGNED_AT = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
ALL_CHECKS = set(CheckName)


def failed(report) -> dict[CheckName, str | None]:
    return {check.name: check.code for check in report.failures}


def test_signed_with_pkcs12_credentials_verifies(fpr01, pkcs12_bundle, password, ca):
    signer = Signer.from_pkcs12(pkcs12_bundle, password)
    report = verify_cades(sign_cades(fpr01, signer, signing_time=SIGNED_AT))
    assert report.valid, report.failures
    assert {check.name for check in report.checks} == ALL_CHECKS
    assert report.format == "CAdES-BES"
    assert report.signing_time == SIGNED_AT
    assert report.certificate.common_name == "Mario Rossi"
    assert report.certificate.codice_fiscale == "RSSMRA80A01H501U"
    assert "FatturaHub Test CA" in report.certificate.issuer
    assert report.certificate.serial_number == signer.certificate.serial_number
    assert report.certificate.not_after == signer.certificate.not_valid_after_utc
    assert "trust list" in report.trust
    assert report.co_signatures == ()


def test_signed_with_pem_credentials_verifies(fpr01, as_pem, password, rsa_signer):
    signer = Signer.from_pem(*as_pem(rsa_signer), password=password)
    report = verify_cades(sign_cades(fpr01, signer))
    assert report.valid, report.failures
    assert report.signing_time is not None
    assert abs(dt.datetime.now(dt.UTC) - report.signing_time) < dt.timedelta(minutes=1)


def test_ec_p256_signature_verifies(fpr01, ec_signer):
    report = verify_cades(sign_cades(fpr01, ec_signer))
    assert report.valid, report.failures
    assert "ecdsa" in report.check(CheckName.SIGNATURE).message


def test_envelope_embeds_content_and_ships_the_chain(fpr01, rsa_signer, ca):
    signed = p7m.load_signed_data(sign_cades(fpr01, rsa_signer))
    assert p7m.signed_content(signed) == fpr01
    certificates = {choice.chosen.dump() for choice in signed["certificates"]}
    ca_der = ca.certificate.public_bytes(serialization.Encoding.DER)
    assert certificates == {rsa_signer.certificate_der, ca_der}
    attributes = {a["type"].native for a in signed["signer_infos"][0]["signed_attrs"]}
    expected = {"content_type", "message_digest", "signing_time", "signing_certificate_v2"}
    assert attributes == expected


@pytest.mark.parametrize("signer_fixture", ["rsa_signer", "ec_signer"])
def test_openssl_accepts_the_p7m_and_returns_the_original_bytes(fpr01, signer_fixture, request, tmp_path):
    path = tmp_path / "IT01234567890_FPR01.xml.p7m"
    path.write_bytes(sign_cades(fpr01, request.getfixturevalue(signer_fixture)))
    result = subprocess.run(
        ["openssl", "cms", "-verify", "-noverify", "-inform", "DER", "-in", str(path)],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert b"Verification successful" in result.stderr
    assert result.stdout == fpr01


def test_openssl_rejects_an_altered_p7m(fpr01, rsa_signer, tmp_path):
    path = tmp_path / "altered.p7m"
    path.write_bytes(_alter_content(sign_cades(fpr01, rsa_signer)))
    result = subprocess.run(
        ["openssl", "cms", "-verify", "-noverify", "-inform", "DER", "-in", str(path)],
        capture_output=True,
        check=False,
    )
    assert result.returncode != 0


def test_ber_with_indefinite_lengths_verifies(fpr01, rsa_signer):
    ber = to_ber_indefinite(sign_cades(fpr01, rsa_signer), chunk=512)
    assert ber[1] == 0x80
    assert verify_cades(ber).valid


@pytest.mark.parametrize(
    "wrap",
    [
        lambda der: base64.b64encode(der),
        lambda der: base64.encodebytes(der).replace(b"\n", b"\r\n"),
        lambda der: b"-----BEGIN PKCS7-----\n" + base64.encodebytes(der) + b"-----END PKCS7-----\n",
    ],
    ids=["one-line", "crlf-wrapped", "pem"],
)
def test_base64_envelopes_verify(fpr01, ec_signer, wrap):
    assert verify_cades(wrap(sign_cades(fpr01, ec_signer))).valid


def _alter_content(der: bytes) -> bytes:
    altered = der.replace(b"<Numero>123</Numero>", b"<Numero>124</Numero>")
    assert altered != der
    return altered


def test_altered_content_fails_the_message_digest(fpr01, rsa_signer):
    report = verify_cades(_alter_content(sign_cades(fpr01, rsa_signer)))
    assert not report.valid
    assert failed(report) == {CheckName.CONTENT_DIGEST: "00102"}
    assert "altered" in report.check(CheckName.CONTENT_DIGEST).message


@pytest.mark.parametrize("signer_fixture", ["rsa_signer", "ec_signer"])
def test_altered_signature_fails_the_signature_check(fpr01, signer_fixture, request):
    der = bytearray(sign_cades(fpr01, request.getfixturevalue(signer_fixture)))
    der[-1] ^= 0x01  # SignerInfo.signature is the last field of the last element
    report = verify_cades(bytes(der))
    assert failed(report) == {CheckName.SIGNATURE: "00102"}


def test_certificate_substituted_after_signing_fails_signing_certificate(fpr01, rsa_signer, rsa_key, issue):
    # same issuer, serial and key, so the signature still verifies: only ESS catches it
    twin = issue(rsa_key, serial=rsa_signer.certificate.serial_number, common_name="Mallory")
    info = cms.ContentInfo.load(sign_cades(fpr01, rsa_signer))
    info["content"]["certificates"] = [
        asn1_x509.Certificate.load(twin.public_bytes(serialization.Encoding.DER))
    ]
    report = verify_cades(info.dump())
    assert report.certificate.common_name == "Mallory"
    assert failed(report) == {CheckName.SIGNING_CERTIFICATE: "00102"}


def test_certificate_expired_at_signing_time_fails_validity(fpr01, expired_signer):
    report = verify_cades(sign_cades(fpr01, expired_signer))
    assert failed(report) == {CheckName.CERTIFICATE_VALIDITY: "00100"}
    assert "expired" in report.check(CheckName.CERTIFICATE_VALIDITY).message


def test_certificate_expired_since_signing_is_still_valid(fpr01, expired_signer):
    signed_at = expired_signer.certificate.not_valid_after_utc - dt.timedelta(days=1)
    report = verify_cades(sign_cades(fpr01, expired_signer, signing_time=signed_at))
    assert report.valid, report.failures


def test_signing_before_the_certificate_was_valid_fails_validity(fpr01, rsa_signer):
    signed_at = rsa_signer.certificate.not_valid_before_utc - dt.timedelta(days=1)
    report = verify_cades(sign_cades(fpr01, rsa_signer, signing_time=signed_at))
    assert failed(report) == {CheckName.CERTIFICATE_VALIDITY: "00107"}


def test_signing_time_in_the_future_fails(fpr01, rsa_signer):
    signed_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    report = verify_cades(sign_cades(fpr01, rsa_signer, signing_time=signed_at))
    assert failed(report) == {CheckName.SIGNING_TIME: "00105"}


def test_plain_pkcs7_is_not_cades_bes(fpr01):
    report = verify_cades(plain_pkcs7(fpr01))
    assert failed(report) == {CheckName.SIGNING_CERTIFICATE: "00102"}


def test_signature_without_signed_attributes_lacks_signing_time(fpr01, rsa_signer):
    der = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(fpr01)
        .add_signer(rsa_signer.certificate, rsa_signer.private_key, hashes.SHA256())
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoAttributes],
        )
    )
    report = verify_cades(der)
    assert report.signing_time is None
    assert report.check(CheckName.SIGNATURE).ok  # made over the content itself
    assert failed(report) == {
        CheckName.SIGNING_CERTIFICATE: "00102",
        CheckName.SIGNING_TIME: "00103",
    }
    assert "now" in report.check(CheckName.CERTIFICATE_VALIDITY).message


def test_co_signatures_are_verified_too(fpr01, rsa_signer, ec_signer):
    info = cms.ContentInfo.load(sign_cades(fpr01, rsa_signer))
    other = cms.ContentInfo.load(sign_cades(fpr01, ec_signer))["content"]
    other_signer = other["signer_infos"][0]
    signature = bytearray(other_signer["signature"].native)
    signature[-1] ^= 0x01
    other_signer["signature"] = bytes(signature)
    signed = info["content"]
    signed["signer_infos"] = [*signed["signer_infos"], other_signer]
    signed["certificates"] = [*signed["certificates"], other["certificates"][0]]
    report = verify_cades(info.dump())
    assert len(report.co_signatures) == 1
    by_serial = {r.certificate.serial_number: failed(r) for r in (report, *report.co_signatures)}
    assert by_serial == {
        rsa_signer.certificate.serial_number: {},
        ec_signer.certificate.serial_number: {CheckName.SIGNATURE: "00102"},
    }
    assert not report.valid


def test_an_invalid_co_signature_makes_the_report_invalid(fpr01, rsa_signer):
    good = verify_cades(sign_cades(fpr01, rsa_signer))
    bad = verify_cades(_alter_content(sign_cades(fpr01, rsa_signer)))
    assert good.valid
    assert not replace(good, co_signatures=(good, bad)).valid
    assert replace(good, co_signatures=(good,)).valid


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<p:FatturaElettronica/>",
        b"\x30\x82\x05\x00\x06\x09garbage",
        base64.b64encode(b"neither CMS nor anything else"),
    ],
    ids=["empty", "xml", "truncated-der", "base64-of-junk"],
)
def test_malformed_input_raises_unreadable_input(data):
    with pytest.raises(UnreadableInput):
        verify_cades(data)


def test_truncated_envelope_raises_unreadable_input(fpr01, rsa_signer):
    with pytest.raises(UnreadableInput) as raised:
        verify_cades(sign_cades(fpr01, rsa_signer)[:-40])
    assert raised.value.issues[0].code == "00106"


def test_envelope_without_the_signer_certificate_is_unreadable(fpr01, rsa_signer):
    info = cms.ContentInfo.load(sign_cades(fpr01, rsa_signer))
    del info["content"]["certificates"]
    with pytest.raises(UnreadableInput, match="certificate is not in the"):
        verify_cades(info.dump())


def test_naive_signing_time_is_refused(fpr01, rsa_signer):
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_cades(fpr01, rsa_signer, signing_time=dt.datetime(2024, 1, 1))
