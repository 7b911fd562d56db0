"""Every error as a SOAP 1.1 fault with a stable faultcode, and the REST problem's content in
<detail><ServiceFault> (its type, and each error's SDI code, path and message)."""

from __future__ import annotations

from lxml.builder import ElementMaker
from spyne import Fault

from fatturahub.api.soap.types import NAMESPACE
from fatturahub.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    QuotaExceeded,
    ServiceError,
    Unauthorized,
)

BAD_REQUEST = "Client.BadRequest"
SERVER = "Server"
FAULT_CODES: dict[type[ServiceError], str] = {
    Unauthorized: "Client.Authentication",
    Forbidden: "Client.Forbidden",
    NotFound: "Client.NotFound",
    Conflict: "Client.Conflict",
    QuotaExceeded: "Client.Quota",
    InvalidInput: "Client.Invalid",  # detail: SDI's codes (00200, 00400, …) when it is the invoice
}
_E = ElementMaker(namespace=NAMESPACE, nsmap={"fh": NAMESPACE})


def service_fault(error: ServiceError) -> Fault:
    code = next((FAULT_CODES[kind] for kind in type(error).__mro__ if kind in FAULT_CODES), BAD_REQUEST)
    return fault(code, error.detail, error.type, error.errors)


def fault(code: str, message: str, type_: str, errors: list[dict[str, str]] | None = None) -> Fault:
    detail = _E.ServiceFault(_E.Type(type_), _E.Errors(*(_error(e) for e in errors or [])))
    return Fault(faultcode=code, faultstring=message, detail=detail)


def bad_request(message: str) -> Fault:
    """The envelope is not XML, not SOAP, not in the schema, or names no operation of ours."""
    return fault(BAD_REQUEST, message, "invalid-input")


def internal_error() -> Fault:
    return fault(SERVER, "an unexpected error occurred", "internal-error")


def _error(error: dict[str, str]) -> object:
    parts = [_E(name.capitalize(), str(error[name])) for name in ("code", "path") if error.get(name)]
    return _E.Error(*parts, _E.Message(str(error.get("message", ""))))
