"""Credentials: argon2 password hashes, API key secrets, short-lived access tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

API_KEY_MARK = "fh"
_hasher = PasswordHasher()
# Verifying against this keeps the timing of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, InvalidHashError):
        return False


@dataclass(frozen=True)
class NewApiKey:
    prefix: str  # public, stored, shown in listings
    secret_hash: str
    token: str  # what the ERP sends; shown once

    @classmethod
    def generate(cls) -> NewApiKey:
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        return cls(prefix, _digest(secret), f"{API_KEY_MARK}_{prefix}_{secret}")


def split_api_key(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a token in our format, else None."""
    mark, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != API_KEY_MARK or len(prefix) != 12 or not secret:
        return None
    return prefix, secret


def api_key_matches(secret_hash: str, secret: str) -> bool:
    # API key secrets are 256-bit random: a plain digest is enough, compared in constant time.
    return hmac.compare_digest(secret_hash, _digest(secret))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_access_token(key: str, *, user_id: uuid.UUID, account_id: uuid.UUID, minutes: int) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "acc": str(account_id),
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
        "typ": "access",
    }
    return jwt.encode(claims, key, algorithm="HS256")


def read_access_token(key: str, token: str) -> uuid.UUID | None:
    """The user id of a valid, unexpired access token, else None."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    if claims.get("typ") != "access":
        return None
    try:
        return uuid.UUID(claims["sub"])
    except ValueError:
        return None
