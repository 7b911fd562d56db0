"""CAdES-BES attached signatures (.p7m): CMS SignedData with the invoice embedded.

CAdES-BES is CMS plus signed attributes that bind the signing time and the signer's certificate
(ESS signing-certificate-v2, RFC 5035) to the signature; `cryptography` cannot add the latter, so
the structure is built with asn1crypto and only the signing itself is left to `cryptography`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from asn1crypto import cms, core, tsp, x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from fatturahub.fatturapa import p7m
from fatturahub.fatturapa.issues import FILE_CORRUPT, UnreadableInput
from fatturahub.fatturapa.normalize import base64_payload
from fatturahub.fatturapa.signature.certificates import CertificateInfo
from fatturahub.fatturapa.signature.checks import check_signing_time, check_validity
from fatturahub.fatturapa.signature.report import (
    CADES_BES,
    SIGNATURE_INVALID,
    Check,
    CheckName,
    SignatureReport,
)
from fatturahub.fatturapa.signature.signer import Signer, signing_moment

# Digests accepted over content and signed attributes. SHA-1 is not among them (collisions are
# practical); it survives only where ESS v1 fixes it, as the hash of the signer's certificate.
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def sign_cades(content: bytes, signer: Signer, *, signing_time: datetime | None = None) -> bytes:
    """DER CMS SignedData embedding `content`, signed with SHA-256 (a CAdES-BES .p7m)."""
    certificate = x509.Certificate.load(signer.certificate_der)
    attributes = _signed_attributes(content, certificate, signing_moment(signing_time))
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": certificate.issuer,
                        "serial_number": certificate.serial_number,
                    }
                }
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attributes,
            "signature_algorithm": {"algorithm": _signature_algorithm(signer)},
            "signature": signer.sign(attributes.dump()),
        }
    )
    der = serialization.Encoding.DER
    chain = [x509.Certificate.load(c.public_bytes(der)) for c in signer.chain]
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "data", "content": content},
            "certificates": [certificate, *chain],
            "signer_infos": [signer_info],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


def _signed_attributes(
    content: bytes, certificate: x509.Certificate, signing_time: datetime
) -> cms.CMSAttributes:
    essential_id = tsp.ESSCertIDv2(
        {  # hash_algorithm left out: SHA-256 is its DER default
            "cert_hash": _digest(hashes.SHA256(), certificate.dump()),
            "issuer_serial": {
                "issuer": [x509.GeneralName({"directory_name": certificate.issuer})],
                "serial_number": certificate.serial_number,
            },
        }
    )
    attributes = [
        _attribute("content_type", "data"),
        _attribute("signing_time", _cms_time(signing_time)),
        _attribute("message_digest", _digest(hashes.SHA256(), content)),
        _attribute("signing_certificate_v2", tsp.SigningCertificateV2({"certs": [essential_id]})),
    ]
    # a SET OF: asn1crypto writes it in DER order, the one OpenSSL re-encodes it in to verify
    return cms.CMSAttributes(attributes)


def _attribute(kind: str, value: object) -> cms.CMSAttribute:
    return cms.CMSAttribute({"type": kind, "values": [value]})


def _cms_time(moment: datetime) -> cms.Time:
    # RFC 5652: UTCTime up to 2049, GeneralizedTime from 2050
    return cms.Time({"utc_time" if moment.year < 2050 else "general_time": moment})


def _signature_algorithm(signer: Signer) -> str:
    is_rsa = isinstance(signer.private_key, rsa.RSAPrivateKey)
    return "rsassa_pkcs1v15" if is_rsa else "sha256_ecdsa"


def verify_cades(data: bytes) -> SignatureReport:
    """Check a .p7m (DER, BER, or base64 of either): the first signature, with any co-signatures."""
    signed = p7m.load_signed_data(_cms_bytes(data))
    content = p7m.signed_content(signed)
    signer_infos = list(signed["signer_infos"])
    if not signer_infos:
        raise UnreadableInput.single(SIGNATURE_INVALID, "the .p7m carries no signature")
    first, *others = (_verify_signer(signed, content, info) for info in signer_infos)
    return replace(first, co_signatures=tuple(others))


def _cms_bytes(data: bytes) -> bytes:
    """DER/BER as it is; base64 (one line, wrapped, PEM-armoured), as some tools send, decoded."""
    if p7m.looks_like_cms(data):
        return data
    decoded = base64_payload(data) or b""
    if not p7m.looks_like_cms(decoded):
        raise UnreadableInput.single(FILE_CORRUPT, "not a .p7m: neither DER/BER nor base64 of it")
    return decoded


def _verify_signer(signed: cms.SignedData, content: bytes, signer_info: cms.SignerInfo) -> SignatureReport:
    certificate = _signer_certificate(signed, signer_info["sid"])
    attributes = _attributes(signer_info)
    signing_time = attributes["signing_time"].native if "signing_time" in attributes else None
    info = CertificateInfo.from_der(certificate.dump())
    now = datetime.now(UTC)
    checks = (
        _check_message_digest(signer_info, attributes, content),
        _check_signature(signer_info, certificate, content),
        _check_signing_certificate(attributes, certificate),
        check_signing_time(signing_time, now),
        check_validity(info, signing_time, now),
    )
    return SignatureReport(CADES_BES, info, signing_time, checks)


def _signer_certificate(signed: cms.SignedData, sid: cms.SignerIdentifier) -> x509.Certificate:
    for choice in signed["certificates"] or ():
        if choice.name == "certificate" and _identifies(sid, choice.chosen):
            return choice.chosen
    raise UnreadableInput.single(
        SIGNATURE_INVALID, "the signer's certificate is not in the .p7m, so it cannot be verified"
    )


def _identifies(sid: cms.SignerIdentifier, certificate: x509.Certificate) -> bool:
    if sid.name == "subject_key_identifier":
        return sid.chosen.native == certificate.key_identifier
    wanted = sid.chosen
    return (
        wanted["serial_number"].native == certificate.serial_number and wanted["issuer"] == certificate.issuer
    )


def _attributes(signer_info: cms.SignerInfo) -> dict[str, core.Asn1Value]:
    """Signed attributes by name, each with its (single, by CMS rules) value."""
    signed_attrs = signer_info["signed_attrs"]
    if isinstance(signed_attrs, core.Void):
        return {}
    return {attribute["type"].native: attribute["values"][0] for attribute in signed_attrs}


def _check_message_digest(
    signer_info: cms.SignerInfo, attributes: dict[str, core.Asn1Value], content: bytes
) -> Check:
    name = CheckName.CONTENT_DIGEST
    if not attributes:
        return Check.passed(name, "no signed attributes: the signature covers the content itself")
    if "message_digest" not in attributes:
        return Check.failed(name, SIGNATURE_INVALID, "no message-digest signed attribute")
    algorithm = signer_info["digest_algorithm"]["algorithm"].native
    if algorithm not in _HASHES:
        return Check.failed(name, SIGNATURE_INVALID, f"unsupported digest algorithm {algorithm}")
    if attributes["message_digest"].native != _digest(_HASHES[algorithm](), content):
        return Check.failed(name, SIGNATURE_INVALID, "content altered after signing: message digest differs")
    return Check.passed(name, f"{algorithm} message digest matches the content")


def _check_signature(signer_info: cms.SignerInfo, certificate: x509.Certificate, content: bytes) -> Check:
    name = CheckName.SIGNATURE
    algorithm = signer_info["signature_algorithm"]
    try:
        hash_name = _signature_hash(signer_info)
        public_key = serialization.load_der_public_key(certificate.public_key.dump())
        signed_bytes = _signed_bytes(signer_info, content)
        hash_algorithm = _HASHES[hash_name]()
        _verify(public_key, algorithm.signature_algo, hash_algorithm, signer_info, signed_bytes)
    except InvalidSignature:
        return Check.failed(name, SIGNATURE_INVALID, "signature does not match the signer's key")
    except (ValueError, KeyError, UnsupportedAlgorithm) as exc:
        return Check.failed(name, SIGNATURE_INVALID, f"signature cannot be checked: {exc}")
    return Check.passed(name, f"{algorithm.signature_algo} signature over {hash_name} is valid")


def _signed_bytes(signer_info: cms.SignerInfo, content: bytes) -> bytes:
    """The signature covers the attributes as a DER SET OF (the [0] field re-tagged as a SET),
    or, when there are none, the content itself."""
    signed_attrs = signer_info["signed_attrs"]
    if isinstance(signed_attrs, core.Void):
        return content
    return b"\x31" + signed_attrs.dump()[1:]


def _signature_hash(signer_info: cms.SignerInfo) -> str:
    try:
        return signer_info["signature_algorithm"].hash_algo
    except ValueError:  # plain rsaEncryption names no hash: the digest algorithm is the one
        return signer_info["digest_algorithm"]["algorithm"].native


def _verify(
    public_key: object,
    signature_algo: str,
    hash_algorithm: hashes.HashAlgorithm,
    signer_info: cms.SignerInfo,
    signed_bytes: bytes,
) -> None:
    signature = signer_info["signature"].native
    if isinstance(public_key, rsa.RSAPublicKey) and signature_algo == "rsassa_pkcs1v15":
        public_key.verify(signature, signed_bytes, padding.PKCS1v15(), hash_algorithm)
    elif isinstance(public_key, ec.EllipticCurvePublicKey) and signature_algo == "ecdsa":
        public_key.verify(signature, signed_bytes, ec.ECDSA(hash_algorithm))
    else:
        raise ValueError(f"unsupported signature algorithm {signature_algo}")


def _check_signing_certificate(attributes: dict[str, core.Asn1Value], certificate: x509.Certificate) -> Check:
    """ESS signing-certificate(-v2): the signer committed to this very certificate."""
    name = CheckName.SIGNING_CERTIFICATE
    if "signing_certificate_v2" in attributes:
        essential_id = attributes["signing_certificate_v2"]["certs"][0]
        algorithm = essential_id["hash_algorithm"]["algorithm"].native
    elif "signing_certificate" in attributes:  # ESS v1 (RFC 2634), fixed to SHA-1
        essential_id, algorithm = attributes["signing_certificate"]["certs"][0], "sha1"
    else:
        return Check.failed(
            name, SIGNATURE_INVALID, "no signing-certificate attribute: not a CAdES-BES signature"
        )
    hash_class = hashes.SHA1 if algorithm == "sha1" else _HASHES.get(algorithm)
    if hash_class is None:
        return Check.failed(name, SIGNATURE_INVALID, f"unsupported certificate hash {algorithm}")
    if essential_id["cert_hash"].native != _digest(hash_class(), certificate.dump()):
        return Check.failed(
            name, SIGNATURE_INVALID, "the certificate in the .p7m is not the one the signer signed"
        )
    return Check.passed(name, f"{algorithm} hash of the signing certificate matches")


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()
