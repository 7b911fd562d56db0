"""Accounts, their users, and how callers prove who they are."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.audit.service import record
from fatturahub.db.base import utcnow
from fatturahub.db.pagination import Page, paginate
from fatturahub.errors import Conflict, InvalidInput, NotFound, QuotaExceeded, Unauthorized
from fatturahub.tenancy.models import Account, ApiKey, CompanyPermission, Role, User
from fatturahub.tenancy.permissions import Area, Level, levels_from
from fatturahub.tenancy.principal import CompanyAccess, Principal
from fatturahub.tenancy.schemas import LevelsIn, UserCreate, UserUpdate
from fatturahub.tenancy.security import (
    api_key_matches,
    hash_password,
    split_api_key,
    verify_password,
)
from fatturahub.tenancy.services.guards import require_account_manager

LAST_USED_RESOLUTION = timedelta(minutes=1)  # don't write on every request


async def create_account(
    session: AsyncSession,
    *,
    name: str,
    email: str,
    password: str,
    quota_bytes: int,
    user_name: str = "",
) -> tuple[Account, User]:
    await _ensure_email_free(session, email)
    account = Account(name=name, storage_quota_bytes=quota_bytes, storage_used_bytes=0)
    session.add(account)
    await session.flush()
    owner = User(
        account_id=account.id,
        email=email.lower(),
        name=user_name,
        password_hash=hash_password(password),
        role=Role.OWNER,
    )
    session.add(owner)
    await session.flush()
    record(
        session,
        Principal(account.id, owner.id, Role.OWNER),
        action="account.created",
        target=account,
    )
    return account, owner


# --- the service operator's view of accounts ----------------------------------------------------
async def list_accounts(session: AsyncSession, *, limit: int, cursor: str | None) -> Page[Account]:
    return await paginate(session, select(Account), Account, limit=limit, cursor=cursor)


async def find_account(session: AsyncSession, account_id: uuid.UUID) -> Account:
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound(f"account {account_id} not found")
    return account


async def update_account(
    session: AsyncSession,
    account_id: uuid.UUID,
    *,
    name: str | None = None,
    quota_bytes: int | None = None,
    active: bool | None = None,
) -> Account:
    account = await find_account(session, account_id)
    changes = {"name": name, "storage_quota_bytes": quota_bytes, "active": active}
    for field, value in changes.items():
        if value is not None:
            setattr(account, field, value)
    return account


async def get_account(session: AsyncSession, principal: Principal) -> Account:
    return await session.get_one(Account, principal.account_id)


async def rename_account(session: AsyncSession, principal: Principal, *, name: str) -> Account:
    require_account_manager(principal)
    account = await get_account(session, principal)
    account.name = name
    record(session, principal, action="account.updated", target=account, details={"name": name})
    return account


# --- authentication ---------------------------------------------------------------------------
async def login(session: AsyncSession, *, email: str, password: str) -> User:
    user = await session.scalar(select(User).where(User.email == email.lower()))
    if not verify_password(user.password_hash if user else None, password) or not user.active:
        raise Unauthorized("wrong email or password")
    if not await _account_active(session, user.account_id):
        raise Unauthorized("this account has been revoked")
    return user


async def _account_active(session: AsyncSession, account_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(Account.active).where(Account.id == account_id)))


# Every request authenticates: these statements are built once (building and cache-keying one
# costs ~0.1 ms of CPU each time) and take their values as parameters.
_USER_WITH_ACCOUNT = (
    select(User, Account.active)
    .join(Account, Account.id == User.account_id)
    .where(User.id == bindparam("id"))
)
_KEY_WITH_ACCOUNT = (
    select(ApiKey, Account.active)
    .join(Account, Account.id == ApiKey.account_id)
    .where(ApiKey.prefix == bindparam("prefix"))
)


async def principal_for_user(session: AsyncSession, user_id: uuid.UUID) -> Principal | None:
    row = (await session.execute(_USER_WITH_ACCOUNT, {"id": user_id})).first()
    if row is None:
        return None
    user, account_active = row
    if not user.active or not account_active:
        return None
    return Principal(user.account_id, user.id, Role(user.role))


async def principal_for_api_key(session: AsyncSession, token: str) -> Principal | None:
    parts = split_api_key(token)
    if parts is None:
        return None
    row = (await session.execute(_KEY_WITH_ACCOUNT, {"prefix": parts[0]})).first()
    if row is None:
        return None
    key, account_active = row
    if key.revoked_at is not None or not account_active or not api_key_matches(key.secret_hash, parts[1]):
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
    company_ids = key.company_ids["ids"] if key.company_ids else None
    return Principal(
        key.account_id,
        api_key_id=key.id,
        key_company_ids=frozenset(uuid.UUID(c) for c in company_ids) if company_ids is not None else None,
        key_levels=levels_from(key.levels),
    )


# --- users ----------------------------------------------------------------------------------
async def _ensure_email_free(session: AsyncSession, email: str) -> None:
    if await session.scalar(select(User.id).where(User.email == email.lower())):
        raise Conflict(f"a user with email {email} already exists")


async def create_user(session: AsyncSession, principal: Principal, data: UserCreate) -> User:
    require_account_manager(principal)
    await _ensure_email_free(session, data.email)
    user = User(
        account_id=principal.account_id,
        email=data.email.lower(),
        name=data.name,
        password_hash=hash_password(data.password),
        role=data.role,
    )
    session.add(user)
    await session.flush()
    record(session, principal, action="user.created", target=user, details={"role": data.role})
    return user


async def list_users(
    session: AsyncSession, principal: Principal, *, limit: int, cursor: str | None
) -> Page[User]:
    require_account_manager(principal)
    query = select(User).where(User.account_id == principal.account_id)
    return await paginate(session, query, User, limit=limit, cursor=cursor)


async def get_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None or user.account_id != principal.account_id:
        raise NotFound(f"user {user_id} not found")
    if user.id != principal.user_id:
        require_account_manager(principal)
    return user


async def update_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, data: UserUpdate
) -> User:
    require_account_manager(principal)
    user = await get_user(session, principal, user_id)
    changes = data.model_dump(exclude_unset=True, exclude={"password"})
    demoting_owner = user.role == Role.OWNER and ("role" in changes or changes.get("active") is False)
    if demoting_owner and await _owners(session, principal.account_id) <= 1:
        raise Conflict("the account's last owner cannot be demoted or deactivated")
    for field, value in changes.items():
        setattr(user, field, value)
    if data.password is not None:
        user.password_hash = hash_password(data.password)
        changes["password"] = "changed"
    record(session, principal, action="user.updated", target=user, details=changes)
    return user


async def _owners(session: AsyncSession, account_id: uuid.UUID) -> int:
    query = select(func.count()).where(
        User.account_id == account_id, User.role == Role.OWNER, User.active.is_(True)
    )
    return await session.scalar(query) or 0


async def set_permissions(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    access: CompanyAccess,
    levels: LevelsIn,
) -> dict[Area, Level]:
    """Replace a member's levels on a company the account sees (its own or delegated to it)."""
    company_id = access.company_id
    user = await get_user(session, principal, user_id)
    require_account_manager(principal)
    if user.role != Role.MEMBER:
        raise InvalidInput(
            "owners and admins see every company of the account; levels apply to members",
            errors=[{"path": "user_id", "message": "not a member"}],
        )
    existing = await session.scalars(
        select(CompanyPermission).where(
            CompanyPermission.user_id == user.id, CompanyPermission.company_id == company_id
        )
    )
    for row in existing:
        await session.delete(row)
    await session.flush()
    for area, level in levels.items():
        session.add(CompanyPermission(user_id=user.id, company_id=company_id, area=area, level=level))
    record(
        session,
        principal,
        action="user.permissions_set",
        target=user,
        access=access,
        details={
            "company_id": str(company_id),
            "levels": {a.value: lv for a, lv in levels.items()},
        },
    )
    return levels_from(levels)


async def get_permissions(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, access: CompanyAccess
) -> dict[Area, Level]:
    company_id = access.company_id
    user = await get_user(session, principal, user_id)
    rows = await session.scalars(
        select(CompanyPermission).where(
            CompanyPermission.user_id == user.id, CompanyPermission.company_id == company_id
        )
    )
    return levels_from({row.area: row.level for row in rows})


_CHARGE_STORAGE = (  # built once: every stored file passes here
    update(Account)
    .where(
        Account.id == bindparam("account_id"),
        Account.storage_used_bytes + bindparam("size") <= Account.storage_quota_bytes,
    )
    .values(storage_used_bytes=Account.storage_used_bytes + bindparam("size"))
    .execution_options(synchronize_session=False)
)


async def charge_storage(session: AsyncSession, account_id: uuid.UUID, size: int) -> None:
    """Count `size` bytes against the account's quota (shared by its companies), atomically.

    Every write of the account passes here and the row stays locked until the commit: the rest of
    the transaction so far is written first, and callers charge as late as they can, so the lock
    is held for little more than this UPDATE and the commit."""
    await session.flush()
    charged = await session.execute(_CHARGE_STORAGE, {"account_id": account_id, "size": size})
    if charged.rowcount != 1:
        raise QuotaExceeded(f"storing {size:,} more bytes would exceed the account's storage quota")
