"""SDI's checks on a received file, in SDI's order: name, size, envelope and signature, schema,
content controls. The first stage that fails decides the rejection, as on SDI.

Pure and synchronous (the sandbox runs it in a worker thread): what it needs to know about other
files arrives as plain values taken beforehand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from fatturahub import fatturapa
from fatturahub.fatturapa.controls import DuplicateKey, check, duplicate_key
from fatturahub.fatturapa.issues import FatturaPAError, Issue
from fatturahub.fatturapa.naming import Extension, InvalidFileName, InvoiceFileName
from fatturahub.fatturapa.normalize import open_envelopes
from fatturahub.fatturapa.signature import SignatureReport, verify_cades, verify_xades
from fatturahub.fatturapa.xmlsafe import parse_xml

DS_SIGNATURE = "{http://www.w3.org/2000/09/xmldsig#}Signature"
MAX_FORMAT_ERRORS = 50  # then SDI stops with 00201
MAX_ERRORS = 200  # what a ListaErrori holds
PA_FORMAT = "FPA12"

# The rejections the sandbox words itself (the controls bring their own): code, Italian, English.
TEXTS = {
    "bad_name": ("00001", "Nome file non valido: {detail}", "File name not valid: {detail}"),
    "name_taken": ("00002", "Nome file duplicato: {detail}", "File name already used: {detail}"),
    "too_large": (
        "00003",
        "Le dimensioni del file superano quelle ammesse: {detail}",
        "The file is larger than allowed: {detail}",
    ),
    "unsigned_pa": (
        "00102",
        "File non integro (firma non valida): una fattura verso la PA (FPA12) deve essere firmata",
        "File not intact (signature not valid): an invoice to a public administration (FPA12) must be signed",
    ),
    "signed_after_receipt": (
        "00105",
        "Il riferimento temporale della firma è successivo alla ricezione del file: {detail}",
        "The signing time is later than the receipt of the file: {detail}",
    ),
    "zip": (
        "00106",
        "Archivio {detail}: la sandbox non gestisce gli archivi .zip",
        "Archive {detail}: the sandbox does not handle .zip archives",
    ),
    "too_many_format_errors": (
        "00201",
        "Superato il numero massimo di {detail} errori di formato",
        "More than {detail} format errors",
    ),
}


@dataclass(frozen=True)
class Verdict:
    errors: list[Issue]
    format: str | None = None  # FPA12, FPR12, FSM10 when the file could be read that far
    codice_destinatario: str | None = None
    duplicate_keys: tuple[DuplicateKey, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Submission:
    file_name: str
    content: bytes
    received_at: datetime
    name_taken: bool  # an earlier file had the same name (ignoring the extension)
    duplicates: Callable[[DuplicateKey], bool]  # the 00404 lookup over accepted invoices
    max_bytes: int
    lang: str


def examine(submission: Submission) -> Verdict:
    try:
        name = InvoiceFileName.parse(submission.file_name)
    except InvalidFileName as exc:
        return _rejected(submission, "bad_name", str(exc))
    if submission.name_taken:
        return _rejected(submission, "name_taken", submission.file_name)
    if len(submission.content) > submission.max_bytes:
        size = f"{len(submission.content):,} > {submission.max_bytes:,} bytes"
        return _rejected(submission, "too_large", size)
    if name.extension is Extension.ZIP:
        return _rejected(submission, "zip", submission.file_name)
    return _examine_content(submission, name.extension)


def _examine_content(submission: Submission, extension: Extension) -> Verdict:
    try:
        signature = _signature(submission.content, extension)
    except FatturaPAError as exc:
        return Verdict(exc.issues, _declared_format(submission))
    if signature is not None and (failures := _signature_failures(signature, submission)):
        return Verdict(failures, _declared_format(submission))
    try:
        reading = fatturapa.read(submission.content, max_bytes=submission.max_bytes)
    except FatturaPAError as exc:
        return Verdict(_capped(exc.issues, submission.lang), _declared_format(submission))
    document = reading.document
    verdict = Verdict([], reading.format, _recipient_code(document))
    if reading.errors:
        return _with_errors(verdict, _capped(reading.errors, submission.lang))
    if reading.format == PA_FORMAT and signature is None:
        return _with_errors(verdict, [_issue("unsigned_pa", "", submission.lang)])
    report = check(
        document,
        receipt_date=submission.received_at.date(),
        duplicates=submission.duplicates,
        lang=submission.lang,
        schema_valid=True,
    )
    if report.issues:
        return _with_errors(verdict, report.issues[:MAX_ERRORS])
    keys = tuple(duplicate_key(document, body) for body in document.FatturaElettronicaBody)
    return Verdict([], verdict.format, verdict.codice_destinatario, keys)


def _recipient_code(document: fatturapa.Document) -> str | None:
    # a schema-invalid document may lack any part of the path
    header = document.FatturaElettronicaHeader
    transmission = header.DatiTrasmissione if header is not None else None
    return transmission.CodiceDestinatario if transmission is not None else None


def _signature(content: bytes, extension: Extension) -> SignatureReport | None:
    """The CAdES report of a .xml.p7m, the XAdES report of a signed .xml, None when unsigned."""
    if extension is Extension.SIGNED:
        return verify_cades(content)
    return verify_xades(content) if _has_xades(content) else None


def _has_xades(content: bytes) -> bool:
    try:
        root = parse_xml(content).getroot()
    except FatturaPAError:
        return False  # not XML at all: the schema stage says why
    return root.find(DS_SIGNATURE) is not None


def _signature_failures(report: SignatureReport, submission: Submission) -> list[Issue]:
    # The sandbox has no trust list: any certificate is accepted, as long as it signs correctly.
    failures = [Issue(c.code or "00102", "", c.message) for c in report.failures]
    signed_at = report.signing_time
    if signed_at is not None and signed_at > submission.received_at:
        detail = f"{signed_at.isoformat()} > {submission.received_at.isoformat()}"
        failures.append(_issue("signed_after_receipt", detail, submission.lang))
    return failures


def _capped(issues: list[Issue], lang: str) -> list[Issue]:
    if len(issues) <= MAX_FORMAT_ERRORS:
        return issues
    return [*issues[:MAX_FORMAT_ERRORS], _issue("too_many_format_errors", str(MAX_FORMAT_ERRORS), lang)]


def _declared_format(submission: Submission) -> str | None:
    """The root's `versione` of a file that failed before being read: it picks the message flow."""
    try:
        xml = open_envelopes(submission.content, max_bytes=submission.max_bytes).xml
        return parse_xml(xml, max_bytes=submission.max_bytes).getroot().get("versione")
    except (FatturaPAError, etree.LxmlError):
        return None


def _rejected(submission: Submission, text: str, detail: str) -> Verdict:
    return Verdict([_issue(text, detail, submission.lang)], _declared_format(submission))


def _with_errors(verdict: Verdict, errors: list[Issue]) -> Verdict:
    return Verdict(errors, verdict.format, verdict.codice_destinatario)


def _issue(text: str, detail: str, lang: str) -> Issue:
    code, italian, english = TEXTS[text]
    return Issue(code, "", (italian if lang == "it" else english).format(detail=detail))
