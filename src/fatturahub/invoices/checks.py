"""Checking an invoice as SDI will: its controls, and 00404 against the company's own invoices."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub import fatturapa
from fatturahub.db.base import utcnow
from fatturahub.errors import InvalidInput
from fatturahub.fatturapa.controls import DuplicateKey, check, check_bytes, duplicate_key
from fatturahub.fatturapa.issues import FatturaPAError, Issue
from fatturahub.invoices.models import Invoice, InvoiceKey
from fatturahub.invoices.states import COUNTS_AS_ISSUED, InvoiceState
from fatturahub.tenancy.models import Company


def invalid(issues: list[Issue]) -> InvalidInput:
    return InvalidInput(
        f"the invoice would be rejected by SDI ({len(issues)} problems)",
        errors=[issue.as_dict() for issue in issues],
    )


def duplicate_keys(document: fatturapa.Document) -> list[str]:
    return sorted({_key_text(duplicate_key(document, body)) for body in document.FatturaElettronicaBody})


def _key_text(key: DuplicateKey) -> str:
    return f"{key.issuer}|{key.period}|{key.number}|{'NC' if key.credit_note else 'F'}"


async def _taken_keys(
    session: AsyncSession,
    company_id: uuid.UUID,
    keys: list[str] | Select[tuple[str]],
    *,
    drafts: bool,
    besides: uuid.UUID | None = None,
) -> set[str]:
    """Which of `keys` (a list, or a query of them) the company's other invoices already hold
    (drafts too, when asked)."""
    states = COUNTS_AS_ISSUED | {InvoiceState.DRAFT} if drafts else COUNTS_AS_ISSUED
    query = (
        select(InvoiceKey.key)
        .join(Invoice, Invoice.id == InvoiceKey.invoice_id)
        .where(
            InvoiceKey.company_id == company_id,
            InvoiceKey.key.in_(keys),
            Invoice.state.in_([s.value for s in states]),
        )
    )
    if besides is not None:
        query = query.where(Invoice.id != besides)
    return set(await session.scalars(query))


async def sdi_checks(
    session: AsyncSession, company: Company, document: fatturapa.Document, today: date, lang: str
) -> None:
    """SDI's controls, with 00404 against the company's own invoices (the schema passed already)."""
    # a draft with the same number would collide when both are sent: say so now
    existing = await _taken_keys(session, company.id, duplicate_keys(document), drafts=True)
    report = check(
        document,
        receipt_date=today,
        duplicates=lambda key: _key_text(key) in existing,
        lang=lang,
        schema_valid=True,
    )
    if report.issues:
        raise invalid(report.issues)


async def ensure_not_issued_twice(session: AsyncSession, invoice: Invoice) -> None:
    """00404 again at sending time: another invoice with the same key may have gone out since."""
    keys = select(InvoiceKey.key).where(InvoiceKey.invoice_id == invoice.id)  # a subquery: one statement
    if await _taken_keys(session, invoice.company_id, keys, drafts=False, besides=invoice.id):
        raise invalid(
            [
                Issue(
                    "00404",
                    "/FatturaElettronica/FatturaElettronicaBody/DatiGenerali/DatiGeneraliDocumento/Numero",
                    f"invoice {invoice.numero} of {invoice.data.year} was already issued",
                )
            ]
        )


def preview(data: bytes, *, is_json: bool, lang: str) -> list[Issue]:
    """POST /v1/validate: SDI's checks on a complete invoice, storing and numbering nothing."""
    if not is_json:
        return check_bytes(data, receipt_date=utcnow().date(), lang=lang)
    try:
        document = fatturapa.from_json(data)
    except FatturaPAError as exc:
        return exc.issues
    schema_issues = fatturapa.validate(document)
    if schema_issues:
        return schema_issues
    return check(document, receipt_date=utcnow().date(), lang=lang, schema_valid=True).issues
