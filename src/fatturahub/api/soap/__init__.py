"""The SOAP façade for legacy ERPs: the REST operations as one WSDL contract at /soap/v1.

How Spyne (sync) meets our services (async, on the app's event loop, async SQLAlchemy):
there is no WSGI bridge and no thread. Spyne is used as a library for what it is good at —
reading the envelope, routing to the operation, validating the body against the WSDL's schema,
writing responses and faults, and generating the WSDL — and never as a server. `server.SoapEndpoint`
is a plain ASGI app: it reads the (bounded) body, lets Spyne parse it synchronously (CPU only, no
I/O), gets back from the operation's declaration the coroutine of its async handler, awaits it on
the app's own loop with a session from `app.state.sessions`, then lets Spyne serialize the result.

Why not a2wsgi + a thread per request + `run_coroutine_threadsafe`: every call would hold a
worker thread blocked on the loop, threads cap concurrency, and a thread blocked on a loop that
is shutting down keeps the process alive after SIGTERM (the shutdown problem seen with a2wsgi).
Here a SOAP call is just another task on the loop, so uvicorn drains and stops it like any
REST request.

Layout: `types` (the messages), `service` (one declaration per operation), `operations` (the
coroutines: the same services as REST, no rules of their own), `auth`, `faults`, `replay`
(IdempotencyKey), `server` (the endpoint and the WSDL).
"""

from __future__ import annotations

from fastapi import FastAPI

from fatturahub.api.soap import _six  # noqa: F401  (before anything walks sys.meta_path)
from fatturahub.api.soap.server import SoapEndpoint

PATH = "/soap/v1"


def mount_soap(app: FastAPI, public_url: str) -> None:
    """Serve the façade at /soap/v1 exactly (a Mount would redirect it to /soap/v1/)."""
    app.add_route(PATH, SoapEndpoint(public_url.rstrip("/") + PATH), methods=["GET", "POST"])
