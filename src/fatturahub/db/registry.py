"""Every table of the service, imported in one place so the metadata is complete."""

from fatturahub.api.idempotency import IdempotencyRecord
from fatturahub.audit.models import AuditEntry
from fatturahub.db.base import Base
from fatturahub.imports.models import HistoryImport  # noqa: F401 (bulk imports)
from fatturahub.inbox.models import ReceivedFile, ReceivedInvoice, ReceivedOutcome
from fatturahub.invoices.models import Counter, Invoice, InvoiceKey, Notification
from fatturahub.reports import models as reports  # noqa: F401 (VAT ledger, LIPE, data submissions)
from fatturahub.tenancy.models import Account, ApiKey, Company, CompanyPermission, Delegation, User
from fatturahub.webhooks import models as webhooks  # noqa: F401 (events, endpoints, deliveries)
from fatturahub.worker.models import Job

metadata = Base.metadata

__all__ = [
    "Account",
    "ApiKey",
    "AuditEntry",
    "Company",
    "CompanyPermission",
    "Counter",
    "Delegation",
    "IdempotencyRecord",
    "Invoice",
    "InvoiceKey",
    "Job",
    "Notification",
    "ReceivedFile",
    "ReceivedInvoice",
    "ReceivedOutcome",
    "User",
    "metadata",
]
