"""Reading the audit log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from fatturahub.api.deps import PrincipalDep, SessionDep
from fatturahub.audit.service import list_entries
from fatturahub.tenancy.schemas import AuditEntryOut, AuditPage
from fatturahub.tenancy.services.guards import require_account_manager

router = APIRouter(prefix="/v1", tags=["audit"])


@router.get("/audit-log", response_model=AuditPage)
async def audit_log(
    session: SessionDep,
    principal: PrincipalDep,
    company_id: uuid.UUID | None = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> AuditPage:
    """What the account did, and what delegates did on its companies. Account managers only."""
    require_account_manager(principal)
    page = await list_entries(
        session, principal, limit=limit, cursor=cursor, company_id=company_id, action=action
    )
    return AuditPage(
        items=[AuditEntryOut.model_validate(e) for e in page.items], next_cursor=page.next_cursor
    )
