"""Every table of the service, imported in one place so the metadata is complete."""

from fatturahub.api.idempotency import IdempotencyRecord
from fatturahub.audit.models import AuditEntry
from fatturahub.db.base import Base
from fatturahub.tenancy.models import Account, ApiKey, Company, CompanyPermission, Delegation, User
from fatturahub.worker.models import Job

metadata = Base.metadata

__all__ = [
    "Account",
    "ApiKey",
    "AuditEntry",
    "Company",
    "CompanyPermission",
    "Delegation",
    "IdempotencyRecord",
    "Job",
    "User",
    "metadata",
]
