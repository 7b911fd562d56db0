"""The `fatturahub` command. Exit codes: 0 ok, 1 invalid input, 2 usage error."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from fatturahub import fatturapa
from fatturahub.fatturapa.issues import FatturaPAError
from fatturahub.fatturapa.normalize import open_envelopes
from fatturahub.fatturapa.xmlsafe import DEFAULT_MAX_BYTES


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """FatturaHub: Italian e-invoicing (FatturaPA / SDI)."""


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror}") from None


def _report(path: Path) -> dict:
    try:
        reading = fatturapa.read(_read_file(path))
        issues, fmt = reading.errors, reading.format
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
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
def validate(as_json: bool, paths: tuple[Path, ...]) -> None:
    """Check invoice files (XML, .p7m, base64) against the official schema."""
    reports = [_report(path) for path in paths]
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


if __name__ == "__main__":
    main()
