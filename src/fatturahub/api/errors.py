"""RFC 9457 problem+json for every error the API returns, in one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from fatturahub.errors import ServiceError

PROBLEM_BASE = "https://fatturahub.dev/problems/"
PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("fatturahub.api")
CLIENT_CLOSED_REQUEST = 499  # nginx's status for it: the access log tells it from our errors


def problem(
    status: int,
    type_: str,
    title: str,
    detail: str,
    request: Request | None = None,
    *,
    instance: str | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {"type": PROBLEM_BASE + type_, "title": title, "status": status, "detail": detail}
    instance = request.url.path if request is not None else instance
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")] or [str(loc[0])]
    return ".".join(parts)


async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
    extra = {"errors": exc.errors} if exc.errors else {}
    return problem(exc.status, exc.type, exc.title, exc.detail, request, **extra)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"path": _location(tuple(e["loc"])), "message": e["msg"], "type": e["type"]} for e in exc.errors()
    ]
    return problem(
        422,
        "invalid-input",
        "Invalid input",
        "the request has invalid fields",
        request,
        errors=errors,
    )


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    titles = {404: "Not found", 405: "Method not allowed", 401: "Authentication required"}
    type_ = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized"}.get(
        exc.status_code, "http-error"
    )
    return problem(exc.status_code, type_, titles.get(exc.status_code, "Error"), str(exc.detail), request)


async def _integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
    # A unique constraint lost a race the service's own check could not see.
    return problem(409, "conflict", "Conflict", "the request conflicts with existing data", request)


async def _client_gone(request: Request, exc: ClientDisconnect) -> Response:
    """The client hung up while sending its body: nothing was done, nobody reads an answer, and
    it is not our error (no 500, no stack trace in the logs)."""
    log.info("client went away on %s %s before its body arrived", request.method, request.url.path)
    return Response(status_code=CLIENT_CLOSED_REQUEST)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "internal-error", "Internal error", "an unexpected error occurred", request)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(Exception, _unexpected)
