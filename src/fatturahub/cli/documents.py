"""Commands on invoice files: validate, convert, unwrap, sign, verify, render, attachments."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from fatturahub import fatturapa
from fatturahub.cli.app import main, read_file
from fatturahub.fatturapa.controls import check_reading
from fatturahub.fatturapa.issues import FatturaPAError
from fatturahub.fatturapa.normalize import open_envelopes
from fatturahub.fatturapa.render import PdfRenderingFailed, extract_attachments, render_html, render_pdf
from fatturahub.fatturapa.signature import Signer, sign_cades, sign_xades, verify_cades, verify_xades
from fatturahub.fatturapa.xmlsafe import DEFAULT_MAX_BYTES


def _report(path: Path, lang: str, schema_only: bool) -> dict:
    try:
        reading = fatturapa.read(read_file(path))
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
        document = _load_document(read_file(path))
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
        opened = open_envelopes(read_file(path), max_bytes=DEFAULT_MAX_BYTES)
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
        signer = Signer.from_pkcs12(read_file(certificate), password)
        content = read_file(path)
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
    data = read_file(path)
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
        data = read_file(path)
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
        written = extract_attachments(read_file(path), directory)
    except FatturaPAError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    for file in written:
        click.echo(str(file))
