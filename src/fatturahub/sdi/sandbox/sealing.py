"""The sandbox's XAdES-BES signatures on the notifications it sends, made cheaply.

The same signature `fatturapa.signature.sign_xades` makes (enveloped, over the whole document,
inclusive C14N 1.0, RSA-SHA256, SHA-256 digests; SignedProperties with SigningTime,
SigningCertificate and the DataObjectFormat; a Reference to KeyInfo), but everything that does not
depend on the message is prepared once per signer: the certificate and key parts of KeyInfo, the
SigningCertificate digest, issuer and serial, the key object itself. Each message then costs three
canonicalisations of small elements, three digests and one private-key operation, where signxml
rebuilds the whole structure each time. Every message is still signed, and the result is checked
by `build_message` like any signer's; the tests verify it with `verify_xades`.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import datetime
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from fatturahub.fatturapa.signature import Signer, sign_xades
from fatturahub.fatturapa.signature.signer import signing_moment

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)

_TEMPLATE = (
    f'<ds:Signature xmlns:ds="{DS}" xmlns:xades="{XADES}" Id="{{sig}}">'
    "<ds:SignedInfo>"
    f'<ds:CanonicalizationMethod Algorithm="{C14N}"/>'
    f'<ds:SignatureMethod Algorithm="{RSA_SHA256}"/>'
    '<ds:Reference URI="" Id="{ref}"><ds:Transforms>'
    f'<ds:Transform Algorithm="{ENVELOPED}"/><ds:Transform Algorithm="{C14N}"/>'
    f'</ds:Transforms><ds:DigestMethod Algorithm="{SHA256}"/>'
    "<ds:DigestValue>{document_digest}</ds:DigestValue></ds:Reference>"
    f'<ds:Reference URI="#{{props}}" Type="{SIGNED_PROPERTIES_TYPE}">'
    f'<ds:DigestMethod Algorithm="{SHA256}"/><ds:DigestValue></ds:DigestValue></ds:Reference>'
    f'<ds:Reference URI="#{{keyinfo}}"><ds:DigestMethod Algorithm="{SHA256}"/>'
    "<ds:DigestValue></ds:DigestValue></ds:Reference>"
    "</ds:SignedInfo>"
    "<ds:SignatureValue></ds:SignatureValue>"
    '<ds:KeyInfo Id="{keyinfo}">{key_info}</ds:KeyInfo>'
    '<ds:Object><xades:QualifyingProperties Target="#{sig}">'
    '<xades:SignedProperties Id="{props}"><xades:SignedSignatureProperties>'
    "<xades:SigningTime>{signing_time}</xades:SigningTime>"
    "{signing_certificate}"
    "</xades:SignedSignatureProperties><xades:SignedDataObjectProperties>"
    '<xades:DataObjectFormat ObjectReference="#{ref}">'
    "<xades:Description>FatturaPA</xades:Description><xades:MimeType>text/xml</xades:MimeType>"
    "</xades:DataObjectFormat></xades:SignedDataObjectProperties>"
    "</xades:SignedProperties></xades:QualifyingProperties></ds:Object>"
    "</ds:Signature>"
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _c14n_digest(node: etree._Element | etree._ElementTree) -> str:
    return _b64(hashlib.sha256(etree.tostring(node, method="c14n")).digest())


def _integer(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class Sealer:
    """Signs message documents for one signer: `sealer(xml)` is `sign_xades(xml, signer)`,
    made from parts prepared once. Keys other than RSA go to `sign_xades` itself."""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer
        self._rsa = isinstance(signer.private_key, rsa.RSAPrivateKey)
        if not self._rsa:
            return
        certificates = [signer.certificate, *signer.chain]
        numbers = signer.private_key.public_key().public_numbers()
        key_value = (
            "<ds:KeyValue><ds:RSAKeyValue>"
            f"<ds:Modulus>{_integer(numbers.n)}</ds:Modulus><ds:Exponent>{_integer(numbers.e)}</ds:Exponent>"
            "</ds:RSAKeyValue></ds:KeyValue>"
        )
        x509_data = "".join(
            f"<ds:X509Certificate>{_b64(c.public_bytes(Encoding.DER))}</ds:X509Certificate>"
            for c in certificates
        )
        self._key_info = f"{key_value}<ds:X509Data>{x509_data}</ds:X509Data>"
        certificate = signer.certificate
        self._signing_certificate = (
            "<xades:SigningCertificate><xades:Cert><xades:CertDigest>"
            f'<ds:DigestMethod Algorithm="{SHA256}"/>'
            f"<ds:DigestValue>{_b64(certificate.fingerprint(hashes.SHA256()))}</ds:DigestValue>"
            "</xades:CertDigest><xades:IssuerSerial>"
            f"<ds:X509IssuerName>{escape(certificate.issuer.rfc4514_string())}</ds:X509IssuerName>"
            f"<ds:X509SerialNumber>{certificate.serial_number}</ds:X509SerialNumber>"
            "</xades:IssuerSerial></xades:Cert></xades:SigningCertificate>"
        )

    def __call__(self, xml: bytes, *, signing_time: datetime | None = None) -> bytes:
        if not self._rsa:
            return sign_xades(xml, self.signer, signing_time=signing_time)
        tree = etree.ElementTree(etree.fromstring(xml, _PARSER))
        root = tree.getroot()
        if root.find(f".//{{{DS}}}Signature") is not None:
            raise ValueError("the document is already signed; remove its ds:Signature to sign anew")
        document_digest = _c14n_digest(tree)  # before the signature is in: the enveloped transform
        suffix = uuid.uuid4().hex[:8].upper()
        ids = {
            "sig": f"SandboxSignature{suffix}",
            "ref": f"SandboxReference{suffix}",
            "props": f"SandboxSignature{suffix}-SignedProperties",
            "keyinfo": f"SandboxCertificate{suffix}",
        }
        moment = signing_moment(signing_time).isoformat(timespec="seconds")
        fragment = _TEMPLATE.format(
            **ids,
            document_digest=document_digest,
            key_info=self._key_info,
            signing_time=escape(moment),
            signing_certificate=self._signing_certificate,
        )
        signature = etree.fromstring(fragment, _PARSER)
        root.append(signature)  # canonicalised in place from here: the root's namespaces count
        signed_info = signature[0]
        properties_reference, key_info_reference = signed_info[3], signed_info[4]
        properties = signature[3][0][0]  # ds:Object/xades:QualifyingProperties/xades:SignedProperties
        properties_reference[1].text = _c14n_digest(properties)
        key_info_reference[1].text = _c14n_digest(signature[2])
        value = self.signer.private_key.sign(
            etree.tostring(signed_info, method="c14n"), padding.PKCS1v15(), hashes.SHA256()
        )
        signature[1].text = _b64(value)
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
