"""The service's error vocabulary; the API turns each into RFC 9457 problem+json, SOAP into a fault."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ServiceError(Exception):
    detail: str
    # Each subclass names its stable problem type (https://fatturahub.dev/problems/<type>).
    type: str = field(default="error", init=False)
    status: int = field(default=400, init=False)
    title: str = field(default="Bad request", init=False)

    def __post_init__(self) -> None:
        super().__init__(self.detail)


@dataclass
class NotFound(ServiceError):
    type: str = field(default="not-found", init=False)
    status: int = field(default=404, init=False)
    title: str = field(default="Not found", init=False)


@dataclass
class Unauthorized(ServiceError):
    type: str = field(default="unauthorized", init=False)
    status: int = field(default=401, init=False)
    title: str = field(default="Authentication required", init=False)


@dataclass
class Forbidden(ServiceError):
    type: str = field(default="forbidden", init=False)
    status: int = field(default=403, init=False)
    title: str = field(default="Not allowed", init=False)


@dataclass
class Conflict(ServiceError):
    type: str = field(default="conflict", init=False)
    status: int = field(default=409, init=False)
    title: str = field(default="Conflict", init=False)


@dataclass
class InvalidInput(ServiceError):
    """Input that is well-formed but wrong; `errors` lists each field: {"path", "message", "code"?}."""

    errors: list[dict[str, str]] = field(default_factory=list)
    type: str = field(default="invalid-input", init=False)
    status: int = field(default=422, init=False)
    title: str = field(default="Invalid input", init=False)


@dataclass
class QuotaExceeded(ServiceError):
    type: str = field(default="storage-quota-exceeded", init=False)
    status: int = field(default=409, init=False)
    title: str = field(default="Storage quota exceeded", init=False)
