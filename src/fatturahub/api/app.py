"""The FastAPI application: one factory, used by `fatturahub serve` and by the tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fatturahub import __version__
from fatturahub.api import errors, health
from fatturahub.api.idempotency import IdempotencyMiddleware
from fatturahub.audit import endpoints as audit_endpoints
from fatturahub.db.engine import engine_for, session_factory
from fatturahub.db.migrate import upgrade
from fatturahub.settings import Settings, get_settings
from fatturahub.tenancy import endpoints as tenancy_endpoints


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = engine_for(settings)
        if settings.embedded:
            await upgrade(engine)  # production runs `fatturahub db upgrade` once, not per process
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
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
    return app
