"""XAdES-BES enveloped signatures: a ds:Signature appended as the last child of the root.

signxml does the XML-DSig work. Two of its XAdES defaults are replaced: the signing time is the
one we are given (signxml always writes "now"), and the signer's certificate is bound with
xades:SigningCertificate, as in ETSI TS 101 903 v1.4.1 that SDI follows (signxml writes the
later SigningCertificateV2). Verification runs signxml's XML-DSig core against the certificate
the signature carries (no trust list: SDI checks that), then reads the XAdES properties from what
was actually verified, never from the raw document.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    InvalidDigest,
    InvalidInput,
    InvalidSignature,
    SignatureConfiguration,
    SignatureMethod,
    XMLVerifier,
)
from signxml.xades import XAdESDataObjectFormat, XAdESSigner

from fatturahub.fatturapa.issues import UnreadableInput
from fatturahub.fatturapa.signature.certificates import CertificateInfo
from fatturahub.fatturapa.signature.checks import check_signing_time, check_validity
from fatturahub.fatturapa.signature.report import (
    SIGNATURE_INVALID,
    XADES_BES,
    Check,
    CheckName,
    SignatureReport,
)
from fatturahub.fatturapa.signature.signer import Signer, signing_moment
from fatturahub.fatturapa.xmlsafe import parse_xml

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
ENVELOPED_TRANSFORM = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_SIGNATURE = f"{{{DS}}}Signature"
_SIGNED_SIGNATURE_PROPERTIES = f"{{{XADES}}}SignedSignatureProperties"


def sign_xades(xml: bytes, signer: Signer, *, signing_time: datetime | None = None) -> bytes:
    """`xml` with an enveloped XAdES-BES signature over the whole document (Reference URI="")."""
    root = parse_xml(xml).getroot()
    if root.find(f".//{_SIGNATURE}") is not None:
        raise ValueError("the document is already signed; remove its ds:Signature to sign anew")
    signed = _XAdESBESSigner(signer, signing_moment(signing_time)).sign(
        root, key=signer.private_key, cert=[signer.certificate, *signer.chain]
    )
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


class _XAdESBESSigner(XAdESSigner):
    def __init__(self, signer: Signer, signing_time: datetime) -> None:
        is_rsa = isinstance(signer.private_key, rsa.RSAPrivateKey)
        algorithm = SignatureMethod.RSA_SHA256 if is_rsa else SignatureMethod.ECDSA_SHA256
        super().__init__(
            signature_algorithm=algorithm,
            digest_algorithm=DigestAlgorithm.SHA256,
            # inclusive C14N 1.0: the canonicalization every XML-DSig verifier supports
            c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
            data_object_format=XAdESDataObjectFormat(Description="FatturaPA", MimeType="text/xml"),
        )
        self._signer = signer
        self._signing_time = signing_time

    # signxml calls its annotators with these three arguments; only the first is needed here

    def add_signing_time(self, signed_signature_properties, sig_root, signing_settings) -> None:
        signing_time = _add(signed_signature_properties, XADES, "SigningTime")
        signing_time.text = self._signing_time.isoformat(timespec="seconds")

    def add_signing_certificate(self, signed_signature_properties, sig_root, signing_settings) -> None:
        certificate = self._signer.certificate
        digest = certificate.fingerprint(DigestAlgorithm.SHA256.implementation())
        cert = _add(_add(signed_signature_properties, XADES, "SigningCertificate"), XADES, "Cert")
        cert_digest = _add(cert, XADES, "CertDigest")
        _add(cert_digest, DS, "DigestMethod").set("Algorithm", DigestAlgorithm.SHA256.value)
        _add(cert_digest, DS, "DigestValue").text = base64.b64encode(digest).decode()
        issuer_serial = _add(cert, XADES, "IssuerSerial")
        _add(issuer_serial, DS, "X509IssuerName").text = certificate.issuer.rfc4514_string()
        _add(issuer_serial, DS, "X509SerialNumber").text = str(certificate.serial_number)


def _add(parent: etree._Element, namespace: str, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{namespace}}}{name}")


@dataclass(frozen=True, slots=True)
class _Core:
    """The XML-DSig core verdicts and, once verified, the XAdES SignedProperties it signed."""

    content: Check
    signature: Check
    verified: bool
    signed_properties: etree._Element | None = None


def verify_xades(xml: bytes) -> SignatureReport:
    """Check the enveloped signature of `xml` (a signed FatturaPA or SDI message)."""
    root = parse_xml(xml).getroot()
    signature = _the_signature(root)
    certificate = _certificate(signature)
    core = _verify_core(root, certificate)
    signing_time, time_check = _signing_time(core)
    info = CertificateInfo.from_der(certificate.public_bytes(Encoding.DER))
    now = datetime.now(UTC)
    checks = (
        core.content,
        core.signature,
        _check_signing_certificate(core, certificate),
        time_check or check_signing_time(signing_time, now),
        check_validity(info, signing_time, now),
    )
    return SignatureReport(XADES_BES, info, signing_time, checks)


def _the_signature(root: etree._Element) -> etree._Element:
    signatures = list(root.iter(_SIGNATURE))
    if not signatures:
        raise UnreadableInput.single(SIGNATURE_INVALID, "the document carries no ds:Signature")
    if len(signatures) > 1 or signatures[0].getparent() is not root:
        raise UnreadableInput.single(
            SIGNATURE_INVALID, "expected one enveloped ds:Signature, a child of the root element"
        )
    return signatures[0]


def _certificate(signature: etree._Element) -> x509.Certificate:
    """The first X509Certificate of KeyInfo: by convention the signer's, the chain after it."""
    text = signature.findtext(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
    if not text:
        raise UnreadableInput.single(
            SIGNATURE_INVALID, "the ds:Signature carries no X509Certificate to verify it with"
        )
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join(text.split())))
    except (ValueError, binascii.Error) as exc:
        raise UnreadableInput.single(SIGNATURE_INVALID, f"unreadable X509Certificate: {exc}") from None


def _verify_core(root: etree._Element, certificate: x509.Certificate) -> _Core:
    # Verify at a moment the certificate is valid: whether it was valid when it signed is our own
    # check, against the signed SigningTime, which signxml does not read.
    config = SignatureConfiguration(
        expect_references=True, verification_time=certificate.not_valid_before_utc
    )
    try:
        results = XMLVerifier().verify(root, x509_cert=certificate, expect_config=config)
    except InvalidDigest as exc:
        altered = f"altered after signing: {exc}"
        return _Core(
            Check.failed(CheckName.CONTENT_DIGEST, SIGNATURE_INVALID, altered),
            Check.passed(CheckName.SIGNATURE, "signature over SignedInfo is valid"),
            verified=False,
        )
    except (InvalidSignature, InvalidInput) as exc:
        return _Core(
            Check.failed(CheckName.CONTENT_DIGEST, None, "not checked: the signature is invalid"),
            Check.failed(CheckName.SIGNATURE, SIGNATURE_INVALID, f"signature invalid: {exc}"),
            verified=False,
        )
    references = results[0].signature_xml.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    return _Core(
        _check_covers_document(references),
        Check.passed(CheckName.SIGNATURE, "signature over SignedInfo is valid"),
        verified=True,
        signed_properties=_signed_properties(references, results),
    )


def _check_covers_document(references: list[etree._Element]) -> Check:
    name = CheckName.CONTENT_DIGEST
    for reference in references:
        transforms = reference.findall(f"{{{DS}}}Transforms/{{{DS}}}Transform")
        enveloped = any(t.get("Algorithm") == ENVELOPED_TRANSFORM for t in transforms)
        if reference.get("URI") == "" and enveloped:
            return Check.passed(name, "the digest of the whole document matches")
    return Check.failed(
        name, SIGNATURE_INVALID, 'no enveloped Reference URI="": the document is not all signed'
    )


def _signed_properties(references: list[etree._Element], results: list) -> etree._Element | None:
    for reference, result in zip(references, results, strict=True):
        if reference.get("Type") == SIGNED_PROPERTIES_TYPE and result.signed_xml is not None:
            return result.signed_xml
    return None


def _signing_time(core: _Core) -> tuple[datetime | None, Check | None]:
    """The signed SigningTime, or the check that says why there is none we can trust."""
    if not core.verified:
        return None, _not_checked(CheckName.SIGNING_TIME)
    if core.signed_properties is None:
        return None, None
    text = core.signed_properties.findtext(f"{_SIGNED_SIGNATURE_PROPERTIES}/{{{XADES}}}SigningTime")
    if text is None:
        return None, None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None, Check.failed(
            CheckName.SIGNING_TIME, SIGNATURE_INVALID, f"unreadable SigningTime {text!r}"
        )
    # xs:dateTime may omit the zone; read it as UTC rather than guess the signer's clock
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), None


def _check_signing_certificate(core: _Core, certificate: x509.Certificate) -> Check:
    name = CheckName.SIGNING_CERTIFICATE
    if not core.verified:
        return _not_checked(name)
    if core.signed_properties is None:
        return Check.failed(name, SIGNATURE_INVALID, "no signed XAdES SignedProperties")
    cert_digest = core.signed_properties.find(
        f"{_SIGNED_SIGNATURE_PROPERTIES}/{{{XADES}}}*/{{{XADES}}}Cert/{{{XADES}}}CertDigest"
    )
    if cert_digest is None:
        return Check.failed(
            name, SIGNATURE_INVALID, "no SigningCertificate in SignedProperties: not XAdES-BES"
        )
    try:
        algorithm = DigestAlgorithm(cert_digest.find(f"{{{DS}}}DigestMethod").get("Algorithm"))
        expected = base64.b64decode(cert_digest.findtext(f"{{{DS}}}DigestValue") or "")
    except (InvalidInput, ValueError, AttributeError) as exc:
        return Check.failed(name, SIGNATURE_INVALID, f"unreadable CertDigest: {exc}")
    if expected != certificate.fingerprint(algorithm.implementation()):
        return Check.failed(name, SIGNATURE_INVALID, "KeyInfo's certificate is not the one the signer signed")
    return Check.passed(name, f"{algorithm.name} hash of the signing certificate matches")


def _not_checked(name: CheckName) -> Check:
    return Check.failed(name, None, "not checked: the signature did not verify")
