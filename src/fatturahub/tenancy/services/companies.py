"""Companies: the subjects an account issues and receives invoices for."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.audit.service import record
from fatturahub.db.base import utcnow
from fatturahub.db.pagination import Page, paginate
from fatturahub.errors import Conflict, Forbidden, InvalidInput
from fatturahub.fatturapa.signature import CertificateInfo, InvalidCredentials, Signer
from fatturahub.tenancy.access import accessible_companies
from fatturahub.tenancy.models import Company
from fatturahub.tenancy.principal import CompanyAccess, Principal
from fatturahub.tenancy.schemas import CompanyCreate, CompanyFields, CompanyUpdate
from fatturahub.tenancy.sealing import seal_certificate
from fatturahub.tenancy.services.guards import require_account_manager

# API field -> column, where they differ
_COLUMNS = {"iscrizione_rea": "rea", "contatti": "contacts"}


def _columns(data: CompanyFields, *, only_set: bool) -> dict[str, Any]:
    values = data.model_dump(mode="json", exclude_unset=only_set, exclude_none=False)
    return {_COLUMNS.get(k, k): v for k, v in values.items()}


async def create_company(
    session: AsyncSession, principal: Principal, data: CompanyCreate
) -> tuple[Company, CompanyAccess]:
    require_account_manager(principal)
    await _ensure_identifiers_free(session, principal, data.partita_iva, data.codice_fiscale)
    company = Company(account_id=principal.account_id, **_columns(data, only_set=False))
    session.add(company)
    await session.flush()
    access = (await accessible_companies(session, principal, company_id=company.id))[company.id]
    record(session, principal, action="company.created", target=company, access=access)
    return company, access


async def _ensure_identifiers_free(
    session: AsyncSession, principal: Principal, partita_iva: str | None, codice_fiscale: str | None
) -> None:
    clauses = []
    if partita_iva:
        clauses.append(Company.partita_iva == partita_iva)
    if codice_fiscale:
        clauses.append(Company.codice_fiscale == codice_fiscale)
    query = select(Company.id).where(Company.account_id == principal.account_id, or_(*clauses))
    if await session.scalar(query):
        raise Conflict("the account already has a company with this partita IVA or codice fiscale")


async def list_companies(
    session: AsyncSession, principal: Principal, *, limit: int, cursor: str | None
) -> Page[tuple[Company, CompanyAccess]]:
    accesses = await accessible_companies(session, principal)
    query = select(Company).where(Company.id.in_(accesses))
    page = await paginate(session, query, Company, limit=limit, cursor=cursor)
    return Page([(c, accesses[c.id]) for c in page.items], page.next_cursor)


async def visible_companies(
    session: AsyncSession, principal: Principal
) -> list[tuple[Company, CompanyAccess]]:
    """Every company the principal sees, with its access, in one query."""
    accesses = await accessible_companies(session, principal)
    rows = await session.scalars(select(Company).where(Company.id.in_(accesses)).order_by(Company.created_at))
    return [(company, accesses[company.id]) for company in rows]


async def get_company(session: AsyncSession, access: CompanyAccess) -> Company:
    return await session.get_one(Company, access.company_id)


async def update_company(
    session: AsyncSession, principal: Principal, access: CompanyAccess, data: CompanyUpdate
) -> Company:
    company = await get_company(session, access)
    changes = _columns(data, only_set=True)
    for column, value in changes.items():
        setattr(company, column, value)
    record(
        session,
        principal,
        action="company.updated",
        target=company,
        access=access,
        details={"fields": sorted(changes)},
    )
    return company


async def archive_company(session: AsyncSession, principal: Principal, access: CompanyAccess) -> None:
    """Companies are archived, never deleted: their invoices must stay retrievable."""
    if access.delegation_id is not None:
        raise Forbidden("a delegate cannot archive the company it was delegated")
    require_account_manager(principal)
    company = await get_company(session, access)
    company.archived_at = utcnow()
    record(session, principal, action="company.archived", target=company, access=access)


async def set_signing_certificate(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    *,
    secret_key: str,
    pkcs12: bytes,
    password: str | None,
    signing_format: str,
) -> CertificateInfo:
    """Keep the company's signing certificate, sealed; invoices are signed with it before sending."""
    try:
        signer = Signer.from_pkcs12(pkcs12, password)
    except InvalidCredentials as exc:
        raise InvalidInput("unusable certificate", errors=[{"path": "pkcs12", "message": str(exc)}]) from None
    company = await get_company(session, access)
    company.signing_certificate = seal_certificate(secret_key, pkcs12, password)
    company.signing_format = signing_format
    info = CertificateInfo.from_der(signer.certificate_der)
    record(
        session,
        principal,
        action="company.signing_certificate_set",
        target=company,
        access=access,
        details={"subject": info.subject, "not_after": info.not_after.isoformat()},
    )
    return info


async def remove_signing_certificate(
    session: AsyncSession, principal: Principal, access: CompanyAccess
) -> None:
    company = await get_company(session, access)
    company.signing_certificate = None
    record(session, principal, action="company.signing_certificate_removed", target=company, access=access)
