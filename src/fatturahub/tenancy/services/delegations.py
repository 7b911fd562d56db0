"""Delegations: an account lets another act on one of its companies, within levels and a window."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.audit.service import record
from fatturahub.db.base import utcnow
from fatturahub.db.pagination import Page, paginate
from fatturahub.errors import Conflict, InvalidInput, NotFound
from fatturahub.tenancy.models import Account, Company, Delegation
from fatturahub.tenancy.permissions import levels_from, levels_json, sees
from fatturahub.tenancy.principal import Principal
from fatturahub.tenancy.schemas import DelegationCreate, DelegationUpdate
from fatturahub.tenancy.services.guards import require_account_manager


async def create_delegation(
    session: AsyncSession, principal: Principal, data: DelegationCreate
) -> Delegation:
    require_account_manager(principal)
    company = await session.get(Company, data.company_id)
    if company is None or company.account_id != principal.account_id or company.archived_at:
        raise NotFound(f"company {data.company_id} not found")
    if data.grantee_account_id == principal.account_id or not await session.get(
        Account, data.grantee_account_id
    ):
        raise InvalidInput(
            "unknown grantee",
            errors=[{"path": "grantee_account_id", "message": "no such other account"}],
        )
    levels = levels_from(data.levels)
    if not sees(levels):
        raise InvalidInput("empty delegation", errors=[{"path": "levels", "message": "grants nothing"}])
    starts_at = data.starts_at or utcnow()
    _check_window(starts_at, data.ends_at)
    await _ensure_no_overlap(session, data.company_id, data.grantee_account_id)
    delegation = Delegation(
        company_id=data.company_id,
        grantor_account_id=principal.account_id,
        grantee_account_id=data.grantee_account_id,
        levels=levels_json(levels),
        starts_at=starts_at,
        ends_at=data.ends_at,
        note=data.note,
    )
    session.add(delegation)
    await session.flush()
    record(
        session,
        principal,
        action="delegation.created",
        target=delegation,
        details={"grantee_account_id": str(data.grantee_account_id), "levels": delegation.levels},
    )
    return delegation


def _check_window(starts_at, ends_at) -> None:
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput("empty window", errors=[{"path": "ends_at", "message": "must be after starts_at"}])


async def _ensure_no_overlap(session: AsyncSession, company_id: uuid.UUID, grantee: uuid.UUID) -> None:
    """One live delegation per company and grantee: the levels in force are never ambiguous."""
    query = select(Delegation.id).where(
        Delegation.company_id == company_id,
        Delegation.grantee_account_id == grantee,
        Delegation.revoked_at.is_(None),
        or_(Delegation.ends_at.is_(None), Delegation.ends_at > utcnow()),
    )
    if await session.scalar(query):
        raise Conflict("this account already has a current delegation on this company: update it")


async def list_delegations(
    session: AsyncSession,
    principal: Principal,
    *,
    direction: Literal["given", "received"],
    limit: int,
    cursor: str | None,
) -> Page[Delegation]:
    column = Delegation.grantor_account_id if direction == "given" else Delegation.grantee_account_id
    query = select(Delegation).where(column == principal.account_id)
    return await paginate(session, query, Delegation, limit=limit, cursor=cursor)


async def get_delegation(session: AsyncSession, principal: Principal, delegation_id: uuid.UUID) -> Delegation:
    delegation = await session.get(Delegation, delegation_id)
    if delegation is None or principal.account_id not in (
        delegation.grantor_account_id,
        delegation.grantee_account_id,
    ):
        raise NotFound(f"delegation {delegation_id} not found")
    return delegation


async def update_delegation(
    session: AsyncSession, principal: Principal, delegation_id: uuid.UUID, data: DelegationUpdate
) -> Delegation:
    require_account_manager(principal)
    delegation = await get_delegation(session, principal, delegation_id)
    if delegation.grantor_account_id != principal.account_id:
        raise NotFound(f"delegation {delegation_id} not found")
    changes = data.model_dump(exclude_unset=True)
    if "levels" in changes:
        delegation.levels = levels_json(levels_from(data.levels))
    if "ends_at" in changes:
        _check_window(delegation.starts_at, data.ends_at)
        delegation.ends_at = data.ends_at
    if data.note is not None:
        delegation.note = data.note
    record(
        session,
        principal,
        action="delegation.updated",
        target=delegation,
        details=data.model_dump(mode="json", exclude_unset=True),
    )
    return delegation


async def revoke_delegation(
    session: AsyncSession, principal: Principal, delegation_id: uuid.UUID
) -> Delegation:
    """The grantor withdraws it, or the grantee renounces it."""
    require_account_manager(principal)
    delegation = await get_delegation(session, principal, delegation_id)
    if delegation.revoked_at is None:
        delegation.revoked_at = utcnow()
        record(session, principal, action="delegation.revoked", target=delegation)
    return delegation
