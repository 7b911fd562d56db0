"""Who calls: an API key from a WS-Security UsernameToken (PasswordText) or from HTTP Basic.

The Username is free (the key's prefix is a good choice); the Password is the API key. The key
then goes through the same `authenticate` as REST's Bearer, so revocation, expiry, company and
level limits, and delegations hold the same.
"""

from __future__ import annotations

import base64
import binascii

from lxml import etree

from fatturahub.errors import Unauthorized

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
)
_SECURITY = f"{{{WSSE}}}Security"
_PASSWORD = f"{{{WSSE}}}UsernameToken/{{{WSSE}}}Password"
HOW = "send the API key as a WS-Security UsernameToken password (PasswordText) or with HTTP Basic"


def credential(headers: list[etree._Element] | None, authorization: str) -> str:
    """The API key the caller sent; Unauthorized when there is none."""
    token = _username_token(headers or []) or _basic(authorization)
    if not token:
        raise Unauthorized(HOW)
    return token


def _username_token(headers: list[etree._Element]) -> str | None:
    """The password of the first UsernameToken in a wsse:Security header (the SOAP Header's
    children, as Spyne hands them over)."""
    for header in headers:
        password = header.find(_PASSWORD) if header.tag == _SECURITY else None
        if password is None:
            continue
        # we keep only hashes of API keys, so a PasswordDigest can never be checked
        if password.get("Type", PASSWORD_TEXT) != PASSWORD_TEXT:
            raise Unauthorized("only PasswordText is supported: " + HOW)
        return (password.text or "").strip()
    return None


def _basic(authorization: str) -> str | None:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        _, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("malformed HTTP Basic credentials") from None
    return password
