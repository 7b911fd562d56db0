"""What one SOAP operation runs with: its transaction, the caller, the settings, the language."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fatturahub.invoices.sending import Services
from fatturahub.settings import Settings
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.access import require_company
from fatturahub.tenancy.permissions import Area, Level
from fatturahub.tenancy.principal import CompanyAccess, Principal


@dataclass(frozen=True)
class Call:
    session: AsyncSession
    sessions: async_sessionmaker[AsyncSession]  # for records kept apart from the call's transaction
    principal: Principal
    settings: Settings
    lang: str  # of SDI's messages: "it" or "en", from Accept-Language as in REST

    async def company(self, company_id: str, area: Area, level: Level) -> CompanyAccess:
        """The same check as REST's `company_access`: 404 when invisible, 403 when below `level`."""
        # the WSDL's pattern already made `company_id` a UUID
        return await require_company(self.session, self.principal, uuid.UUID(company_id), area, level)

    def storage(self) -> LocalStorage:
        return LocalStorage(self.settings.storage_path)

    def services(self) -> Services:
        return Services(self.storage(), self.settings.signing_key(), self.lang)
