"""Real CMS envelopes for tests: a throwaway key signs with the `cryptography` package, and the
DER it produces is re-encoded as BER with indefinite lengths, as some signing tools write it."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from tests.support.pki import self_signed


def throwaway_signer() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    return self_signed("FatturaHub test signer", key), key


def p7m(content: bytes) -> bytes:
    """DER CMS SignedData with `content` embedded (an attached .p7m)."""
    cert, key = throwaway_signer()
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )


def _tlv(data: bytes, offset: int) -> tuple[int, int, int]:
    """(tag byte, start of value, end of value) of the DER element at `offset`."""
    tag = data[offset]
    first = data[offset + 1]
    if first < 0x80:
        return tag, offset + 2, offset + 2 + first
    size = first & 0x7F
    length = int.from_bytes(data[offset + 2 : offset + 2 + size], "big")
    start = offset + 2 + size
    return tag, start, start + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    out, offset = [], start
    while offset < end:
        tag, value_start, value_end = _tlv(data, offset)
        out.append((offset, tag, value_start, value_end))
        offset = value_end
    return out


def _indefinite(tag: int, parts: list[bytes]) -> bytes:
    return bytes([tag | 0x20, 0x80]) + b"".join(parts) + b"\x00\x00"


def to_ber_indefinite(der: bytes, chunk: int = 1000) -> bytes:
    """ContentInfo / [0] / SignedData / EncapsulatedContentInfo / [0] with indefinite lengths,
    and the content as a constructed OCTET STRING split in `chunk`-byte pieces."""
    _, ci_start, ci_end = _tlv(der, 0)
    (oid, _, _, oid_end), (_, _, explicit_start, _) = _children(der, ci_start, ci_end)
    _, sd_start, sd_end = _tlv(der, explicit_start)
    signed_parts = []
    for offset, tag, value_start, value_end in _children(der, sd_start, sd_end):
        if tag == 0x30 and der[value_start] == 0x06:  # EncapsulatedContentInfo: OID first
            signed_parts.append(_encap_indefinite(der, value_start, value_end, chunk))
        else:
            signed_parts.append(der[offset:value_end])
    signed_data = _indefinite(0x30, signed_parts)
    return _indefinite(0x30, [der[oid:oid_end], _indefinite(0xA0, [signed_data])])


def _encap_indefinite(der: bytes, start: int, end: int, chunk: int) -> bytes:
    (oid, _, _, oid_end), (_, _, octets_at, _) = _children(der, start, end)
    _, content_start, content_end = _tlv(der, octets_at)
    content = der[content_start:content_end]
    pieces = [
        bytes([0x04, 0x82]) + len(part).to_bytes(2, "big") + part
        for part in (content[i : i + chunk] for i in range(0, len(content), chunk))
    ]
    octets = _indefinite(0x04, pieces)
    return _indefinite(0x30, [der[oid:oid_end], _indefinite(0xA0, [octets])])


def pkcs12_bundle(password: bytes | None = b"secret") -> bytes:
    """A throwaway signing certificate and key as a PKCS#12 file."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    cert, key = throwaway_signer()
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"signer", key, cert, None, encryption)
