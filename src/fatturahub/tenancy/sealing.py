"""Secrets we must keep but never show (a company's signing certificate), sealed with a key
derived from the service's secret key."""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"fatturahub sealing v1").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal_certificate(secret_key: str, pkcs12: bytes, password: str | None) -> bytes:
    payload = json.dumps({"pkcs12": base64.b64encode(pkcs12).decode(), "password": password})
    return _fernet(secret_key).encrypt(payload.encode())


def unseal_certificate(secret_key: str, sealed: bytes) -> tuple[bytes, str | None]:
    try:
        payload = json.loads(_fernet(secret_key).decrypt(sealed))
    except InvalidToken:
        raise ValueError("the signing certificate was sealed with another secret key") from None
    return base64.b64decode(payload["pkcs12"]), payload["password"]
