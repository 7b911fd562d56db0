"""Cancelling (ANN) and correcting (Rettifica) Dati Fattura files SDI accepted (FACTS.md §6.1).

An ANN names the IdFile SDI gave the accepted file, and a Posizione to cancel one document only;
the schema allows one Posizione per ANN, so cancelling several documents makes one file each. A
Rettifica is a DTE/DTR file of one document, re-read from the ledger as it is now, pointing at the
IdFile and Posizione it replaces. Both go through reports.submissions like any data file (name
reserved, signed, sent by the worker, outcome polled); an accepted ANN of a whole file marks the
file `cancelled_by` it.

What a position holds is read back from the file as it was sent (its TipoDocumento, Data, Numero
and counterparty), and found again in the ledger by number, date and counterparty.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.errors import Conflict, InvalidInput
from fatturahub.fatturapa import p7m
from fatturahub.fatturapa.xmlsafe import parse_xml
from fatturahub.fiscal.datifatture import InvoiceData, Position, cancellation, correction
from fatturahub.fiscal.naming import FileType
from fatturahub.reports import datifatture, repository, submissions
from fatturahub.reports.models import DataSubmission
from fatturahub.reports.submissions import SubmissionState
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.models import Company
from fatturahub.webhooks.publishing import publish

ANN = "ANN"
DATA_KINDS = ("DTE", "DTR")
ACCEPTED = (SubmissionState.ACCEPTED, SubmissionState.ACCEPTED_WITH_WARNINGS)
# an ANN or Rettifica that did not end in a refusal: it holds its position (or file)
OUTSTANDING = (
    SubmissionState.QUEUED,
    SubmissionState.SENT,
    SubmissionState.PROCESSING,
    *ACCEPTED,
)


@dataclass(frozen=True)
class SentDocument:
    """A document as the accepted file carried it, at `position` (1..n across counterparties)."""

    position: int
    tipo_documento: str
    day: date
    numero: str
    counterparty_ids: frozenset[str]  # IdPaese+IdCodice and/or CodiceFiscale


async def cancel(
    session: AsyncSession,
    company: Company,
    original: DataSubmission,
    positions: Sequence[int] | None,
    *,
    secret_key: str,
    storage: LocalStorage,
) -> list[DataSubmission]:
    """ANN files for the whole of `original` (positions None) or for each of its positions."""
    await _check_accepted(session, original, "cancel", storage)
    cancellations = await repository.referring(session, original.id, cancels=True)
    if any(c.position is None for c in cancellations if c.state in OUTSTANDING):
        raise Conflict(f"submission {original.id} is already cancelled or being cancelled")
    wanted: list[int | None]
    if positions:
        wanted = list(_distinct(positions))
        _check_positions(wanted, len(_sent_documents(original, storage)))
        taken = {c.position for c in cancellations if c.state in OUTSTANDING}
        if already := sorted(p for p in wanted if p in taken):
            raise Conflict(f"position(s) {already} already cancelled or being cancelled")
    else:
        wanted = [None]
    made = []
    for position in wanted:
        content = datifatture.checked(cancellation(Position(original.id_file or "", position)))
        submission = await _submit(session, company, original, content, secret_key, storage)
        submission.document_kind, submission.cancels_id, submission.position = ANN, original.id, position
        made.append(submission)
    return made


async def correct(
    session: AsyncSession,
    company: Company,
    original: DataSubmission,
    positions: Sequence[int],
    *,
    secret_key: str,
    storage: LocalStorage,
) -> list[DataSubmission]:
    """A Rettifica per position: the document's current data from the ledger."""
    await _check_accepted(session, original, "correct", storage)
    cancellations = await repository.referring(session, original.id, cancels=True)
    outstanding = [c for c in cancellations if c.state in OUTSTANDING]
    if any(c.position is None for c in outstanding):
        raise Conflict(f"submission {original.id} is cancelled or being cancelled")
    wanted = list(_distinct(positions))
    documents = _sent_documents(original, storage)
    _check_positions(wanted, len(documents))
    if cancelled := sorted(p for p in wanted if p in {c.position for c in outstanding}):
        raise Conflict(f"position(s) {cancelled} are cancelled or being cancelled")
    kind = original.document_kind or ""
    party = datifatture.company_party(company)
    invoices = [await _current(session, company.id, kind, documents[p - 1]) for p in wanted]
    made = []
    for position, invoice in zip(wanted, invoices, strict=True):
        replaces = Position(original.id_file or "", position)
        content = datifatture.checked(correction(kind, party, invoice, replaces))
        submission = await _submit(session, company, original, content, secret_key, storage)
        submission.document_kind, submission.corrects_id, submission.position = kind, original.id, position
        made.append(submission)
    return made


async def after_outcome(session: AsyncSession, submission: DataSubmission) -> None:
    """Once SDI accepts an ANN of a whole file, that file shows it is cancelled, and by which."""
    if (
        submission.document_kind != ANN
        or submission.cancels_id is None
        or submission.position is not None
        or submission.state not in ACCEPTED
    ):
        return
    cancelled = await repository.submission(session, submission.company_id, submission.cancels_id)
    if cancelled is None or cancelled.cancelled_by_id is not None:
        return
    cancelled.cancelled_by_id = submission.id
    company = await session.get_one(Company, submission.company_id)
    await publish(
        session,
        company_id=company.id,
        owner_account_id=company.account_id,
        type="dati_fatture.submission.cancelled",
        subject_type="data_submission",
        subject_id=cancelled.id,
        data={
            "id": str(cancelled.id),
            "file_name": cancelled.file_name,
            "year": cancelled.year,
            "id_file": cancelled.id_file,
            "cancelled_by_id": str(submission.id),
            "cancelled_by_file_name": submission.file_name,
        },
    )


async def _check_accepted(
    session: AsyncSession, original: DataSubmission, verb: str, storage: LocalStorage
) -> None:
    await repository.lock_submission(session, original.id)
    if original.document_kind is None and original.kind == FileType.DATI_FATTURA.value:
        original.document_kind = _stored_kind(original, storage)  # sent before the column existed
    if original.state not in ACCEPTED or not original.id_file:
        raise Conflict(f"only a submission SDI accepted can be {verb}ed: this one is {original.state}")
    if original.document_kind not in DATA_KINDS:
        raise Conflict(f"only DTE or DTR files can be {verb}ed, not {original.document_kind or 'this file'}")
    if original.cancelled_by_id is not None:
        raise Conflict(f"submission {original.id} was cancelled by {original.cancelled_by_id}")


async def _submit(
    session: AsyncSession,
    company: Company,
    original: DataSubmission,
    content: bytes,
    secret_key: str,
    storage: LocalStorage,
) -> DataSubmission:
    submission = await submissions.submit(
        session,
        company,
        secret_key=secret_key,
        kind=FileType.DATI_FATTURA,
        year=original.year,
        content=content,
        storage=storage,
        substitutes=None,
    )
    submission.period = original.period
    return submission


def _distinct(positions: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(positions))


def _check_positions(positions: Sequence[int | None], count: int) -> None:
    if bad := [p for p in positions if p is None or not 1 <= p <= count]:
        raise InvalidInput(
            "no such position",
            errors=[{"path": "positions", "message": f"{bad}: the file holds positions 1..{count}"}],
        )


def _stored_root(original: DataSubmission, storage: LocalStorage) -> etree._Element:
    """The file as stored, unwrapped from its CAdES envelope (an XAdES signature is a child)."""
    content = storage.get(original.file_key)
    if original.file_name.endswith(".p7m"):
        content = p7m.signed_content(p7m.load_signed_data(content))
    return parse_xml(content).getroot()


def _stored_kind(original: DataSubmission, storage: LocalStorage) -> str | None:
    root = _stored_root(original, storage)
    return next((kind for kind in (*DATA_KINDS, ANN) if root.find(kind) is not None), None)


def _sent_documents(original: DataSubmission, storage: LocalStorage) -> list[SentDocument]:
    """The documents of the file as stored, in file order."""
    root = _stored_root(original, storage)
    kind = original.document_kind
    counterparty, body = (
        ("CessionarioCommittenteDTE", "DatiFatturaBodyDTE")
        if kind == "DTE"
        else ("CedentePrestatoreDTR", "DatiFatturaBodyDTR")
    )
    found = []
    for party in root.iterfind(f"{kind}/{counterparty}"):
        ids = _party_ids(party)
        for element in party.iterfind(body):
            general = element.find("DatiGenerali")
            found.append(
                SentDocument(
                    position=len(found) + 1,
                    tipo_documento=general.findtext("TipoDocumento") or "",
                    day=date.fromisoformat(general.findtext("Data") or ""),
                    numero=general.findtext("Numero") or "",
                    counterparty_ids=ids,
                )
            )
    return found


def _party_ids(party: etree._Element) -> frozenset[str]:
    ids = party.find("IdentificativiFiscali")
    if ids is None:
        return frozenset()
    found = set()
    if (vat := ids.find("IdFiscaleIVA")) is not None:
        found.add(f"{vat.findtext('IdPaese') or ''}{vat.findtext('IdCodice') or ''}")
    if code := ids.findtext("CodiceFiscale"):
        found.add(code)
    return frozenset(found)


async def _current(
    session: AsyncSession, company_id: uuid.UUID, kind: str, sent: SentDocument
) -> InvoiceData:
    rows = await repository.datifattura_document_entries(
        session, company_id, kind == "DTE", sent.numero, sent.day
    )
    candidates = []
    for _key, group in groupby(rows, key=lambda r: (r[0].source_id, r[0].position)):
        entries = list(group)
        _entry, vat_id, tax_code = entries[0]
        ids = {i for i in (vat_id, tax_code) if i}
        if not sent.counterparty_ids or ids & sent.counterparty_ids:
            candidates.append(entries)
    document = datifatture.document(candidates[0]) if candidates else None
    if document is None:
        raise InvalidInput(
            "the document is no longer in the ledger",
            errors=[
                {
                    "path": "positions",
                    "message": f"position {sent.position} ({sent.numero} of {sent.day}) has no current data",
                }
            ],
        )
    return document
