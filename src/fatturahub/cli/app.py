"""The `fatturahub` command group. Exit codes: 0 ok, 1 invalid input, 2 usage error."""

from __future__ import annotations

from pathlib import Path

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """FatturaHub: Italian e-invoicing (FatturaPA / SDI)."""


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror}") from None
