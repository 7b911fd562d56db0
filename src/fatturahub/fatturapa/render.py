"""Readable invoices: the official stylesheets applied to any file we can read, as HTML or PDF.

    render_html(data, style="ministerial") -> str     # FPA12 / FPR12 / FSM10 official sheet
    render_html(data, style="assosoftware") -> str    # AssoSoftware sheet, every format
    render_pdf(data, style=...) -> bytes              # the same HTML, laid out by xhtml2pdf
    attachments(data) -> [Attachment]                 # Allegati of every body
    extract_attachments(data, directory) -> [Path]    # written under safe, unique names

Files are read leniently (received invoices must always render) and every envelope is opened.
The stylesheets are the vendored official bytes, run with no file or network access. None of
them shows an attachment's size and AssoSoftware omits the format, so when a file carries
attachments one small table listing them all is appended to the page, the same for every style.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from fatturahub.fatturapa.document import Document, read
from fatturahub.fatturapa.model.semplificata import FatturaElettronicaSemplificata
from fatturahub.fatturapa.schemas import SPECS
from fatturahub.fatturapa.xmlsafe import parse_xml

Style = Literal["ministerial", "assosoftware"]

PA_SHEET = "fatturapa/Foglio_di_stile_fattura_PA_ver1.2.2.xsl"
ORDINARIA_SHEET = "fatturapa/Foglio_di_stile_fattura_ordinaria_ver1.2.2.xsl"
SEMPLIFICATA_SHEET = "fatturapa-semplificata/fatturasemplificata_v1.0.xsl"
ASSOSOFTWARE_SHEET = "fatturapa/FoglioStileAssoSoftware.xsl"
ATTACHMENTS_SECTION_ID = "fatturahub-allegati"


@dataclass(frozen=True)
class Attachment:
    """One Allegati block. `body` counts the file's invoices from 1 (a lotto has several)."""

    body: int
    name: str
    format: str | None
    description: str | None
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


# --- HTML -------------------------------------------------------------------------------------
def render_html(data: bytes, *, style: Style = "ministerial") -> str:
    """The invoice in `data` (plain, .p7m, base64; any number of bodies) as an HTML page."""
    reading = read(data, lenient=True)
    tree = parse_xml(reading.xml)
    page = _stylesheet(_sheet_for(reading.document, style))(tree)
    found = _attachments_of(reading.document)
    if found:
        _append_attachment_table(page.getroot(), found, _document_numbers(reading.document))
    return str(page)


def _sheet_for(document: Document, style: Style) -> str:
    if style == "assosoftware":
        return ASSOSOFTWARE_SHEET
    if style != "ministerial":
        raise ValueError(f"unknown style {style!r}: 'ministerial' or 'assosoftware'")
    if isinstance(document, FatturaElettronicaSemplificata):
        return SEMPLIFICATA_SHEET
    # versione may be unreadable in a lenient reading: the ordinaria sheet fits any B2B/PA file
    return PA_SHEET if str(document.versione) == "FPA12" else ORDINARIA_SHEET


class _CompiledSheets(threading.local):
    """Compiled stylesheets, per thread: lxml runs an XSLT fastest in the thread that built it."""

    def __init__(self) -> None:
        self.by_path: dict[str, etree.XSLT] = {}


_compiled = _CompiledSheets()


def _stylesheet(relative_path: str) -> etree.XSLT:
    sheet = _compiled.by_path.get(relative_path)
    if sheet is None:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        source = etree.parse(str(SPECS / relative_path), parser)  # BOM and CRLF kept as shipped
        # The sheets need nothing outside the invoice: no document(), no xsl:document writes.
        sheet = etree.XSLT(source, access_control=etree.XSLTAccessControl.DENY_ALL)
        _compiled.by_path[relative_path] = sheet
    return sheet


def _document_numbers(document: Document) -> list[str]:
    numbers = []
    for body in document.FatturaElettronicaBody:
        general = body.DatiGenerali and body.DatiGenerali.DatiGeneraliDocumento
        numbers.append((general and general.Numero) or "")
    return numbers


def _append_attachment_table(html: etree._Element, found: list[Attachment], numbers: list[str]) -> None:
    """Built as elements, so names and descriptions from the file are escaped on output."""
    host = html.find("body")
    section = etree.SubElement(
        host if host is not None else html,
        "div",
        id=ATTACHMENTS_SECTION_ID,
        style="font-family: sans-serif; max-width: 1280px; margin: 20px auto; padding: 0 20px;",
    )
    etree.SubElement(section, "h3").text = "Allegati"
    table = etree.SubElement(
        section, "table", border="1", cellpadding="4", style="border-collapse: collapse;"
    )
    _row(table, "th", ["Fattura n.", "Nome", "Formato", "Descrizione", "Dimensione"])
    for item in found:
        number = numbers[item.body - 1] if item.body <= len(numbers) else ""
        size = f"{item.size:,} byte".replace(",", ".")  # Italian thousands separator
        _row(table, "td", [number, item.name, item.format, item.description, size])


def _row(table: etree._Element, cell: str, texts: list[str | None]) -> None:
    row = etree.SubElement(table, "tr")
    for text in texts:
        etree.SubElement(row, cell).text = text or ""


# --- PDF --------------------------------------------------------------------------------------
class PdfRenderingFailed(RuntimeError):
    """xhtml2pdf could not lay out the page (a defect here, not a problem of the invoice)."""


def render_pdf(data: bytes, *, style: Style = "ministerial") -> bytes:
    """`render_html`'s page as a PDF (A4, xhtml2pdf). Conversions run one at a time per
    process: xhtml2pdf holds a global lock while it lays out a document."""
    html = render_html(data, style=style)
    pisa, policy = _pdf_engine()
    output = io.BytesIO()
    status = pisa.CreatePDF(html, dest=output, resource_policy=policy)
    if status.err:
        problems = "; ".join(message for mode, _, message, _ in status.log if mode == "error")
        raise PdfRenderingFailed(f"PDF layout failed: {problems or status.err}")
    return output.getvalue()


@cache
def _pdf_engine() -> tuple[Any, Any]:
    """xhtml2pdf and a policy that lets the page load nothing: no files, no network.

    Imported on first use: it takes ~0.3 s to import, and HTML rendering does not need it."""
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    for name in ("xhtml2pdf.parser", "xhtml2pdf.files"):
        logging.getLogger(name).addFilter(_expected_warnings)
    return pisa, ResourceAccessPolicy.server(base_dir=None, allow_remote=False)


def _expected_warnings(record: logging.LogRecord) -> bool:
    """Drop what xhtml2pdf warns on every official page: CSS it does not implement (shadows,
    floats, table-layout) and the sheets' background logo, which our policy refuses to load."""
    message = record.getMessage()
    return "Ignoring CSS properties" not in message and "logo_sdi_trasparente" not in message


# --- attachments ------------------------------------------------------------------------------
def attachments(data: bytes) -> list[Attachment]:
    """Every attachment of every body, in file order (read leniently, like rendering).

    A block whose content could not be decoded is left out; the reading reports it."""
    return _attachments_of(read(data, lenient=True).document)


def _attachments_of(document: Document) -> list[Attachment]:
    found = []
    for index, body in enumerate(document.FatturaElettronicaBody, start=1):
        for block in body.Allegati:
            if block.Attachment is None:
                continue
            found.append(
                Attachment(
                    body=index,
                    name=block.NomeAttachment or "",
                    format=block.FormatoAttachment,
                    description=block.DescrizioneAttachment,
                    content=bytes(block.Attachment),
                )
            )
    return found


MAX_NAME_BYTES = 200  # UTF-8 bytes; file systems allow 255, and "-2" … must still fit
MAX_SUFFIX_LENGTH = 10
MAX_ATTEMPTS = 10_000
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,5}")


def extract_attachments(data: bytes, directory: Path | str) -> list[Path]:
    """Write every attachment into `directory` (created if missing); returns the new files.

    Names come from the file and are untrusted: only their last path component is kept, made
    safe, and never overwrites a file already there (a suffix -2, -3 … is added instead)."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for number, item in enumerate(attachments(data), start=1):
        written.append(_write_new(target, safe_file_name(item, number), item.content))
    return written


def safe_file_name(item: Attachment, number: int) -> str:
    """A plain file name for the `number`-th attachment: no directories, no hidden names."""
    name = re.split(r"[/\\]", item.name)[-1]  # senders' Windows paths too
    name = _UNSAFE.sub("_", name).strip(" .")  # no "..", no hidden files, no trailing dots
    stem, suffix = _split(name or f"allegato-{item.body}-{number}")
    if not suffix and item.format and _EXTENSION.fullmatch(item.format):
        suffix = item.format.lower()  # "fattura" + PDF -> "fattura.pdf", so it opens
    budget = MAX_NAME_BYTES - len(suffix.encode()) - 1
    return _join(stem.encode()[:budget].decode(errors="ignore"), suffix)


def _split(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    return (stem, suffix) if dot and stem and len(suffix) <= MAX_SUFFIX_LENGTH else (name, "")


def _join(stem: str, suffix: str) -> str:
    return f"{stem}.{suffix}" if suffix else stem


def _write_new(directory: Path, name: str, content: bytes) -> Path:
    stem, suffix = _split(name)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        path = directory / (name if attempt == 1 else _join(f"{stem}-{attempt}", suffix))
        try:
            with path.open("xb") as file:  # exclusive create: never follows or replaces
                file.write(content)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"no free file name for {name!r} in {directory}")
