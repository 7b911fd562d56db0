"""What the ERP is told about received invoices: fat events, in the feed and to its webhooks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.inbox.models import ReceivedFile, ReceivedInvoice
from fatturahub.webhooks import publish
from fatturahub.webhooks.publishing import add_event

CREATED = "received_invoice.created"
OUTCOME_SENT = "received_invoice.outcome_sent"
OUTCOME_REJECTED = "received_invoice.outcome_rejected"
EXPIRED = "received_invoice.expired"
QUARANTINED = "received_file.quarantined"
EVENT_TYPES = (CREATED, OUTCOME_SENT, OUTCOME_REJECTED, EXPIRED, QUARANTINED)


def received_payload(invoice: ReceivedInvoice, file: ReceivedFile) -> dict[str, Any]:
    return {
        "id": str(invoice.id),
        "company_id": str(invoice.company_id) if invoice.company_id else None,
        "file_id": str(file.id),
        "identificativo_sdi": file.identificativo_sdi,
        "file_name": file.file_name,
        "position": invoice.position,
        "state": invoice.state,
        "readable": invoice.readable,
        "format": invoice.format,
        "tipo_documento": invoice.tipo_documento,
        "numero": invoice.numero,
        "data": invoice.data.isoformat() if invoice.data else None,
        "total": str(invoice.total) if invoice.total is not None else None,
        "supplier": {
            "partita_iva": invoice.supplier_partita_iva,
            "codice_fiscale": invoice.supplier_codice_fiscale,
            "name": invoice.supplier_name,
        },
        "signature_status": file.signature_status,
        "duplicate_of": str(invoice.duplicate_of) if invoice.duplicate_of else None,
        "self_invoice_of": str(invoice.self_invoice_of) if invoice.self_invoice_of else None,
    }


async def publish_received(
    session: AsyncSession, invoice: ReceivedInvoice, file: ReceivedFile, type_: str, **extra: Any
) -> None:
    assert invoice.company_id is not None and invoice.account_id is not None
    await publish(
        session,
        company_id=invoice.company_id,
        owner_account_id=invoice.account_id,
        type=type_,
        subject_type="received_invoice",
        subject_id=invoice.id,
        data={"received_invoice": received_payload(invoice, file), **extra},
    )


async def publish_quarantined(session: AsyncSession, file: ReceivedFile) -> None:
    """An account-level event: a delivery waits in the account's quarantine."""
    assert file.account_id is not None
    await add_event(
        session,
        owner_account_id=file.account_id,
        company_id=None,
        type_=QUARANTINED,
        subject_type="received_file",
        subject_id=file.id,
        data={
            "received_file": {
                "id": str(file.id),
                "identificativo_sdi": file.identificativo_sdi,
                "file_name": file.file_name,
                "codice_destinatario": file.codice_destinatario,
                "readable": file.readable,
                "routing": file.routing,
            }
        },
    )
