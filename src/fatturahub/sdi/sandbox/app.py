"""The sandbox as an ASGI app: standalone (`create_sandbox_app`) or inside another app
(`mount_sandbox`, which also ties the sandbox's background loops to the host's lifespan:
Starlette does not run the lifespan of a mounted app)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import Lifespan

from fatturahub import __version__
from fatturahub.api import errors
from fatturahub.sdi.sandbox import control, datafiles, ricevifile, ricevinotifica
from fatturahub.sdi.sandbox.config import SandboxConfig
from fatturahub.sdi.sandbox.engine import Sandbox

DESCRIPTION = """\
A stand-in for SDI (Sistema di Interscambio) that runs the active and passive cycles offline.

* `POST /SdIRiceviFile` takes invoice files by SOAP (WSDL at `GET /SdIRiceviFile?wsdl`).
* Notifications (RC, NS, MC, NE, DT, AT), XAdES-signed with a certificate made at startup, are
  delivered by SOAP to the configured TrasmissioneFatture endpoint, retried until it answers 2xx.
* `POST /control/deliveries` delivers a supplier invoice (given or generated) with its metadata
  file to the configured RicezioneFatture endpoint, retried until it answers ER01; DT follows 15
  days later unless the PA answers.
* `POST /SdIRiceviNotifica` takes the PA recipient's outcome (EC) and answers ES01 or ES00 + SE
  (WSDL at `GET /SdIRiceviNotifica?wsdl`).
* `/control/...` shows what happened, plays the recipient and moves the virtual clock.

State is kept in memory only.
"""


def create_sandbox_app(config: SandboxConfig) -> FastAPI:
    sandbox = Sandbox(config)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with sandbox.running():
            yield

    app = FastAPI(
        title="FatturaHub SDI sandbox", version=__version__, description=DESCRIPTION, lifespan=lifespan
    )
    app.state.sandbox = sandbox
    errors.install(app)
    app.include_router(ricevifile.router)
    app.include_router(ricevinotifica.router)
    app.include_router(control.router)
    app.include_router(datafiles.router)  # SdITrasmissioneFile (LIPE, Dati Fattura) + its control routes
    return app


def mount_sandbox(host: FastAPI, path: str, config: SandboxConfig) -> FastAPI:
    """Mount a new sandbox app at `path` of `host` (before `host` starts); returns it."""
    sandbox_app = create_sandbox_app(config)
    host.mount(path, sandbox_app)
    host.router.lifespan_context = _around(host.router.lifespan_context, sandbox_app)
    return sandbox_app


def _around(host_lifespan: Lifespan[Any], sandbox_app: FastAPI) -> Lifespan[Any]:
    # The sandbox starts first and stops last, so it is there whenever the host may call it.
    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with sandbox_app.router.lifespan_context(sandbox_app), host_lifespan(app) as state:
            yield state

    return lifespan
