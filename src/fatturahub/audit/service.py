"""Recording and reading the audit log. Entries are only ever inserted."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.audit.models import AuditEntry
from fatturahub.db.pagination import Page, paginate
from fatturahub.tenancy.models import Company
from fatturahub.tenancy.principal import CompanyAccess, Principal


def record(
    session: AsyncSession,
    principal: Principal,
    *,
    action: str,
    target: Any,
    access: CompanyAccess | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an entry to the caller's transaction: it lands with the change, or not at all."""
    session.add(
        AuditEntry(
            account_id=principal.account_id,
            user_id=principal.user_id,
            api_key_id=principal.api_key_id,
            delegation_id=access.delegation_id if access else None,
            company_id=access.company_id if access else None,
            action=action,
            target_type=type(target).__tablename__,
            target_id=str(target.id),
            details=details or {},
        )
    )


async def list_entries(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    company_id: uuid.UUID | None = None,
    action: str | None = None,
) -> Page[AuditEntry]:
    """What the account did, and what others did on its companies (delegates included)."""
    own_companies = select(Company.id).where(Company.account_id == principal.account_id)
    query = select(AuditEntry).where(
        or_(
            AuditEntry.account_id == principal.account_id,
            AuditEntry.company_id.in_(own_companies),
        )
    )
    if company_id is not None:
        query = query.where(AuditEntry.company_id == company_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return await paginate(session, query, AuditEntry, limit=limit, cursor=cursor)
