"""`fatturahub import`: upload invoice history to a running server and follow its import job."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import click
import httpx

from fatturahub.cli.app import main, read_file

DEFAULT_URL = "http://127.0.0.1:8000"
POLL_SECONDS = 0.5
MAX_ERRORS_SHOWN = 200  # the server keeps the first 1000


@main.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--company", required=True, type=click.UUID, help="the company the history belongs to")
@click.option(
    "--direction",
    required=True,
    type=click.Choice(["active", "passive"]),
    help="active: invoices the company issued; passive: invoices it received",
)
@click.option(
    "--url",
    default=lambda: os.environ.get("FATTURAHUB_URL", DEFAULT_URL),
    show_default=f"FATTURAHUB_URL or {DEFAULT_URL}",
    help="the FatturaHub server",
)
@click.option(
    "--api-key-env",
    default="FATTURAHUB_API_KEY",
    show_default=True,
    metavar="VAR",
    help="name of the environment variable holding the API key",
)
def import_history(path: Path, company: Any, direction: str, url: str, api_key_env: str) -> None:
    """Import PATH (a ZIP, a folder, zipped on the fly, or one invoice file) into a company's
    history. Shows the progress; exits 1 when some files could not be imported, listing them."""
    api_key = os.environ.get(api_key_env)
    if not api_key:
        raise click.UsageError(f"environment variable {api_key_env} is not set")
    name, content = _payload(path)
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=300) as client:
        created = _call(client, "POST", f"/v1/companies/{company}/imports", 202, name, content, direction)
        batch = _follow(client, created)
    _report(batch)


def _payload(path: Path) -> tuple[str, bytes]:
    if path.is_dir():
        return f"{path.resolve().name or 'history'}.zip", _zipped(path)
    return path.name, read_file(path)


def _zipped(folder: Path) -> bytes:
    """The folder's files as a ZIP in memory, named by their path inside it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.writestr(file.relative_to(folder).as_posix(), read_file(file))
    return buffer.getvalue()


def _call(
    client: httpx.Client,
    method: str,
    path: str,
    expected: int,
    name: str | None = None,
    content: bytes | None = None,
    direction: str | None = None,
) -> dict[str, Any]:
    try:
        if method == "POST":
            files = [("files", (name, content, "application/octet-stream"))]
            response = client.post(path, params={"direction": direction}, files=files)
        else:
            response = client.get(path)
    except httpx.HTTPError as exc:
        raise click.ClickException(f"{client.base_url}: {exc}") from None
    if response.status_code != expected:
        raise click.ClickException(_problem(response))
    return response.json()


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    details = "; ".join(e.get("message", "") for e in body.get("errors", []) if isinstance(e, dict))
    return f"HTTP {response.status_code}: {body.get('detail', body)}" + (f" ({details})" if details else "")


def _follow(client: httpx.Client, batch: dict[str, Any]) -> dict[str, Any]:
    """Poll the import until it ends, moving a progress bar with the processed files."""
    path = f"/v1/companies/{batch['company_id']}/imports/{batch['id']}"
    shown = 0
    with click.progressbar(length=batch["progress"]["total"], label="importing", show_pos=True) as bar:
        while True:
            processed = batch["progress"]["processed"]
            bar.update(processed - shown)
            shown = processed
            if batch["state"] in ("done", "failed"):
                return batch
            time.sleep(POLL_SECONDS)
            batch = _call(client, "GET", path, 200)


def _report(batch: dict[str, Any]) -> None:
    progress = batch["progress"]
    click.echo(
        f"import {batch['id']} {batch['state']}: {progress['processed']}/{progress['total']} files, "
        f"{progress['imported']} invoices imported, {progress['skipped_duplicates']} duplicates skipped, "
        f"{progress['failed']} files failed"
    )
    for error in batch["errors"][:MAX_ERRORS_SHOWN]:
        click.echo(f"  {error['file']}: {error['error']}", err=True)
    if progress["failed"] > min(len(batch["errors"]), MAX_ERRORS_SHOWN):
        click.echo(f"  ... see GET /v1/companies/{batch['company_id']}/imports/{batch['id']}", err=True)
    if batch["state"] == "failed":
        raise click.ClickException(f"the import failed: {batch['problem']}")
    if progress["failed"]:
        raise SystemExit(1)
