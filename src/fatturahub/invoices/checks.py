"""Checking an invoice as SDI will: its controls, and 00404 against the company's own invoices."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select
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


# Which keys the company's invoices in :states hold, among :keys (built once: every invoice posted
# and every invoice sent asks).
_TAKEN_KEYS = (
    select(InvoiceKey.key)
    .join(Invoice, Invoice.id == InvoiceKey.invoice_id)
    .where(
        InvoiceKey.company_id == bindparam("company_id"),
        InvoiceKey.key.in_(bindparam("keys", expanding=True)),
        Invoice.state.in_(bindparam("states", expanding=True)),
    )
)
# The same for the keys of invoice :invoice_id, held by the company's other invoices.
_KEYS_TAKEN_BY_OTHERS = (
    select(InvoiceKey.key)
    .join(Invoice, Invoice.id == InvoiceKey.invoice_id)
    .where(
        InvoiceKey.company_id == bindparam("company_id"),
        InvoiceKey.key.in_(select(InvoiceKey.key).where(InvoiceKey.invoice_id == bindparam("invoice_id"))),
        Invoice.state.in_(bindparam("states", expanding=True)),
        Invoice.id != bindparam("invoice_id"),
    )
)
_ISSUED = sorted(state.value for state in COUNTS_AS_ISSUED)
_ISSUED_OR_DRAFT = sorted([*_ISSUED, InvoiceState.DRAFT.value])


async def sdi_checks(
    session: AsyncSession,
    company: Company,
    document: fatturapa.Document,
    keys: list[str],
    today: date,
    lang: str,
) -> None:
    """SDI's controls, with 00404 of the document's duplicate `keys` against the company's own
    invoices (the schema passed already)."""
    # a draft with the same number would collide when both are sent: say so now
    parameters = {"company_id": company.id, "keys": keys, "states": _ISSUED_OR_DRAFT}
    existing = set(await session.scalars(_TAKEN_KEYS, parameters))
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
    parameters = {"company_id": invoice.company_id, "invoice_id": invoice.id, "states": _ISSUED}
    if (await session.scalars(_KEYS_TAKEN_BY_OTHERS, parameters)).first() is not None:
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
