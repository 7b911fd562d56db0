"""Sending: reserve the file name and ProgressivoInvio, sign, store, queue — before the network."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.audit.service import record
from fatturahub.db.base import utcnow
from fatturahub.errors import Conflict, InvalidInput
from fatturahub.fatturapa.naming import Extension, invoice_file_name
from fatturahub.fatturapa.signature import Signer, sign_cades, sign_xades
from fatturahub.fatturapa.xmlsafe import parse_xml
from fatturahub.invoices import building, counters, events
from fatturahub.invoices.checks import ensure_not_issued_twice
from fatturahub.invoices.models import Invoice
from fatturahub.invoices.states import InvoiceState
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.models import Company
from fatturahub.tenancy.principal import CompanyAccess, Principal
from fatturahub.tenancy.sealing import unseal_certificate
from fatturahub.tenancy.services.accounts import charge_storage
from fatturahub.worker.queue import enqueue

SEND_JOB = "invoice.send"


@dataclass(frozen=True)
class Services:
    """What the use cases need from the outside, handed in by the request or job boundary."""

    storage: LocalStorage
    secret_key: str
    lang: str = "it"


async def queue_for_sending(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    invoice: Invoice,
    *,
    services: Services,
    checked_now: bool = False,
    also_charge: int = 0,
) -> Invoice:
    """Reserve the file name, sign, store the file and queue the job: all before the network.

    `checked_now`: the invoice was created, and checked for 00404, in this very transaction.
    `also_charge`: bytes stored by the caller, counted against the quota with the sent file."""
    if invoice.state != InvoiceState.DRAFT:
        raise Conflict(f"invoice is {invoice.state}, only drafts can be sent")
    company = await session.get_one(Company, invoice.company_id)
    if not checked_now:
        await ensure_not_issued_twice(session, invoice)
    signer = _signer(company, services.secret_key)
    if invoice.format == "FPA12" and signer is None and invoice.origin != "p7m":
        raise InvalidInput(
            "invoices to a public administration (FPA12) must be signed",
            errors=[
                {
                    "path": "company.signing_certificate",
                    "code": "00102",
                    "message": "upload the company's signing certificate, or send a signed .p7m",
                }
            ],
        )
    code = building.transmitter_code(company)
    counter = await counters.next_value(session, f"file:IT{code}")
    name = invoice_file_name("IT", code, counter, _extension(invoice, signer, company))
    if invoice.origin == "json":  # our own XML carries the file's progressive as ProgressivoInvio
        invoice.document = _with_progressive(invoice.document, name.progressive)
    content = invoice.original if invoice.origin == "p7m" else _signed(invoice.document, signer, company)
    invoice.file_name = str(name)
    invoice.file_key = invoice.file_sha256 = LocalStorage.key_of(content)
    invoice.state = InvoiceState.QUEUED
    invoice.queued_at = utcnow()
    enqueue(session, SEND_JOB, {"invoice_id": str(invoice.id)})
    record(
        session,
        principal,
        action="invoice.queued",
        target=invoice,
        access=access,
        details={"file_name": invoice.file_name},
    )
    await events.publish_invoice(session, invoice, "invoice.state_changed", previous="draft")
    await charge_storage(session, invoice.account_id, len(content) + also_charge)  # last: it locks
    await services.storage.put(content)  # within the quota: kept, before the commit
    return invoice


def _signer(company: Company, secret_key: str) -> Signer | None:
    if company.signing_certificate is None:
        return None
    pkcs12, password = unseal_certificate(secret_key, company.signing_certificate)
    return Signer.from_pkcs12(pkcs12, password)


def _extension(invoice: Invoice, signer: Signer | None, company: Company) -> Extension:
    cades = invoice.origin == "p7m" or (signer is not None and company.signing_format != "xades")
    return Extension.SIGNED if cades else Extension.XML


def _signed(xml: bytes, signer: Signer | None, company: Company) -> bytes:
    if signer is None:
        return xml
    return sign_xades(xml, signer) if company.signing_format == "xades" else sign_cades(xml, signer)


def _with_progressive(xml: bytes, progressive: str) -> bytes:
    """Our own, schema-checked XML with the file's progressive: one text edited in the tree, the
    rest as the serializer wrote it (no second read and write of the whole document)."""
    tree = parse_xml(xml)
    tree.getroot().find(_PROGRESSIVO).text = progressive
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


_PROGRESSIVO = "FatturaElettronicaHeader/DatiTrasmissione/ProgressivoInvio"
