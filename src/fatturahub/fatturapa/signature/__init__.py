"""Signing and verifying FatturaPA files the two ways SDI accepts: CAdES-BES (.p7m) and XAdES-BES.

    signer = Signer.from_pkcs12(data, password)
    p7m = sign_cades(xml, signer)          # CMS SignedData, the invoice embedded
    signed_xml = sign_xades(xml, signer)   # enveloped ds:Signature, last child of the root
    report = verify_cades(p7m)             # report.valid, report.checks, report.certificate

Verification proves integrity and binds the signer's certificate; whether that certificate is
qualified, trusted and not revoked is SDI's check (the report says so), not ours.
"""

from fatturahub.fatturapa.signature.cades import sign_cades, verify_cades
from fatturahub.fatturapa.signature.certificates import CertificateInfo
from fatturahub.fatturapa.signature.report import Check, CheckName, SignatureReport
from fatturahub.fatturapa.signature.signer import InvalidCredentials, Signer
from fatturahub.fatturapa.signature.xades import sign_xades, verify_xades

__all__ = [
    "CertificateInfo",
    "Check",
    "CheckName",
    "InvalidCredentials",
    "SignatureReport",
    "Signer",
    "sign_cades",
    "sign_xades",
    "verify_cades",
    "verify_xades",
]
