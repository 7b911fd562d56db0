"""What the ERP is told about its invoices: fat events, in the feed and to its webhooks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.invoices.models import Invoice
from fatturahub.webhooks import publish


def invoice_payload(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": str(invoice.id),
        "company_id": str(invoice.company_id),
        "state": str(invoice.state),
        "format": invoice.format,
        "tipo_documento": invoice.tipo_documento,
        "numero": invoice.numero,
        "data": invoice.data.isoformat(),
        "customer_id": invoice.customer_id,
        "customer_name": invoice.customer_name,
        "total": str(invoice.total) if invoice.total is not None else None,
        "file_name": invoice.file_name,
        "identificativo_sdi": invoice.identificativo_sdi,
        "errors": (invoice.errors or {}).get("items", []),
    }


async def publish_invoice(session: AsyncSession, invoice: Invoice, type_: str, **extra: Any) -> None:
    await publish(
        session,
        company_id=invoice.company_id,
        owner_account_id=invoice.account_id,
        type=type_,
        subject_type="invoice",
        subject_id=invoice.id,
        data={"invoice": invoice_payload(invoice), **extra},
    )
