"""API keys for ERPs: created with their secret shown once, then only listed and revoked."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.audit.service import record
from fatturahub.db.base import utcnow
from fatturahub.db.pagination import Page, paginate
from fatturahub.errors import InvalidInput, NotFound
from fatturahub.tenancy.access import accessible_companies
from fatturahub.tenancy.models import ApiKey
from fatturahub.tenancy.permissions import FULL, levels_from, levels_json
from fatturahub.tenancy.principal import Principal
from fatturahub.tenancy.schemas import ApiKeyCreate
from fatturahub.tenancy.security import NewApiKey
from fatturahub.tenancy.services.guards import require_account_manager


async def create_api_key(
    session: AsyncSession, principal: Principal, data: ApiKeyCreate
) -> tuple[ApiKey, str]:
    require_account_manager(principal)
    if data.company_ids is not None:
        visible = await accessible_companies(session, principal)
        unknown = [str(c) for c in data.company_ids if c not in visible]
        if unknown:
            raise InvalidInput(
                "unknown companies",
                errors=[{"path": "company_ids", "message": f"not found: {unknown}"}],
            )
    new = NewApiKey.generate()
    key = ApiKey(
        account_id=principal.account_id,
        name=data.name,
        prefix=new.prefix,
        secret_hash=new.secret_hash,
        company_ids={"ids": [str(c) for c in data.company_ids]} if data.company_ids is not None else None,
        levels=levels_json(levels_from(data.levels) if data.levels is not None else FULL),
        created_by=principal.user_id,
    )
    session.add(key)
    await session.flush()
    record(session, principal, action="api_key.created", target=key, details={"name": data.name})
    return key, new.token


async def list_api_keys(
    session: AsyncSession, principal: Principal, *, limit: int, cursor: str | None
) -> Page[ApiKey]:
    require_account_manager(principal)
    query = select(ApiKey).where(ApiKey.account_id == principal.account_id)
    return await paginate(session, query, ApiKey, limit=limit, cursor=cursor)


async def get_api_key(session: AsyncSession, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    require_account_manager(principal)
    key = await session.get(ApiKey, key_id)
    if key is None or key.account_id != principal.account_id:
        raise NotFound(f"API key {key_id} not found")
    return key


async def revoke_api_key(session: AsyncSession, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    key = await get_api_key(session, principal, key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record(session, principal, action="api_key.revoked", target=key)
    return key


async def own_key(session: AsyncSession, principal: Principal) -> ApiKey | None:
    """The key the principal authenticated with, if it is a key."""
    return await session.get(ApiKey, principal.api_key_id) if principal.api_key_id else None
