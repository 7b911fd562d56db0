"""Who is calling, and what they may do on a company: pure values, no I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fatturahub.tenancy.models import Role
from fatturahub.tenancy.permissions import FULL, Area, Level, Levels


@dataclass(frozen=True)
class Principal:
    """A user (by password or token) or an API key, always within one account."""

    account_id: uuid.UUID
    user_id: uuid.UUID | None = None
    role: Role | None = None
    api_key_id: uuid.UUID | None = None
    key_company_ids: frozenset[uuid.UUID] | None = None  # None: every company
    key_levels: Levels | None = None

    @property
    def id(self) -> str:
        """Stable identity for per-principal records (idempotency keys)."""
        return f"key:{self.api_key_id}" if self.api_key_id else f"user:{self.user_id}"

    @property
    def manages_account(self) -> bool:
        """Account administration: owner/admin users, or an unrestricted key with settings admin."""
        if self.user_id is not None:
            return self.role in (Role.OWNER, Role.ADMIN)
        return self.key_company_ids is None and (self.key_levels or {}).get(Area.SETTINGS) == Level.ADMIN

    @property
    def caps(self) -> Levels:
        """The most this principal can hold on any company, before company grants."""
        return self.key_levels if self.api_key_id else FULL


@dataclass(frozen=True)
class CompanyAccess:
    """What a principal may do on one company, and through which delegation if not its own."""

    company_id: uuid.UUID
    owner_account_id: uuid.UUID
    levels: Levels
    delegation_id: uuid.UUID | None = None

    def allows(self, area: Area, level: Level) -> bool:
        return self.levels.get(area, Level.NONE) >= level
