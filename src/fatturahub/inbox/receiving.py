"""Receiving from SDI (RicezioneFatture): keep the delivery, read it, route it — then answer ER01.

`InvoiceRecorder` is the endpoint's sink. Each delivery is one transaction, committed before the
endpoint answers, so ER01 means "stored". The same IdentificativoSdI delivered again (SDI retries
when it did not hear our ER01) records nothing new: the unique constraint on
received_file.identificativo_sdi settles concurrent repeats on both databases, and the loser of
that race answers ER01 too once it sees the winner's row.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fatturahub.db.base import utcnow
from fatturahub.inbox import events, repository
from fatturahub.inbox.models import ReceivedFile, ReceivedInvoice
from fatturahub.inbox.reading import Body, Party, read_metadata, read_received
from fatturahub.inbox.routing import Route, route
from fatturahub.inbox.rules import SELF_INVOICE_TYPES, duplicate_key
from fatturahub.inbox.states import OPEN, ReceivedState
from fatturahub.sdi.messages import parse_message
from fatturahub.storage import LocalStorage

log = logging.getLogger("fatturahub.inbox")
RICEVI_FATTURE = "RiceviFatture"
DECORRENZA_TERMINI = "NotificaDecorrenzaTermini"


async def record_delivery(
    session: AsyncSession,
    storage: LocalStorage,
    *,
    identificativo_sdi: str,
    file_name: str,
    content: bytes,
    metadata_file_name: str,
    metadata: bytes,
) -> ReceivedFile | None:
    """Store, read and route one delivered file; None when it was already recorded."""
    if await repository.file_by_identificativo(session, identificativo_sdi) is not None:
        return None
    reading = await asyncio.to_thread(read_received, content)  # unwrap + verify + parse: CPU work
    sdi_metadata = read_metadata(metadata)
    code = sdi_metadata.get("CodiceDestinatario")
    recipient = reading.recipient if reading.readable else None
    candidates, accounts = await repository.routing_candidates(session, recipient, code)
    decided = route(recipient, code, candidates, accounts)
    file = ReceivedFile(
        id=uuid.uuid4(),
        created_at=utcnow(),
        identificativo_sdi=identificativo_sdi,
        account_id=decided.account_id,
        company_id=decided.company_id,
        file_name=file_name,
        file_key=await storage.put(content),
        size=len(content) + len(metadata),
        metadata_file_name=metadata_file_name,
        metadata_key=await storage.put(metadata),
        codice_destinatario=(code or None) and code[:7],
        sdi_metadata=sdi_metadata,
        format=reading.format,
        readable=reading.readable,
        problem=reading.problem,
        warnings={"items": reading.warnings, "repairs": reading.repairs},
        envelopes={"items": reading.envelopes},
        signature_status=str(reading.signature_status),
        signature=reading.signature,
        routing=decided.as_dict(),
    )
    session.add(file)
    await session.flush()  # the unique IdentificativoSdI: a concurrent repeat fails here
    if decided.account_id is not None:
        await repository.add_storage(session, decided.account_id, file.size)
    invoices = [body_invoice(file, reading.supplier, body) for body in reading.bodies] or [_unreadable(file)]
    session.add_all(invoices)
    await session.flush()
    await _settle(session, file, invoices, decided)
    return file


async def _settle(
    session: AsyncSession, file: ReceivedFile, invoices: list[ReceivedInvoice], decided: Route
) -> None:
    """Link duplicates and self-invoices and tell the ERP, once the file has a company."""
    if decided.quarantined:
        log.warning("received file %s quarantined: %s", file.file_name, decided.detail)
        if file.account_id is not None:
            await events.publish_quarantined(session, file)
        return
    for invoice in invoices:
        await link(session, file, invoice)
        await events.publish_received(session, invoice, file, events.CREATED)


async def link(session: AsyncSession, file: ReceivedFile, invoice: ReceivedInvoice) -> None:
    """Flag a duplicate (never merged) and find the invoice we sent, for our own self-invoices."""
    assert invoice.company_id is not None
    if invoice.duplicate_key:
        invoice.duplicate_of = await repository.duplicate_of(
            session, invoice.company_id, invoice.duplicate_key, invoice.id
        )
    if invoice.tipo_documento in SELF_INVOICE_TYPES:
        invoice.self_invoice_of = await repository.own_invoice(
            session,
            invoice.company_id,
            identificativo_sdi=file.identificativo_sdi,
            file_name=file.sdi_metadata.get("NomeFile") or file.file_name,
            numero=invoice.numero,
            data=invoice.data,
            tipo=invoice.tipo_documento,
        )


def body_invoice(file: ReceivedFile, supplier: Party | None, body: Body) -> ReceivedInvoice:
    """One body of a read file as its received-invoice row (SDI deliveries and imports alike)."""
    supplier = supplier or Party()
    vat, cf = supplier.partita_iva, supplier.codice_fiscale
    return ReceivedInvoice(
        id=uuid.uuid4(),
        created_at=file.created_at + timedelta(microseconds=body.position),  # lists keep file order
        file_id=file.id,
        position=body.position,
        account_id=file.account_id,
        company_id=file.company_id,
        state=ReceivedState.NEW,
        readable=True,
        format=file.format,
        tipo_documento=body.tipo_documento,
        numero=(body.numero or None) and body.numero[:20],
        data=body.data,
        divisa=(body.divisa or None) and body.divisa[:3],
        total=body.total,
        supplier_partita_iva=(vat or None) and vat[:30],
        supplier_codice_fiscale=(cf or None) and cf[:16].upper(),
        supplier_name=supplier.name,
        payment_terms={"items": body.payment_terms},
        duplicate_key=body_key(supplier, body),
    )


def body_key(supplier: Party, body: Body) -> str | None:
    """The duplicate key of one body: same supplier, number, date and type."""
    vat, cf = supplier.partita_iva, supplier.codice_fiscale
    return duplicate_key(vat, cf, body.tipo_documento, body.numero, body.data)


def _unreadable(file: ReceivedFile) -> ReceivedInvoice:
    """The one row of a file we cannot read: visible, downloadable, re-routable."""
    return ReceivedInvoice(
        id=uuid.uuid4(),
        created_at=file.created_at,
        file_id=file.id,
        position=1,
        account_id=file.account_id,
        company_id=file.company_id,
        state=ReceivedState.NEW,
        readable=False,
        payment_terms={"items": []},
    )


# --- NotificaDecorrenzaTermini ----------------------------------------------------------------
async def record_expiry(
    session: AsyncSession, storage: LocalStorage, *, identificativo_sdi: str, file_name: str, content: bytes
) -> ReceivedFile | None:
    """DT: the 15 days passed without our outcome. Kept verbatim on the file; its open invoices
    (or the one body it names) become expired. Unknown or repeated DTs change nothing."""
    file = await repository.file_by_identificativo(session, identificativo_sdi)
    if file is None:
        log.warning(
            "NotificaDecorrenzaTermini %s for unknown IdentificativoSdI %s", file_name, identificativo_sdi
        )
        return None
    if file.expired_at is not None:
        return None
    file.expired_at = utcnow()
    file.expiry_file_name = file_name[:60]
    file.expiry_key = await storage.put(content)
    reference = _dt_reference(content)
    for invoice in await repository.invoices_of_file(session, file.id):
        if invoice.state in OPEN and _named(invoice, reference):
            invoice.state = ReceivedState.EXPIRED
            if invoice.company_id is not None:
                await events.publish_received(session, invoice, file, events.EXPIRED)
    await session.flush()
    return file


def _dt_reference(content: bytes) -> tuple[str, int, int | None] | None:
    """(numero, year, position) of RiferimentoFattura when the DT names one body of a lotto."""
    try:
        reference = getattr(parse_message(content), "RiferimentoFattura", None)
    except Exception:
        return None
    if reference is None:
        return None
    return reference.NumeroFattura, reference.AnnoFattura, reference.PosizioneFattura


def _named(invoice: ReceivedInvoice, reference: tuple[str, int, int | None] | None) -> bool:
    if reference is None:
        return True
    numero, year, position = reference
    if position is not None:
        return invoice.position == position
    return invoice.numero == numero and invoice.data is not None and invoice.data.year == year


class InvoiceRecorder:
    """The RicezioneFatture endpoint's sink: one committed transaction per SDI call."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], storage: LocalStorage) -> None:
        self.sessions = sessions
        self.storage = storage

    async def __call__(
        self,
        *,
        operation: str,
        identificativo_sdi: str,
        file_name: str,
        content: bytes,
        metadata_file_name: str | None = None,
        metadata: bytes | None = None,
    ) -> None:
        if operation == DECORRENZA_TERMINI:
            async with self.sessions() as session:
                await record_expiry(
                    session,
                    self.storage,
                    identificativo_sdi=identificativo_sdi,
                    file_name=file_name,
                    content=content,
                )
                await session.commit()
            return
        try:
            async with self.sessions() as session:
                await record_delivery(
                    session,
                    self.storage,
                    identificativo_sdi=identificativo_sdi,
                    file_name=file_name,
                    content=content,
                    metadata_file_name=metadata_file_name or "",
                    metadata=metadata or b"",
                )
                await session.commit()
        except IntegrityError:
            # a concurrent delivery of the same IdentificativoSdI won: that is a repeat, not a failure
            async with self.sessions() as session:
                if await repository.file_by_identificativo(session, identificativo_sdi) is None:
                    raise
            log.info(
                "repeated delivery of IdentificativoSdI %s recorded by a concurrent call", identificativo_sdi
            )
