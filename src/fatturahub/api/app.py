"""The FastAPI application: one factory, used by `fatturahub serve` and by the tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker

from fatturahub import __version__
from fatturahub.api import errors, health
from fatturahub.api.idempotency import IdempotencyMiddleware
from fatturahub.api.soap import mount_soap
from fatturahub.audit import endpoints as audit_endpoints
from fatturahub.db.engine import engine_for, session_factory
from fatturahub.db.migrate import upgrade
from fatturahub.imports import endpoints as import_endpoints
from fatturahub.inbox import endpoints as inbox_endpoints
from fatturahub.inbox.receiving import InvoiceRecorder
from fatturahub.invoices import endpoints as invoice_endpoints
from fatturahub.invoices.notifications import NotificationRecorder
from fatturahub.reports import endpoints as reports_endpoints
from fatturahub.sdi import ricezione, trasmissione
from fatturahub.sdi.sandbox import SandboxConfig, mount_sandbox
from fatturahub.settings import Settings, get_settings
from fatturahub.storage import LocalStorage
from fatturahub.tenancy import endpoints as tenancy_endpoints
from fatturahub.webhooks import endpoints as webhook_endpoints
from fatturahub.wiring import build_worker


@asynccontextmanager
async def _background_worker(sessions: async_sessionmaker, settings: Settings) -> AsyncIterator[None]:
    """The embedded default runs one worker inside the server; production runs `fatturahub worker`."""
    runner = build_worker(sessions, settings)
    task = asyncio.create_task(runner.run())
    try:
        yield
    finally:
        runner.stop()
        await task


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = engine_for(settings)
        if settings.embedded:
            await upgrade(engine)  # production runs `fatturahub db upgrade` once, not per process
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.notification_sink = NotificationRecorder(app.state.sessions)
        app.state.invoice_sink = InvoiceRecorder(app.state.sessions, LocalStorage(settings.storage_path))
        async with AsyncExitStack() as stack:
            if settings.worker_in_process:
                await stack.enter_async_context(_background_worker(app.state.sessions, settings))
            yield
        await engine.dispose()

    app = FastAPI(
        title="FatturaHub",
        version=__version__,
        summary="Italian e-invoicing gateway (FatturaPA / SDI)",
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(IdempotencyMiddleware)
    app.include_router(health.router)
    app.include_router(tenancy_endpoints.router)
    app.include_router(tenancy_endpoints.operator)
    app.include_router(audit_endpoints.router)
    app.include_router(invoice_endpoints.router)
    app.include_router(webhook_endpoints.router)
    app.include_router(trasmissione.router)
    app.include_router(inbox_endpoints.router)
    app.include_router(inbox_endpoints.operator)
    app.include_router(ricezione.router)
    app.include_router(import_endpoints.router)
    app.include_router(reports_endpoints.router)
    mount_soap(app, settings.public_url)
    if settings.sandbox_in_process:
        notifications_url = f"{settings.public_url.rstrip('/')}/sdi/TrasmissioneFatture"
        invoices_url = f"{settings.public_url.rstrip('/')}/sdi/RicezioneFatture"
        mount_sandbox(app, "/sandbox", SandboxConfig(notifications_url, invoices_url=invoices_url))
    return app
