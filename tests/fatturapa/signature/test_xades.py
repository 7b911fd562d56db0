from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from lxml import etree
from signxml import CanonicalizationMethod, XMLSigner
from signxml.xades import XAdESSigner
from tests.support.samples import OFFICIAL

from fatturahub.fatturapa.issues import UnreadableInput
from fatturahub.fatturapa.schemas import schema, validate
from fatturahub.fatturapa.signature import CheckName, Signer, sign_xades, verify_xades
from fatturahub.fatturapa.xmlsafe import parse_xml

XSD = "fatturapa/Schema_del_file_xml_FatturaPA_v1.2.3.xsd"
NS = {"ds": "http://www.w3.org/2000/09/xmldsig#", "xades": "http://uri.etsi.org/01903/v1.3.2#"}
SIGNED_AT = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)


def failed(report) -> dict[CheckName, str | None]:
    return {check.name: check.code for check in report.failures}


def edit(xml: bytes, change) -> bytes:
    """`xml` parsed, changed in place by `change(root)`, written back."""
    root = parse_xml(xml).getroot()
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_signed_with_pkcs12_credentials_verifies(fpr01, pkcs12_bundle, password):
    signer = Signer.from_pkcs12(pkcs12_bundle, password)
    report = verify_xades(sign_xades(fpr01, signer, signing_time=SIGNED_AT))
    assert report.valid, report.failures
    assert report.format == "XAdES-BES"
    assert report.signing_time == SIGNED_AT
    assert report.certificate.common_name == "Mario Rossi"
    assert report.certificate.codice_fiscale == "RSSMRA80A01H501U"
    assert report.certificate.serial_number == signer.certificate.serial_number
    assert "trust list" in report.trust


def test_ec_p256_signed_with_pem_credentials_verifies(fpr01, as_pem, password, ec_signer):
    signer = Signer.from_pem(*as_pem(ec_signer), password=password)
    signed = sign_xades(fpr01, signer)
    assert verify_xades(signed).valid
    assert validate(parse_xml(signed), schema(XSD)) == []


def test_signature_is_the_last_child_and_signs_the_whole_document(fpr01, rsa_signer):
    root = parse_xml(sign_xades(fpr01, rsa_signer, signing_time=SIGNED_AT)).getroot()
    signature = root[-1]
    assert signature.tag == f"{{{NS['ds']}}}Signature"
    whole = signature.xpath("ds:SignedInfo/ds:Reference[@URI='']", namespaces=NS)
    assert len(whole) == 1
    transforms = whole[0].xpath("ds:Transforms/ds:Transform/@Algorithm", namespaces=NS)
    assert "http://www.w3.org/2000/09/xmldsig#enveloped-signature" in transforms


def test_signed_properties_carry_signing_time_and_certificate(fpr01, rsa_signer):
    signature = parse_xml(sign_xades(fpr01, rsa_signer, signing_time=SIGNED_AT)).getroot()[-1]
    (properties,) = signature.xpath(".//xades:SignedProperties", namespaces=NS)
    referenced = signature.xpath(
        "ds:SignedInfo/ds:Reference[@Type='http://uri.etsi.org/01903#SignedProperties']/@URI",
        namespaces=NS,
    )
    assert referenced == [f"#{properties.get('Id')}"]
    signed = properties.find("xades:SignedSignatureProperties", NS)
    assert dt.datetime.fromisoformat(signed.findtext("xades:SigningTime", None, NS)) == SIGNED_AT
    cert = signed.find("xades:SigningCertificate/xades:Cert", NS)
    digest = base64.b64decode(cert.findtext("xades:CertDigest/ds:DigestValue", None, NS))
    assert digest == rsa_signer.certificate.fingerprint(hashes.SHA256())
    serial = cert.findtext("xades:IssuerSerial/ds:X509SerialNumber", None, NS)
    assert serial == str(rsa_signer.certificate.serial_number)


@pytest.mark.parametrize("path", sorted((OFFICIAL / "v1.2").glob("*.xml")), ids=lambda p: p.stem)
def test_signed_official_samples_stay_schema_valid(path, rsa_signer):
    signed = sign_xades(path.read_bytes(), rsa_signer)
    assert validate(parse_xml(signed), schema(XSD)) == []
    assert verify_xades(signed).valid


def test_signing_leaves_the_invoice_content_as_it_was(fpr01, rsa_signer):
    def without_signature(root):
        root.remove(root.find("ds:Signature", NS))

    unsigned = edit(sign_xades(fpr01, rsa_signer), without_signature)
    c14n = [etree.tostring(parse_xml(xml), method="c14n") for xml in (unsigned, fpr01)]
    assert c14n[0] == c14n[1]


def test_altered_text_node_fails_the_content_digest(fpr01, rsa_signer):
    signed = sign_xades(fpr01, rsa_signer)
    altered = signed.replace(b"<Numero>123</Numero>", b"<Numero>124</Numero>")
    assert altered != signed
    report = verify_xades(altered)
    assert not report.valid
    assert report.check(CheckName.CONTENT_DIGEST).code == "00102"
    assert report.check(CheckName.SIGNATURE).ok


def test_altered_signature_value_fails_the_signature_check(fpr01, ec_signer):
    def flip_a_bit(root):
        value = root.find("ds:Signature/ds:SignatureValue", NS)
        raw = bytearray(base64.b64decode(value.text))
        raw[-1] ^= 0x01
        value.text = base64.b64encode(raw).decode()

    report = verify_xades(edit(sign_xades(fpr01, ec_signer), flip_a_bit))
    assert report.check(CheckName.SIGNATURE).code == "00102"
    assert not report.check(CheckName.CONTENT_DIGEST).ok


def test_altered_signing_time_is_caught(fpr01, rsa_signer):
    def backdate(root):
        signing_time = root.find(".//xades:SigningTime", NS)
        signing_time.text = "2020-01-01T00:00:00+00:00"

    report = verify_xades(edit(sign_xades(fpr01, rsa_signer), backdate))
    assert report.check(CheckName.CONTENT_DIGEST).code == "00102"
    assert "SignedProperties" in report.check(CheckName.CONTENT_DIGEST).message
    assert report.signing_time is None


def test_certificate_expired_at_signing_time_fails_validity(fpr01, expired_signer):
    report = verify_xades(sign_xades(fpr01, expired_signer))
    assert failed(report) == {CheckName.CERTIFICATE_VALIDITY: "00100"}


def test_certificate_expired_since_signing_is_still_valid(fpr01, expired_signer):
    signed_at = expired_signer.certificate.not_valid_after_utc - dt.timedelta(days=1)
    assert verify_xades(sign_xades(fpr01, expired_signer, signing_time=signed_at)).valid


def test_plain_xmldsig_signature_is_not_xades_bes(fpr01, rsa_signer):
    signed = XMLSigner(c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0).sign(
        parse_xml(fpr01).getroot(), key=rsa_signer.private_key, cert=[rsa_signer.certificate]
    )
    report = verify_xades(etree.tostring(signed))
    assert failed(report) == {
        CheckName.SIGNING_CERTIFICATE: "00102",
        CheckName.SIGNING_TIME: "00103",
    }


def test_signature_over_part_of_the_document_fails_the_content_check(rsa_signer):
    document = parse_xml(b'<doc><part Id="signed">yes</part><part>not signed</part></doc>')
    signed = XAdESSigner(c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0).sign(
        document.getroot(),
        key=rsa_signer.private_key,
        cert=[rsa_signer.certificate],
        reference_uri="#signed",
    )
    report = verify_xades(etree.tostring(signed))
    assert failed(report) == {CheckName.CONTENT_DIGEST: "00102"}
    assert "not all signed" in report.check(CheckName.CONTENT_DIGEST).message


def test_certificate_in_key_info_other_than_the_signed_one_fails(fpr01, rsa_signer, rsa_key, issue):
    # same key, so the signature verifies: only the signed SigningCertificate digest tells them apart
    twin = issue(rsa_key, serial=rsa_signer.certificate.serial_number, common_name="Mallory")
    key_info = etree.Element(f"{{{NS['ds']}}}KeyInfo")
    certificate = etree.SubElement(
        etree.SubElement(key_info, f"{{{NS['ds']}}}X509Data"), f"{{{NS['ds']}}}X509Certificate"
    )
    certificate.text = base64.b64encode(twin.public_bytes(serialization.Encoding.DER)).decode()
    signed = XAdESSigner(c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0).sign(
        parse_xml(fpr01).getroot(),
        key=rsa_signer.private_key,
        cert=[rsa_signer.certificate],
        key_info=key_info,
    )
    report = verify_xades(etree.tostring(signed))
    assert report.certificate.common_name == "Mallory"
    assert failed(report) == {CheckName.SIGNING_CERTIFICATE: "00102"}


def test_unsigned_document_raises_unreadable_input(fpr01):
    with pytest.raises(UnreadableInput, match="no ds:Signature"):
        verify_xades(fpr01)


def test_signature_inside_the_body_raises_unreadable_input(fpr01, rsa_signer):
    def bury(root):
        root[0].append(root[-1])

    with pytest.raises(UnreadableInput, match="child of the root"):
        verify_xades(edit(sign_xades(fpr01, rsa_signer), bury))


def test_signature_without_certificate_raises_unreadable_input(fpr01, rsa_signer):
    def drop_certificate(root):
        data = root.find("ds:Signature/ds:KeyInfo/ds:X509Data", NS)
        data.getparent().remove(data)

    with pytest.raises(UnreadableInput, match="no X509Certificate"):
        verify_xades(edit(sign_xades(fpr01, rsa_signer), drop_certificate))


@pytest.mark.parametrize("data", [b"", b"not xml", b"<a><b></a>"])
def test_malformed_xml_raises_unreadable_input(data):
    with pytest.raises(UnreadableInput):
        verify_xades(data)


def test_signed_document_is_not_signed_again(fpr01, rsa_signer):
    with pytest.raises(ValueError, match="already signed"):
        sign_xades(sign_xades(fpr01, rsa_signer), rsa_signer)
