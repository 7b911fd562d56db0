"""Commands that run the service: serve, worker, db upgrade, admin, openapi."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import click
from pydantic import ValidationError

from fatturahub.cli.app import main
from fatturahub.errors import ServiceError
from fatturahub.settings import Settings, get_settings
from fatturahub.tenancy import schemas


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Run the API server (uvicorn with uvloop + httptools)."""
    import uvicorn

    from fatturahub.api.logging import configure

    # Unless told otherwise, this server is reached where it listens (the sandbox calls it back).
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    os.environ.setdefault("FATTURAHUB_PUBLIC_URL", f"http://{reachable}:{port}")
    settings = _service_settings()
    log_config = configure(settings.log_level)
    if settings.embedded:
        asyncio.run(_prepare_embedded(settings, host, port))
    uvicorn.run(
        "fatturahub.api.main:app",
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_config=log_config,
        proxy_headers=True,
    )


async def _prepare_embedded(settings: Settings, host: str, port: int) -> None:
    """Migrate the embedded database; on an empty one, create the demo tenant and say how to use it."""
    from fatturahub.db.engine import engine_for, session_factory
    from fatturahub.db.migrate import upgrade
    from fatturahub.tenancy.demo import seed_demo

    engine = engine_for(settings)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session:
            demo = await seed_demo(session, quota_bytes=settings.default_storage_quota_bytes)
            await session.commit()
    finally:
        await engine.dispose()
    if demo is not None:
        base = f"http://{host}:{port}"
        click.echo(
            "\nFirst run: a demo account was created (shown once, keep it):\n"
            f"  login     {demo.email} / {demo.password}\n"
            f"  API key   {demo.api_key}\n"
            f"  company   {demo.company_id}\n\n"
            f"  curl -H 'Authorization: Bearer {demo.api_key}' {base}/v1/me\n"
            f"  API docs  {base}/docs\n",
            err=True,
        )


@main.command()
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    help="jobs run at once (default FATTURAHUB_WORKER_CONCURRENCY)",
)
def worker(concurrency: int | None) -> None:
    """Run jobs (sending invoices, delivering webhooks) until SIGTERM/SIGINT. Start as many as needed."""
    from fatturahub.api.logging import configure

    settings = _service_settings()
    configure(settings.log_level)
    asyncio.run(_run_worker(settings, concurrency))


async def _run_worker(settings: Settings, concurrency: int | None) -> None:
    import signal

    from fatturahub.db.engine import engine_for, session_factory
    from fatturahub.wiring import build_worker

    engine = engine_for(settings)
    runner = build_worker(session_factory(engine), settings, concurrency)
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, runner.stop)
    try:
        await runner.run()  # a job in progress is finished before the loops return
    finally:
        await engine.dispose()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations to FATTURAHUB_DATABASE_URL."""
    from fatturahub.db.engine import engine_for
    from fatturahub.db.migrate import upgrade

    async def run() -> None:
        engine = engine_for(_service_settings())
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    click.echo("database is up to date")


@main.group()
def admin() -> None:
    """Administration of the service."""


@admin.command("create-account")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option(
    "--password-env",
    required=True,
    metavar="VAR",
    help="name of the environment variable holding the owner's password",
)
def create_account_command(name: str, email: str, password_env: str) -> None:
    """Create an account, its owner and a first API key; print them as JSON."""
    password = os.environ.get(password_env)
    if not password:
        raise click.UsageError(f"environment variable {password_env} is not set")
    try:
        payload = schemas.AccountCreate(name=name, email=email, password=password)
    except ValidationError as exc:
        raise click.UsageError("; ".join(e["msg"] for e in exc.errors())) from None
    click.echo(json.dumps(asyncio.run(_create_account(payload))))


async def _create_account(payload: schemas.AccountCreate) -> dict[str, str]:
    from fatturahub.db.engine import engine_for, session_factory
    from fatturahub.tenancy.principal import Principal
    from fatturahub.tenancy.services.accounts import create_account
    from fatturahub.tenancy.services.api_keys import create_api_key

    settings = _service_settings()
    engine = engine_for(settings)
    try:
        async with session_factory(engine)() as session:
            account, owner = await create_account(
                session,
                name=payload.name,
                email=payload.email,
                password=payload.password,
                quota_bytes=settings.default_storage_quota_bytes,
            )
            _, token = await create_api_key(
                session,
                Principal(account.id, owner.id, owner.role),
                schemas.ApiKeyCreate(name="first key"),
            )
            await session.commit()
    except ServiceError as exc:
        raise click.ClickException(exc.detail) from None
    finally:
        await engine.dispose()
    return {"account_id": str(account.id), "user_id": str(owner.id), "api_key": token}


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
def openapi(output: Path | None) -> None:
    """Write the OpenAPI document (stdout, or a file)."""
    from fatturahub.api.app import create_app

    text = json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text)


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.option(
    "--address",
    default="http://127.0.0.1:8000/soap/v1",
    show_default=True,
    help="the service address written in the WSDL (the served WSDL names this server's)",
)
def wsdl(output: Path | None, address: str) -> None:
    """Write the SOAP façade's WSDL (stdout, or a file): the one served at /soap/v1?wsdl."""
    from fatturahub.api.soap.server import wsdl_document

    document = wsdl_document(address)
    if output is None:
        click.echo(document.decode(), nl=False)
    else:
        output.write_bytes(document)


def _service_settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        raise click.UsageError("settings: " + "; ".join(e["msg"] for e in exc.errors())) from None
