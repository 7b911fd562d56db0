"""Opening CAdES (.p7m) envelopes: the CMS SignedData around a signed invoice.

Only content extraction lives here (the normalizer needs it for every inbound file);
signing and verification build on `load_signed_data`.
"""

from __future__ import annotations

from asn1crypto import cms

from fatturahub.fatturapa.issues import FILE_CORRUPT, UnreadableInput


def looks_like_cms(data: bytes) -> bool:
    """A DER/BER SEQUENCE: CMS starts with 0x30 then a definite or indefinite length."""
    return len(data) > 2 and data[0] == 0x30 and data[1] <= 0x84


def load_signed_data(data: bytes) -> cms.SignedData:
    """Parse DER or BER (indefinite lengths, chunked OCTET STRINGs) into a SignedData."""
    try:
        info = cms.ContentInfo.load(data, strict=False)
        if info["content_type"].native != "signed_data":
            raise ValueError(f"CMS content type is {info['content_type'].native}, not signed_data")
        signed = info["content"]
        # Parse the whole structure now, so corrupt envelopes fail here. Structure only: `.native`
        # would also convert every certificate field to Python values, 20× the cost of the parse.
        signed._parse_children(recurse=True)
        return signed
    except (ValueError, TypeError, KeyError) as exc:
        raise UnreadableInput.single(FILE_CORRUPT, f"unreadable .p7m envelope: {exc}") from None


def signed_content(signed: cms.SignedData) -> bytes:
    """The encapsulated content, joined when it was sent as a constructed (chunked) string."""
    content = signed["encap_content_info"]["content"]
    if content.native is None:
        raise UnreadableInput.single(FILE_CORRUPT, ".p7m has no embedded content (detached signature)")
    value = content.native
    return value if isinstance(value, bytes) else bytes(value)
