"""SdITrasmissioneFile v2.0 as the Agenzia's Sistema Ricevente exposes it (SOAP 1.1), for LIPE (LI)
and Dati Fattura (DF) files, and the control routes that show and steer it.

`Trasmetti` answers at once with an IDFile and DataOraRicezione (or Errore EI01 empty file, EI02
sandbox not running, EI04 TipoFile not fitting the file name); the file is then processed in the
background, as the Sistema Ricevente does: `Esito` answers SF01 until a scheduler tick (every
`TICK_SECONDS`, a file waits at least one full period) or `POST /control/data-files/process` has
processed it, then SF02 with the EsitoFile (ES01 validated, ES03 rejected with its errors), or
SF03 for a file the sandbox could not process at all (FL archives are not simulated).

The checks follow the "Elenco controlli" of the Sistema Ricevente, the first failing stage decides:
file name (00001) and its uniqueness (00002), size (00003), the CAdES envelope of a .p7m or the
XAdES signature of an .xml (00102 ..., 00105 signed after receipt, 00106 unreadable), well-formed
XML and the official schema (00200, then 00201 past 50 errors: IVP18 for LI, DatiFattura v2.1 for
DF). Content controls that need the Agenzia's registries (00400 ... 00600) are not simulated, but a
rejection can be forced from the control API (`reject-next`, `rejected-senders`).

State lives in memory, in this module (one `DataFiles` per sandbox app, on `app.state`); the
router's lifespan runs the scheduler. See docs/sandbox.md.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Request, Response
from lxml import etree
from pydantic import BaseModel, Field

from fatturahub.errors import NotFound
from fatturahub.fatturapa.issues import FatturaPAError, Issue
from fatturahub.fatturapa.naming import InvalidFileName
from fatturahub.fatturapa.normalize import open_envelopes
from fatturahub.fatturapa.schemas import SPECS
from fatturahub.fatturapa.signature import Signer, sign_xades, verify_cades, verify_xades
from fatturahub.fatturapa.xmlsafe import parse_xml
from fatturahub.fiscal import esiti
from fatturahub.fiscal.datifatture import check as check_dati_fattura
from fatturahub.fiscal.lipe import ivp18
from fatturahub.fiscal.naming import CommunicationFileName, FileType
from fatturahub.sdi import soap
from fatturahub.sdi.channels import sdidati
from fatturahub.sdi.sandbox.ricevifile import addressed_wsdl

TICK_SECONDS = 1.0  # a received file is processed at the second tick after its receipt
MAX_ERRORS = 200  # what an EsitoFile's ListaErrori holds, at most
OUTCOME_SEQUENCE = "001"  # one EsitoFile per file
UNIDENTIFIED = "NA"  # TipoFile and outcome type of a file whose name says nothing
NOT_AUTHORISED = "00600"  # "Soggetto non autorizzato alla trasmissione"
FORCED_REJECTION = "Scarto simulato dalla sandbox"
DS_SIGNATURE = "{http://www.w3.org/2000/09/xmldsig#}Signature"
WSDL = SPECS / sdidati.WSDL
TYPES_XSD = SPECS / sdidati.XSD
log = logging.getLogger("fatturahub.sdi.sandbox.datafiles")

TEXTS = {
    "00001": "Nome file non valido: {detail}",
    "00002": "Nome file duplicato: {detail}",
    "00003": "Le dimensioni del file superano quelle ammesse: {detail}",
    "00105": "File firmato con riferimento temporale non coerente: {detail}",
}


class DataFileStatus(StrEnum):
    RECEIVED = "received"  # SF01: waiting for processing
    VALIDATED = "validated"  # SF02, EsitoFile ES01
    REJECTED = "rejected"  # SF02, EsitoFile ES03
    FAILED = "failed"  # SF03: not processable (an FL archive, or the sandbox failed on it)
    REFUSED = "refused"  # Trasmetti answered with Errore (EI01, EI02, EI04): not taken

    @property
    def esito(self) -> str:
        """The StatoFile Esito answers for a file in this status."""
        if self is DataFileStatus.RECEIVED:
            return sdidati.PROCESSING
        if self in (DataFileStatus.VALIDATED, DataFileStatus.REJECTED):
            return sdidati.PROCESSED
        return sdidati.FAILED


@dataclass
class DataFile:
    id_file: int
    file_name: str
    tipo_file: str
    content: bytes
    received_at: datetime  # virtual time
    status: DataFileStatus = DataFileStatus.RECEIVED
    refusal: str | None = None  # the Errore of the Trasmetti answer
    errors: list[Issue] = field(default_factory=list)
    failure: str | None = None  # why SF03
    outcome_file_name: str | None = None
    outcome: bytes | None = None  # the signed EsitoFile
    processed_at: datetime | None = None
    ticks: int = 0  # scheduler ticks seen while received

    @property
    def stem(self) -> str:
        return _stem(self.file_name)


@dataclass(frozen=True)
class Examination:
    """What processing decided: the EsitoFile (and its errors), or why there is none (SF03)."""

    errors: list[Issue]
    outcome_file_name: str | None = None
    outcome: bytes | None = None
    failure: str | None = None


@dataclass(frozen=True)
class Job:
    """A file's processing, with everything it needs copied beforehand (it runs in a thread)."""

    id_file: int
    file_name: str
    tipo_file: str
    content: bytes
    received_at: datetime
    name_taken: bool
    max_bytes: int
    forced: tuple[Issue, ...]  # errors the control API forces on this file
    rejected_senders: frozenset[str]
    message_id: str
    signer: Signer


def examine(job: Job) -> Examination:
    """Check the file as the Sistema Ricevente does, and build its signed EsitoFile."""
    try:
        name = CommunicationFileName.parse(job.file_name)
    except InvalidFileName as exc:
        return _outcome(job, None, [_issue("00001", str(exc)), *job.forced])
    if name.type is FileType.LIPE_ARCHIVE or name.extension.startswith(".zip"):
        return Examination([], failure="archives (FL, .zip) are not simulated by the sandbox")
    errors = _file_errors(job, name)
    if name.code in job.rejected_senders:
        errors.append(Issue(NOT_AUTHORISED, "", f"Soggetto non autorizzato alla trasmissione: {name.code}"))
    return _outcome(job, name, [*errors, *job.forced])


def _file_errors(job: Job, name: CommunicationFileName) -> list[Issue]:
    if job.name_taken:
        return [_issue("00002", job.file_name)]
    if len(job.content) > job.max_bytes:
        return [_issue("00003", f"{len(job.content):,} > {job.max_bytes:,} bytes")]
    try:
        xml = _opened(job, name)
        signature = _signature_errors(job, xml, name)
        if signature:
            return signature
        tree = parse_xml(xml, max_bytes=job.max_bytes)
    except FatturaPAError as exc:
        return list(exc.issues)
    check = ivp18.check if name.type is FileType.LIPE else check_dati_fattura
    return check(tree)


def _opened(job: Job, name: CommunicationFileName) -> bytes:
    """The XML inside a .p7m (DER, BER or base64; nested envelopes too), an .xml as it is."""
    if not name.extension.endswith(".p7m"):
        return job.content
    return open_envelopes(job.content, max_bytes=job.max_bytes).xml


def _signature_errors(job: Job, xml: bytes, name: CommunicationFileName) -> list[Issue]:
    """CAdES of a .p7m, XAdES of a signed .xml; unsigned files pass (the sandbox does not require
    a signature, the Sistema Ricevente does). There is no trust list: any certificate verifies."""
    if name.extension.endswith(".p7m"):
        report = verify_cades(job.content)
    elif _has_xades(xml, job.max_bytes):
        report = verify_xades(xml)
    else:
        return []
    errors = [Issue(check.code or "00102", "", check.message) for check in report.failures]
    signed_at = report.signing_time
    if signed_at is not None and signed_at > job.received_at:
        errors.append(_issue("00105", f"{signed_at.isoformat()} > {job.received_at.isoformat()}"))
    return errors


def _has_xades(xml: bytes, max_bytes: int) -> bool:
    try:
        return parse_xml(xml, max_bytes=max_bytes).getroot().find(DS_SIGNATURE) is not None
    except FatturaPAError:
        return False  # the parsing stage says why


def _outcome(job: Job, name: CommunicationFileName | None, errors: list[Issue]) -> Examination:
    errors = errors[:MAX_ERRORS]
    outcome_name = name.outcome(OUTCOME_SEQUENCE) if name is not None else _unidentified_name(job.file_name)
    esito = esiti.EsitoFile(
        file_type=name.type.value if name is not None else UNIDENTIFIED,
        id_file=str(job.id_file),
        file_name=job.file_name,
        received_at=job.received_at,
        outcome=esiti.Outcome.REJECTED if errors else esiti.Outcome.VALIDATED,
        errors=tuple(esiti.OutcomeError(e.code, esiti.description(_described(e))) for e in errors),
        message_id=job.message_id,
    )
    content = esiti.build(esito, sign=lambda xml: sign_xades(xml, job.signer))
    return Examination(errors, outcome_name, content)


def _described(issue: Issue) -> str:
    return f"{issue.path}: {issue.message}" if issue.path else issue.message


def _unidentified_name(file_name: str) -> str:
    """Specifiche notifiche di esito §1.1: a non-conforming name is cut at 36 characters."""
    stem = re.sub(r"[^A-Za-z0-9_]", "", file_name.split(".")[0])[:36] or "file"
    return f"{stem}_{UNIDENTIFIED}_{OUTCOME_SEQUENCE}.xml"


def _issue(code: str, detail: str) -> Issue:
    return Issue(code, "", TEXTS[code].format(detail=detail))


def _stem(file_name: str) -> str:
    """Names are compared without extension and case (the outcome name derives from the stem)."""
    try:
        return CommunicationFileName.parse(file_name).stem.upper()
    except InvalidFileName:
        return file_name.split(".")[0].upper()


class NotRunning(RuntimeError):
    """The router's lifespan (the scheduler) is not running."""


class DataFiles:
    """The files a sandbox received on SdITrasmissioneFile, and how the control API steers it.

    Changed on the event loop only; processing holds `_lock` and runs the checks in a thread on a
    `Job` copied beforehand, one file after the other in IDFile order (00002 is decided against
    every file received earlier)."""

    def __init__(self) -> None:
        self._files: dict[int, DataFile] = {}
        self._last_id = 0  # never reset: a sender never sees an IDFile twice
        self._message_ids = itertools.count(1)
        self.running = False
        self.automatic = True
        self.reject_next: tuple[Issue, ...] | None = None
        self.rejected_senders: frozenset[str] = frozenset()
        self._lock = asyncio.Lock()

    # SdITrasmissioneFile

    def receive(self, file_name: str, tipo_file: str, content: bytes, now: datetime) -> DataFile:
        """Take a file (Trasmetti's answer); a refused one is recorded too, with its Errore."""
        self._last_id += 1
        file = DataFile(self._last_id, file_name, tipo_file, content, now)
        file.refusal = self._refusal(file)
        if file.refusal is not None:
            file.status = DataFileStatus.REFUSED
        self._files[file.id_file] = file
        return file

    def _refusal(self, file: DataFile) -> str | None:
        if not self.running:
            return sdidati.SERVICE_UNAVAILABLE
        if not file.content:
            return sdidati.EMPTY_FILE
        if file.tipo_file not in {t.value for t in FileType}:
            return sdidati.WRONG_FILE_TYPE
        with contextlib.suppress(InvalidFileName):  # a name that says nothing is judged later (00001)
            if CommunicationFileName.parse(file.file_name).type.value != file.tipo_file:
                return sdidati.WRONG_FILE_TYPE
        return None

    # reading

    def files(self) -> list[DataFile]:
        return sorted(self._files.values(), key=lambda file: file.id_file)

    def file(self, id_file: int) -> DataFile | None:
        return self._files.get(id_file)

    def pending(self) -> list[DataFile]:
        return [f for f in self.files() if f.status is DataFileStatus.RECEIVED]

    # processing

    async def tick(self, sandbox: Any) -> list[DataFile]:
        """One scheduler round: process the files that were already waiting at the last round."""
        async with self._lock:
            waiting = self.pending()
            due = [f for f in waiting if f.ticks >= 1]
            for file in waiting:
                file.ticks += 1
            return await self._process_all(sandbox, due)

    async def process_now(self, sandbox: Any) -> list[DataFile]:
        """Process every received file now (the control API's shortcut past the scheduler)."""
        async with self._lock:
            return await self._process_all(sandbox, self.pending())

    async def _process_all(self, sandbox: Any, files: list[DataFile]) -> list[DataFile]:
        for file in files:
            if self._files.get(file.id_file) is not file or file.status is not DataFileStatus.RECEIVED:
                continue  # forgotten by a reset
            try:
                await self._process(sandbox, file)
            except Exception:  # a bug must cost one file (SF03), not the sandbox
                log.exception("processing data file %s failed", file.file_name)
                file.status, file.failure = DataFileStatus.FAILED, "the sandbox failed on this file"
        return files

    async def _process(self, sandbox: Any, file: DataFile) -> None:
        forced, self.reject_next = self.reject_next or (), None
        earlier = (f for f in self._files.values() if f.id_file < file.id_file)
        job = Job(
            id_file=file.id_file,
            file_name=file.file_name,
            tipo_file=file.tipo_file,
            content=file.content,
            received_at=file.received_at,
            name_taken=any(f.status is not DataFileStatus.REFUSED and f.stem == file.stem for f in earlier),
            max_bytes=sandbox.config.max_file_bytes,
            forced=forced,
            rejected_senders=self.rejected_senders,
            message_id=str(next(self._message_ids)),
            signer=sandbox.signer,
        )
        result = await asyncio.to_thread(examine, job)
        file.errors, file.failure = result.errors, result.failure
        file.outcome_file_name, file.outcome = result.outcome_file_name, result.outcome
        file.processed_at = sandbox.clock.now()
        if result.outcome is None:
            file.status = DataFileStatus.FAILED
        else:
            file.status = DataFileStatus.REJECTED if result.errors else DataFileStatus.VALIDATED

    async def run(self, sandbox: Any) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            if not self.automatic:
                continue
            try:
                await self.tick(sandbox)
            except Exception:  # keep the scheduler running; the next round tries again
                log.exception("processing data files failed")

    def reset(self) -> None:
        """Forget every file and forced rejection; processing automatic again (IDFile goes on)."""
        self._files.clear()
        self.automatic = True
        self.reject_next = None
        self.rejected_senders = frozenset()


def state_of(app: Any) -> DataFiles:
    """The sandbox app's data-file state (made on first use)."""
    files = getattr(app.state, "datafiles", None)
    if files is None:
        files = app.state.datafiles = DataFiles()
    return files


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Merged into the sandbox app's lifespan by `include_router`: the scheduler runs with it."""
    files = state_of(app)
    files._lock = asyncio.Lock()  # asyncio primitives belong to one event loop
    task = asyncio.create_task(files.run(app.state.sandbox))
    files.running = True
    try:
        yield
    finally:
        files.running = False
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


router = APIRouter(lifespan=lifespan)


# SOAP


@router.post(
    "/SdITrasmissioneFile",
    tags=["SdITrasmissioneFile (SOAP)"],
    summary="Trasmetti a LIPE / Dati Fattura file, or ask its Esito (SOAP 1.1, plain or MTOM)",
    response_class=Response,
    responses={200: {"content": {"text/xml": {}}}, 500: {"description": "SOAP fault"}},
)
async def trasmissione_file(request: Request) -> Response:
    files = state_of(request.app)
    try:
        message = sdidati.read(await request.body(), request.headers.get("content-type"))
        if message.name not in sdidati.ACTIONS:
            raise soap.SoapError(f"expected file (Trasmetti) or esito (Esito), got {message.name}")
        action = (request.headers.get("soapaction") or "").strip().strip('"')
        if action and action != sdidati.ACTIONS[message.name]:
            raise soap.SoapError(f"SOAPAction {action} does not name the operation of {message.name}")
        if message.name == sdidati.ESITO_REQUEST:
            return _esito_answer(files, int(message.text("IDFile") or 0))
        content = message.binary("File")
    except soap.SoapError as exc:
        return _fault(str(exc), client=exc.client_fault)
    sandbox = request.app.state.sandbox
    file = files.receive(
        message.text("NomeFile") or "", message.text("TipoFile") or "", content, sandbox.clock.now()
    )
    children: list[tuple[str, str | bytes]] = [
        ("IDFile", str(file.id_file)),
        ("DataOraRicezione", file.received_at.isoformat()),
    ]
    if file.refusal is not None:
        children.append(("Errore", file.refusal))
    return _answer(sdidati.body(sdidati.TRASMETTI_ANSWER, children))


@router.get(
    "/SdITrasmissioneFile",
    tags=["SdITrasmissioneFile (SOAP)"],
    summary="The service's WSDL (?wsdl), addressed to this sandbox",
)
async def wsdl(request: Request) -> Response:
    return addressed_wsdl(WSDL, request)


@router.get(
    "/TrasmissioneFileTypes_v2.0.xsd",
    tags=["SdITrasmissioneFile (SOAP)"],
    summary="The types the WSDL imports",
)
async def types_xsd() -> Response:
    return Response(TYPES_XSD.read_bytes(), media_type="text/xml")


def _esito_answer(files: DataFiles, id_file: int) -> Response:
    if not files.running:
        children = [("Esito", sdidati.PROCESSING), ("Errore", sdidati.ESITO_UNAVAILABLE)]
        return _answer(sdidati.body(sdidati.ESITO_ANSWER, children))
    file = files.file(id_file)
    state = file.status.esito if file is not None else sdidati.FAILED  # an unknown IDFile: SF03
    element = sdidati.body(sdidati.ESITO_ANSWER, [("Esito", state)])
    if file is not None and file.outcome is not None:
        notifica = etree.SubElement(element, "Notifica")
        etree.SubElement(notifica, "NomeFile").text = file.outcome_file_name
        etree.SubElement(notifica, "File").text = base64.b64encode(file.outcome).decode("ascii")
    return _answer(element)


def _answer(element: etree._Element) -> Response:
    sdidati.validate(element)  # what we answer keeps the contract, or it is a bug here
    return Response(soap.envelope(element), media_type=soap.SOAP_CONTENT_TYPE)


def _fault(message: str, *, client: bool) -> Response:
    # SOAP 1.1 over HTTP: a fault travels with status 500, whoever is at fault
    return Response(soap.fault(message, client=client), status_code=500, media_type=soap.SOAP_CONTENT_TYPE)


# control

IdFile = Annotated[int, Path(ge=1, le=999_999_999_999_999)]
CodiceFiscale = Annotated[str, Field(pattern=r"^[A-Z0-9]{11,16}$", examples=["01234567890"])]
CONTROL = "/control/data-files"


class DataFileErrorView(BaseModel):
    code: str = Field(description="the EsitoFile error code, e.g. 00200")
    path: str
    message: str


class DataFileView(BaseModel):
    id_file: int
    file_name: str
    tipo_file: str
    received_at: datetime = Field(description="virtual time")
    status: DataFileStatus
    esito: Literal["SF01", "SF02", "SF03"] = Field(description="what Esito answers now")
    refusal: str | None = Field(description="the Errore Trasmetti answered (EI01, EI02, EI04): not taken")
    outcome: Literal["ES01", "ES03"] | None = Field(description="the EsitoFile's Esito once processed")
    outcome_file_name: str | None
    errors: list[DataFileErrorView] = Field(description="the EsitoFile's ListaErrori")
    failure: str | None = Field(description="why the file could not be processed (SF03)")
    processed_at: datetime | None = Field(description="virtual time")


class ForcedError(BaseModel):
    codice: str = Field(default=NOT_AUTHORISED, pattern=r"^[0-9A-Z]{5}$")
    descrizione: str = Field(default=FORCED_REJECTION, min_length=1, max_length=255)


class RejectNextRequest(BaseModel):
    errors: list[ForcedError] = Field(default_factory=lambda: [ForcedError()], min_length=1, max_length=50)


class RejectNextView(BaseModel):
    armed: bool
    errors: list[ForcedError]


class RejectedSendersView(BaseModel):
    codici_fiscali: list[CodiceFiscale] = Field(
        description="files whose name carries one of these codici fiscali are rejected (ES03, 00600)"
    )


class ProcessingView(BaseModel):
    automatic: bool = Field(description="the scheduler processes received files (else only /process)")
    tick_seconds: float = TICK_SECONDS


class ProcessingRequest(BaseModel):
    automatic: bool


@router.get(CONTROL, tags=["control"], summary="Data files received on SdITrasmissioneFile, oldest first")
async def list_data_files(request: Request) -> list[DataFileView]:
    return [_view(file) for file in state_of(request.app).files()]


@router.post(
    f"{CONTROL}/process",
    tags=["control"],
    summary="Process every received data file now, without waiting for the scheduler",
)
async def process_data_files(request: Request) -> list[DataFileView]:
    processed = await state_of(request.app).process_now(request.app.state.sandbox)
    return [_view(file) for file in processed]


@router.get(f"{CONTROL}/processing", tags=["control"], summary="Whether the scheduler processes data files")
async def get_processing(request: Request) -> ProcessingView:
    return ProcessingView(automatic=state_of(request.app).automatic)


@router.put(
    f"{CONTROL}/processing",
    tags=["control"],
    summary="Pause (false) or resume (true) the scheduler: paused, files stay SF01 until /process",
)
async def set_processing(request: Request, body: ProcessingRequest) -> ProcessingView:
    files = state_of(request.app)
    files.automatic = body.automatic
    return ProcessingView(automatic=files.automatic)


@router.get(f"{CONTROL}/reject-next", tags=["control"], summary="The rejection forced on the next file")
async def get_reject_next(request: Request) -> RejectNextView:
    return _reject_next_view(state_of(request.app))


@router.put(
    f"{CONTROL}/reject-next",
    tags=["control"],
    summary="Reject the next data file processed (ES03) with these errors, added to its own",
)
async def set_reject_next(request: Request, body: RejectNextRequest | None = None) -> RejectNextView:
    files = state_of(request.app)
    errors = (body or RejectNextRequest()).errors
    files.reject_next = tuple(Issue(e.codice, "", e.descrizione) for e in errors)
    return _reject_next_view(files)


@router.delete(
    f"{CONTROL}/reject-next", tags=["control"], summary="Cancel the forced rejection", status_code=204
)
async def cancel_reject_next(request: Request) -> Response:
    state_of(request.app).reject_next = None
    return Response(status_code=204)


@router.get(
    f"{CONTROL}/rejected-senders", tags=["control"], summary="Codici fiscali whose files are rejected"
)
async def get_rejected_senders(request: Request) -> RejectedSendersView:
    return RejectedSendersView(codici_fiscali=sorted(state_of(request.app).rejected_senders))


@router.put(
    f"{CONTROL}/rejected-senders",
    tags=["control"],
    summary="Replace the codici fiscali (of the file name) whose files are rejected with 00600",
)
async def set_rejected_senders(request: Request, body: RejectedSendersView) -> RejectedSendersView:
    files = state_of(request.app)
    files.rejected_senders = frozenset(body.codici_fiscali)
    return RejectedSendersView(codici_fiscali=sorted(files.rejected_senders))


@router.post(
    f"{CONTROL}/reset",
    tags=["control"],
    summary="Forget every data file and forced rejection (also done by POST /control/reset)",
    status_code=204,
)
async def reset_data_files(request: Request) -> Response:
    state_of(request.app).reset()
    return Response(status_code=204)


@router.get(f"{CONTROL}/{{id_file}}", tags=["control"], summary="One data file")
async def get_data_file(request: Request, id_file: IdFile) -> DataFileView:
    return _view(_file(request, id_file))


@router.get(
    f"{CONTROL}/{{id_file}}/outcome",
    tags=["control"],
    summary="The EsitoFile of a processed data file, as Esito returns it (signed XML)",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
async def get_data_file_outcome(request: Request, id_file: IdFile) -> Response:
    file = _file(request, id_file)
    if file.outcome is None:
        raise NotFound(f"data file {id_file} has no EsitoFile ({file.status.value})")
    return Response(file.outcome, media_type="application/xml")


def _file(request: Request, id_file: int) -> DataFile:
    file = state_of(request.app).file(id_file)
    if file is None:
        raise NotFound(f"no data file with IDFile {id_file}")
    return file


def _reject_next_view(files: DataFiles) -> RejectNextView:
    errors = [ForcedError(codice=i.code, descrizione=i.message) for i in files.reject_next or ()]
    return RejectNextView(armed=files.reject_next is not None, errors=errors)


def _view(file: DataFile) -> DataFileView:
    outcome = None
    if file.status is DataFileStatus.VALIDATED:
        outcome = "ES01"
    elif file.status is DataFileStatus.REJECTED:
        outcome = "ES03"
    return DataFileView(
        id_file=file.id_file,
        file_name=file.file_name,
        tipo_file=file.tipo_file,
        received_at=file.received_at,
        status=file.status,
        esito=file.status.esito,
        refusal=file.refusal,
        outcome=outcome,
        outcome_file_name=file.outcome_file_name,
        errors=[DataFileErrorView(**issue.as_dict()) for issue in file.errors],
        failure=file.failure,
        processed_at=file.processed_at,
    )
