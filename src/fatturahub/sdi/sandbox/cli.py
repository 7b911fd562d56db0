"""`fatturahub sandbox`: run the SDI sandbox on its own with uvicorn."""

from __future__ import annotations

import re

import click
import uvicorn

from fatturahub.sdi.sandbox.app import create_sandbox_app
from fatturahub.sdi.sandbox.config import SandboxConfig


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=8100, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--notify-url",
    required=True,
    help="the sender's TrasmissioneFatture endpoint, where notifications are delivered",
)
@click.option(
    "--invoices-url",
    default=None,
    help="the recipient's RicezioneFatture endpoint, where supplier invoices are delivered",
)
@click.option(
    "--unreachable",
    "unreachable",
    multiple=True,
    metavar="CODE",
    callback=lambda _ctx, _param, codes: tuple(_recipient_code(code) for code in codes),
    help="CodiceDestinatario whose delivery fails (MC); repeatable",
)
def sandbox(
    host: str, port: int, notify_url: str, invoices_url: str | None, unreachable: tuple[str, ...]
) -> None:
    """Run a simulated SDI: SdIRiceviFile and SdIRiceviNotifica at /SdIRiceviFile and
    /SdIRiceviNotifica, control API at /control."""
    config = SandboxConfig(
        notifications_url=notify_url, invoices_url=invoices_url, unreachable=frozenset(unreachable)
    )
    uvicorn.run(create_sandbox_app(config), host=host, port=port, log_level="info")


def _recipient_code(code: str) -> str:
    if not re.fullmatch(r"[A-Z0-9]{6,7}", code):
        raise click.BadParameter(f"{code!r} is not a CodiceDestinatario (6 or 7 of A-Z, 0-9)")
    return code
