"""The `fatturahub` command. Exit codes: 0 ok, 1 invalid input, 2 usage error."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

import click
from pydantic import ValidationError

from fatturahub import fatturapa
from fatturahub.errors import ServiceError
from fatturahub.fatturapa.controls import check_reading
from fatturahub.fatturapa.issues import FatturaPAError
from fatturahub.fatturapa.normalize import open_envelopes
from fatturahub.fatturapa.render import PdfRenderingFailed, extract_attachments, render_html, render_pdf
from fatturahub.fatturapa.signature import Signer, sign_cades, sign_xades, verify_cades, verify_xades
from fatturahub.fatturapa.xmlsafe import DEFAULT_MAX_BYTES
from fatturahub.sdi.sandbox.cli import sandbox as sandbox_command
from fatturahub.settings import Settings, get_settings
from fatturahub.tenancy import schemas


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """FatturaHub: Italian e-invoicing (FatturaPA / SDI)."""


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror}") from None


def _report(path: Path, lang: str, schema_only: bool) -> dict:
    try:
        reading = fatturapa.read(_read_file(path))
        issues = reading.errors if schema_only else check_reading(reading, lang=lang)
        fmt = reading.format
    except FatturaPAError as exc:
        issues, fmt = exc.issues, None
    return {
        "file": str(path),
        "valid": not issues,
        "format": fmt,
        "errors": [issue.as_dict() for issue in issues],
    }


def _print_report(report: dict) -> None:
    if report["valid"]:
        click.echo(f"{report['file']}: valid {report['format']}")
        return
    click.echo(f"{report['file']}: INVALID ({len(report['errors'])} errors)")
    for error in report["errors"]:
        click.echo(f"  {error['code']} {error['path'] or '-'}: {error['message']}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per file.")
@click.option("--lang", type=click.Choice(["it", "en"]), default="it", show_default=True)
@click.option("--schema-only", is_flag=True, help="Only the XSD check, not SDI's content controls.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
def validate(as_json: bool, lang: str, schema_only: bool, paths: tuple[Path, ...]) -> None:
    """Check invoice files (XML, .p7m, base64) as SDI does: the schema, then SDI's controls."""
    reports = [_report(path, lang, schema_only) for path in paths]
    if as_json:
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    else:
        for report in reports:
            _print_report(report)
    sys.exit(0 if all(r["valid"] for r in reports) else 1)


def _load_document(data: bytes) -> fatturapa.Document:
    """An invoice from its JSON form or from any file the normalizer reads."""
    return fatturapa.from_json(data) if data.lstrip()[:1] == b"{" else fatturapa.parse(data)


@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--to", "target", type=click.Choice(["json", "xml"]), required=True)
def convert(path: Path, target: str) -> None:
    """Convert an invoice between FatturaPA XML and its JSON form (output on stdout)."""
    try:
        document = _load_document(_read_file(path))
    except FatturaPAError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    if target == "json":
        click.echo(document.model_dump_json(indent=2, exclude_none=True, exclude_defaults=True))
    else:
        sys.stdout.buffer.write(fatturapa.serialize(document))


@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def unwrap(path: Path) -> None:
    """Print the plain XML inside a .p7m or base64 file."""
    try:
        opened = open_envelopes(_read_file(path), max_bytes=DEFAULT_MAX_BYTES)
    except FatturaPAError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    if not opened.envelopes:
        raise click.ClickException(f"{path}: not a signed (.p7m) or base64 file")
    sys.stdout.buffer.write(opened.xml)


# --- signatures, rendering, attachments -------------------------------------------------------
@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--cert",
    "certificate",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="PKCS#12 (.p12/.pfx) file with the signing certificate and key",
)
@click.option("--password-env", metavar="VAR", help="environment variable holding the PKCS#12 password")
@click.option("--xades", is_flag=True, help="XAdES-BES enveloped (.xml) instead of CAdES-BES (.xml.p7m)")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="default: next to the input, with .p7m added (CAdES) or -signed.xml (XAdES)",
)
def sign(path: Path, certificate: Path, password_env: str | None, xades: bool, output: Path | None) -> None:
    """Sign an invoice with a certificate from a PKCS#12 file."""
    password = os.environ.get(password_env) if password_env else None
    if password_env and password is None:
        raise click.UsageError(f"environment variable {password_env} is not set")
    try:
        signer = Signer.from_pkcs12(_read_file(certificate), password)
        content = _read_file(path)
        signed = sign_xades(content, signer) if xades else sign_cades(content, signer)
    except (FatturaPAError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    target = output or path.with_name(path.stem + "-signed.xml" if xades else path.name + ".p7m")
    target.write_bytes(signed)
    click.echo(str(target))


@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def verify(path: Path, as_json: bool) -> None:
    """Verify the signature of a .p7m (CAdES) or a signed XML (XAdES); exit 1 if it fails."""
    data = _read_file(path)
    try:
        report = verify_xades(data) if data.lstrip()[:1] == b"<" else verify_cades(data)
    except FatturaPAError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, default=str))
    else:
        click.echo(f"{path}: {report.format} {'VALID' if report.valid else 'NOT VALID'}")
        click.echo(f"  signer: {report.certificate.subject}")
        click.echo(f"  signing time: {report.signing_time or '-'}")
        for check in report.checks:
            click.echo(f"  [{'ok' if check.ok else 'FAIL'}] {check.name}: {check.message}")
        click.echo(f"  trust: {report.trust}")
    sys.exit(0 if report.valid else 1)


@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--style", type=click.Choice(["ministerial", "assosoftware"]), default="ministerial", show_default=True
)
@click.option(
    "--format", "output_format", type=click.Choice(["html", "pdf"]), default="html", show_default=True
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="default: stdout")
def render(path: Path, style: str, output_format: str, output: Path | None) -> None:
    """Render an invoice for people, with the official or the AssoSoftware stylesheet."""
    try:
        data = _read_file(path)
        page = (
            render_pdf(data, style=style)
            if output_format == "pdf"
            else render_html(data, style=style).encode("utf-8")
        )
    except (FatturaPAError, PdfRenderingFailed) as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    if output is None:
        sys.stdout.buffer.write(page)
    else:
        output.write_bytes(page)


@main.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "directory", required=True, type=click.Path(path_type=Path, file_okay=False))
def attachments(path: Path, directory: Path) -> None:
    """Extract the attachments (Allegati) of an invoice into a folder."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        written = extract_attachments(_read_file(path), directory)
    except FatturaPAError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    for file in written:
        click.echo(str(file))


# --- the service ----------------------------------------------------------------------------
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
    asyncio.run(_run_worker(settings, concurrency or settings.worker_concurrency))


async def _run_worker(settings: Settings, concurrency: int) -> None:
    import signal

    from fatturahub.db.engine import engine_for, session_factory
    from fatturahub.wiring import job_handlers
    from fatturahub.worker.runner import Worker

    engine = engine_for(settings)
    runner = Worker(
        session_factory(engine),
        job_handlers(settings),
        concurrency=concurrency,
        lease=timedelta(seconds=settings.job_lease_seconds),
    )
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


def _service_settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        raise click.UsageError("settings: " + "; ".join(e["msg"] for e in exc.errors())) from None


main.add_command(sandbox_command)

if __name__ == "__main__":
    main()
