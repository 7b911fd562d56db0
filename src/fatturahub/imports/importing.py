"""Importing one history file into a company, in two steps.

`prepare` is pure: it reads the file (inbox's lenient reading, with signature verification)
and checks that it belongs to the company: as recipient (passive) or as cedente (active). A file
that fails gets a per-file error; nothing in it is stored.

`store` writes what is new. Passive: a ReceivedFile (source "import", no IdentificativoSdI) and
one ReceivedInvoice per body of a lotto, bodies already stored (same supplier, type, number,
date: inbox's duplicate key) skipped. Active: an Invoice in state `imported`, with its 00404 keys,
so a later invoice with the same number is refused; a file whose key is already issued is
skipped. History is not news: no received_invoice.created / invoice.created events (the import
publishes one import.completed when done).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub import fatturapa
from fatturahub.db.base import utcnow
from fatturahub.fatturapa.issues import FatturaPAError
from fatturahub.imports import repository
from fatturahub.imports.states import Direction
from fatturahub.inbox import receiving
from fatturahub.inbox.models import ReceivedFile
from fatturahub.inbox.reading import FileReading, Party, read_received
from fatturahub.inbox.routing import Candidate, matches_cf, matches_vat
from fatturahub.invoices.checks import duplicate_keys
from fatturahub.invoices.models import Invoice, InvoiceKey
from fatturahub.invoices.states import InvoiceState
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.models import Company

IMPORT_SOURCE = "import"


class Rejected(Exception):
    """Why one file cannot be imported (a per-file error)."""


@dataclass(frozen=True)
class Prepared:
    name: str
    content: bytes
    reading: FileReading
    xml: bytes | None = None  # active: the plain XML
    keys: list[str] = field(default_factory=list)  # active: the 00404 keys
    total: Decimal | None = None  # active: the first body's total


@dataclass
class Counts:
    imported: int = 0
    skipped: int = 0


# --- reading (pure) ---------------------------------------------------------------------------
def identity(company: Company) -> Candidate:
    return Candidate(
        company.id,
        company.account_id,
        company.partita_iva,
        company.codice_fiscale,
        company.codice_destinatario,
    )


def names(party: Party | None, company: Candidate) -> bool:
    return party is not None and (matches_vat(party, company) or matches_cf(party, company))


def prepare(direction: Direction, name: str, content: bytes, company: Candidate) -> Prepared:
    reading = read_received(content)
    if not reading.readable:
        raise Rejected(f"not a FatturaPA invoice: {reading.problem}")
    if direction == Direction.PASSIVE:
        if not names(reading.recipient, company):
            raise Rejected(f"the recipient ({_who(reading.recipient)}) is not this company")
        return Prepared(name, content, reading)
    if not names(reading.supplier, company):
        raise Rejected(f"the cedente/prestatore ({_who(reading.supplier)}) is not this company")
    missing = [b.position for b in reading.bodies if not (b.numero and b.data and b.tipo_documento)]
    if missing:
        raise Rejected(f"body {missing[0]} has no Numero, Data or TipoDocumento")
    try:
        document = fatturapa.read(content, lenient=True)
    except FatturaPAError as exc:
        raise Rejected(f"not a FatturaPA invoice: {exc}") from None
    first = document.document.FatturaElettronicaBody[0]
    total = reading.bodies[0].total
    total = total if total is not None else _summary_total(first)
    return Prepared(name, content, reading, document.xml, duplicate_keys(document.document), total)


def _summary_total(body: Any) -> Decimal | None:
    """ImportoTotaleDocumento is optional: without it, the summary's taxable amounts plus VAT."""
    summaries = getattr(getattr(body, "DatiBeniServizi", None), "DatiRiepilogo", None)
    if not summaries:
        return None
    zero = Decimal(0)
    return sum(((s.ImponibileImporto or zero) + (s.Imposta or zero) for s in summaries), zero)


def _who(party: Party | None) -> str:
    if party is None:
        return "missing"
    return party.partita_iva or party.codice_fiscale or party.name or "unidentified"


# --- storing ----------------------------------------------------------------------------------
async def store(
    session: AsyncSession, storage: LocalStorage, company: Company, direction: Direction, file: Prepared
) -> Counts:
    if direction == Direction.PASSIVE:
        return await _store_received(session, storage, company, file)
    return await _store_issued(session, company, file)


async def _store_received(
    session: AsyncSession, storage: LocalStorage, company: Company, file: Prepared
) -> Counts:
    supplier = file.reading.supplier or Party()
    keyed = [(body, receiving.body_key(supplier, body)) for body in file.reading.bodies]
    taken = await repository.received_keys_taken(session, company.id, [k for _, k in keyed if k])
    new = [(body, key) for body, key in keyed if key is None or key not in taken]
    counts = Counts(imported=len(new), skipped=len(keyed) - len(new))
    if not new:
        return counts
    received = await _received_file(storage, company, file)
    session.add(received)
    session.add_all(receiving.body_invoice(received, supplier, body) for body, _ in new)
    await session.flush()  # the next file of the import sees these keys
    return counts


async def _received_file(storage: LocalStorage, company: Company, file: Prepared) -> ReceivedFile:
    reading = file.reading
    return ReceivedFile(
        id=uuid.uuid4(),
        created_at=utcnow(),
        identificativo_sdi=None,
        source=IMPORT_SOURCE,
        account_id=company.account_id,
        company_id=company.id,
        file_name=PurePosixPath(file.name.replace("\\", "/")).name[:60],
        file_key=await storage.put(file.content),
        size=len(file.content),
        metadata_file_name="",
        metadata_key="",
        codice_destinatario=None,
        sdi_metadata={},
        format=reading.format,
        readable=True,
        problem=None,
        warnings={"items": reading.warnings, "repairs": reading.repairs},
        envelopes={"items": reading.envelopes},
        signature_status=str(reading.signature_status),
        signature=reading.signature,
        routing={"rule": "import", "detail": "imported history: the recipient is this company"},
    )


async def _store_issued(session: AsyncSession, company: Company, file: Prepared) -> Counts:
    bodies = len(file.reading.bodies)
    if await repository.issued_keys_taken(session, company.id, file.keys):
        return Counts(skipped=bodies)
    invoice = _issued_invoice(company, file)
    session.add(invoice)
    await session.flush()
    session.add_all(InvoiceKey(invoice_id=invoice.id, key=key, company_id=company.id) for key in file.keys)
    await session.flush()  # the next file of the import sees these keys
    return Counts(imported=bodies)


def _issued_invoice(company: Company, file: Prepared) -> Invoice:
    """The summary columns come from the first body, as for invoices we send."""
    reading, first = file.reading, file.reading.bodies[0]
    customer = reading.recipient or Party()
    signed = "cades" in reading.envelopes
    assert file.xml is not None and first.numero and first.data and first.tipo_documento
    return Invoice(
        id=uuid.uuid4(),
        account_id=company.account_id,
        company_id=company.id,
        state=InvoiceState.IMPORTED,
        format=(reading.format or "")[:5],
        tipo_documento=first.tipo_documento,
        numero=first.numero[:20],
        data=first.data,
        customer_id=(customer.partita_iva or customer.codice_fiscale or "")[:40],
        customer_name=customer.name or "",
        total=file.total,
        document=file.xml,
        origin="p7m" if signed else "xml",
        original=file.content if signed else None,
        file_sha256=hashlib.sha256(file.content).hexdigest(),
    )
