"""The service's error vocabulary; the API turns each into RFC 9457 problem+json, SOAP into a fault.

Each class names its stable problem type (https://fatturahub.dev/problems/<type>), HTTP status
and title; an instance carries what went wrong, and for invalid input every field at fault.
"""

from __future__ import annotations


class ServiceError(Exception):
    type = "error"
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []  # each {"path", "message", "code"?}


class NotFound(ServiceError):
    type, status, title = "not-found", 404, "Not found"


class Unauthorized(ServiceError):
    type, status, title = "unauthorized", 401, "Authentication required"


class Forbidden(ServiceError):
    type, status, title = "forbidden", 403, "Not allowed"


class Conflict(ServiceError):
    type, status, title = "conflict", 409, "Conflict"


class QuotaExceeded(ServiceError):
    type, status, title = "storage-quota-exceeded", 409, "Storage quota exceeded"


class InvalidInput(ServiceError):
    """Input that is well-formed but wrong; `errors` says which field and why."""

    type, status, title = "invalid-input", 422, "Invalid input"
