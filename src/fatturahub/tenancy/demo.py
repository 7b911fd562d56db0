"""The first run of the embedded default: a demo account, company and API key to try things with."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.fatturapa.model.ordinaria import Indirizzo
from fatturahub.tenancy.models import Account
from fatturahub.tenancy.principal import Principal
from fatturahub.tenancy.schemas import ApiKeyCreate, CompanyCreate
from fatturahub.tenancy.services.accounts import create_account
from fatturahub.tenancy.services.api_keys import create_api_key
from fatturahub.tenancy.services.companies import create_company

DEMO_EMAIL = "demo@fatturahub.local"
DEMO_PARTITA_IVA = "12345670017"  # valid check digit and office code


@dataclass(frozen=True)
class DemoCredentials:
    email: str
    password: str
    api_key: str
    company_id: str


async def seed_demo(session: AsyncSession, *, quota_bytes: int) -> DemoCredentials | None:
    """Create the demo tenant on an empty database; None when there is data already."""
    if await session.scalar(select(Account.id).limit(1)):
        return None
    password = secrets.token_urlsafe(12)
    account, owner = await create_account(
        session,
        name="Demo",
        email=DEMO_EMAIL,
        password=password,
        quota_bytes=quota_bytes,
        user_name="Demo owner",
    )
    principal = Principal(account.id, owner.id, owner.role)
    company, _ = await create_company(
        session,
        principal,
        CompanyCreate(
            partita_iva=DEMO_PARTITA_IVA,
            denominazione="DEMO SRL",
            sede=Indirizzo(Indirizzo="VIA ROMA 1", CAP="00100", Comune="ROMA", Provincia="RM", Nazione="IT"),
        ),
    )
    _, token = await create_api_key(session, principal, ApiKeyCreate(name="demo ERP"))
    return DemoCredentials(DEMO_EMAIL, password, token, str(company.id))
