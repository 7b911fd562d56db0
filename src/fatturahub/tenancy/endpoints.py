"""REST endpoints of the tenancy context: auth, me, account, companies, users, keys, delegations."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from fatturahub.api.deps import OperatorDep, PrincipalDep, SessionDep, SettingsDep, company_access
from fatturahub.db.base import utcnow
from fatturahub.errors import InvalidInput
from fatturahub.tenancy import schemas
from fatturahub.tenancy.models import ApiKey, Company, Delegation
from fatturahub.tenancy.permissions import Area, Level, levels_json
from fatturahub.tenancy.principal import CompanyAccess
from fatturahub.tenancy.security import issue_access_token
from fatturahub.tenancy.services import accounts, api_keys, companies, delegations

router = APIRouter(prefix="/v1")
LimitQuery = Annotated[int, Query(ge=1, le=200)]
CursorQuery = Annotated[str | None, Query(max_length=200)]
CompanyVisible = Annotated[CompanyAccess, Depends(company_access(Area.SETTINGS, Level.NONE))]
CompanyRead = Annotated[CompanyAccess, Depends(company_access(Area.SETTINGS, Level.READ))]
CompanyWrite = Annotated[CompanyAccess, Depends(company_access(Area.SETTINGS, Level.WRITE))]
CompanyAdmin = Annotated[CompanyAccess, Depends(company_access(Area.SETTINGS, Level.ADMIN))]


def company_out(company: Company, access: CompanyAccess) -> schemas.CompanyOut:
    return schemas.CompanyOut.model_validate(
        {
            **{c: getattr(company, c) for c in schemas.CompanyOut.model_fields if hasattr(company, c)},
            "rea": company.rea,
            "contacts": company.contacts,
            "levels": levels_json(access.levels),
            "delegation_id": access.delegation_id,
        }
    )


def key_out(key: ApiKey, token: str | None = None) -> schemas.ApiKeyOut:
    data = {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "levels": key.levels,
        "company_ids": key.company_ids["ids"] if key.company_ids else None,
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }
    if token is not None:
        return schemas.ApiKeyCreated.model_validate({**data, "token": token})
    return schemas.ApiKeyOut.model_validate(data)


def delegation_out(delegation: Delegation) -> schemas.DelegationOut:
    data = {c: getattr(delegation, c) for c in schemas.DelegationOut.model_fields if c != "active"}
    return schemas.DelegationOut.model_validate({**data, "active": delegation.active_at(utcnow())})


# --- auth and me ----------------------------------------------------------------------------
@router.post("/auth/token", response_model=schemas.TokenOut, tags=["auth"])
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> schemas.TokenOut:
    """OAuth2 password flow: email as username; a short-lived bearer token."""
    user = await accounts.login(session, email=form.username, password=form.password)
    minutes = settings.access_token_minutes
    access_token = issue_access_token(
        settings.signing_key(), user_id=user.id, account_id=user.account_id, minutes=minutes
    )
    return schemas.TokenOut(access_token=access_token, expires_in=minutes * 60)


@router.get("/me", response_model=schemas.MeOut, tags=["auth"])
async def me(session: SessionDep, principal: PrincipalDep) -> schemas.MeOut:
    account = await accounts.get_account(session, principal)
    user = await accounts.get_user(session, principal, principal.user_id) if principal.user_id else None
    key = await api_keys.own_key(session, principal)
    listed = [company_out(c, a) for c, a in await companies.visible_companies(session, principal)]
    return schemas.MeOut(
        account=schemas.AccountOut.model_validate(account),
        user=schemas.UserOut.model_validate(user) if user else None,
        api_key=key_out(key) if key else None,
        companies=listed,
    )


# --- account --------------------------------------------------------------------------------
@router.get("/account", response_model=schemas.AccountOut, tags=["account"])
async def get_account(session: SessionDep, principal: PrincipalDep) -> schemas.AccountOut:
    return schemas.AccountOut.model_validate(await accounts.get_account(session, principal))


@router.patch("/account", response_model=schemas.AccountOut, tags=["account"])
async def update_account(
    body: schemas.AccountUpdate, session: SessionDep, principal: PrincipalDep
) -> schemas.AccountOut:
    account = await accounts.rename_account(session, principal, name=body.name)
    return schemas.AccountOut.model_validate(account)


# --- companies ------------------------------------------------------------------------------
@router.post(
    "/companies",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.CompanyOut,
    tags=["companies"],
)
async def create_company(
    body: schemas.CompanyCreate, session: SessionDep, principal: PrincipalDep, response: Response
) -> schemas.CompanyOut:
    company, access = await companies.create_company(session, principal, body)
    response.headers["Location"] = f"/v1/companies/{company.id}"
    return company_out(company, access)


@router.get("/companies", response_model=schemas.CompanyPage, tags=["companies"])
async def list_companies(
    session: SessionDep, principal: PrincipalDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> schemas.CompanyPage:
    page = await companies.list_companies(session, principal, limit=limit, cursor=cursor)
    return schemas.CompanyPage(items=[company_out(c, a) for c, a in page.items], next_cursor=page.next_cursor)


@router.get("/companies/{company_id}", response_model=schemas.CompanyOut, tags=["companies"])
async def get_company(session: SessionDep, access: CompanyRead) -> schemas.CompanyOut:
    return company_out(await companies.get_company(session, access), access)


@router.patch("/companies/{company_id}", response_model=schemas.CompanyOut, tags=["companies"])
async def update_company(
    body: schemas.CompanyUpdate, session: SessionDep, principal: PrincipalDep, access: CompanyWrite
) -> schemas.CompanyOut:
    return company_out(await companies.update_company(session, principal, access, body), access)


@router.delete("/companies/{company_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["companies"])
async def archive_company(session: SessionDep, principal: PrincipalDep, access: CompanyAdmin) -> None:
    """Archive the company: it disappears from use; its data stays."""
    await companies.archive_company(session, principal, access)


@router.put(
    "/companies/{company_id}/signing-certificate", response_model=schemas.CertificateOut, tags=["companies"]
)
async def set_signing_certificate(
    body: schemas.SigningCertificateIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    access: CompanyAdmin,
) -> schemas.CertificateOut:
    """The company's signing certificate (PKCS#12, base64): invoices are signed before sending.
    It is kept sealed with the service's secret key and never returned."""
    try:
        pkcs12 = base64.b64decode(body.pkcs12, validate=True)
    except binascii.Error:
        raise InvalidInput("not base64", errors=[{"path": "pkcs12", "message": "not base64"}]) from None
    info = await companies.set_signing_certificate(
        session,
        principal,
        access,
        secret_key=settings.signing_key(),
        pkcs12=pkcs12,
        password=body.password,
        signing_format=body.format,
    )
    return schemas.CertificateOut(
        subject=info.subject, issuer=info.issuer, not_after=info.not_after, format=body.format
    )


@router.delete(
    "/companies/{company_id}/signing-certificate", status_code=status.HTTP_204_NO_CONTENT, tags=["companies"]
)
async def remove_signing_certificate(
    session: SessionDep, principal: PrincipalDep, access: CompanyAdmin
) -> None:
    await companies.remove_signing_certificate(session, principal, access)


# --- users and permissions --------------------------------------------------------------------
@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=schemas.UserOut, tags=["users"])
async def create_user(
    body: schemas.UserCreate, session: SessionDep, principal: PrincipalDep
) -> schemas.UserOut:
    return schemas.UserOut.model_validate(await accounts.create_user(session, principal, body))


@router.get("/users", response_model=schemas.UserPage, tags=["users"])
async def list_users(
    session: SessionDep, principal: PrincipalDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> schemas.UserPage:
    page = await accounts.list_users(session, principal, limit=limit, cursor=cursor)
    return schemas.UserPage(
        items=[schemas.UserOut.model_validate(u) for u in page.items], next_cursor=page.next_cursor
    )


@router.get("/users/{user_id}", response_model=schemas.UserOut, tags=["users"])
async def get_user(user_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> schemas.UserOut:
    return schemas.UserOut.model_validate(await accounts.get_user(session, principal, user_id))


@router.patch("/users/{user_id}", response_model=schemas.UserOut, tags=["users"])
async def update_user(
    user_id: uuid.UUID, body: schemas.UserUpdate, session: SessionDep, principal: PrincipalDep
) -> schemas.UserOut:
    return schemas.UserOut.model_validate(await accounts.update_user(session, principal, user_id, body))


@router.get(
    "/users/{user_id}/permissions/{company_id}",
    response_model=schemas.PermissionsOut,
    tags=["users"],
)
async def get_permissions(
    user_id: uuid.UUID,
    company_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    access: CompanyVisible,
) -> schemas.PermissionsOut:
    levels = await accounts.get_permissions(session, principal, user_id, access)
    return schemas.PermissionsOut(user_id=user_id, company_id=company_id, levels=levels_json(levels))


@router.put(
    "/users/{user_id}/permissions/{company_id}",
    response_model=schemas.PermissionsOut,
    tags=["users"],
)
async def set_permissions(
    user_id: uuid.UUID,
    company_id: uuid.UUID,
    body: schemas.PermissionsIn,
    session: SessionDep,
    principal: PrincipalDep,
    access: CompanyVisible,
) -> schemas.PermissionsOut:
    levels = await accounts.set_permissions(session, principal, user_id, access, body.levels)
    return schemas.PermissionsOut(user_id=user_id, company_id=company_id, levels=levels_json(levels))


# --- API keys -------------------------------------------------------------------------------
@router.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ApiKeyCreated,
    tags=["api-keys"],
)
async def create_api_key(
    body: schemas.ApiKeyCreate, session: SessionDep, principal: PrincipalDep, response: Response
) -> schemas.ApiKeyOut:
    """The token is in this response only: it is stored hashed and never shown again."""
    key, token_value = await api_keys.create_api_key(session, principal, body)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Location"] = f"/v1/api-keys/{key.id}"
    return key_out(key, token_value)


@router.get("/api-keys", response_model=schemas.ApiKeyPage, tags=["api-keys"])
async def list_api_keys(
    session: SessionDep, principal: PrincipalDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> schemas.ApiKeyPage:
    page = await api_keys.list_api_keys(session, principal, limit=limit, cursor=cursor)
    return schemas.ApiKeyPage(items=[key_out(k) for k in page.items], next_cursor=page.next_cursor)


@router.get("/api-keys/{key_id}", response_model=schemas.ApiKeyOut, tags=["api-keys"])
async def get_api_key(key_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> schemas.ApiKeyOut:
    return key_out(await api_keys.get_api_key(session, principal, key_id))


@router.post("/api-keys/{key_id}/revoke", response_model=schemas.ApiKeyOut, tags=["api-keys"])
async def revoke_api_key(
    key_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> schemas.ApiKeyOut:
    return key_out(await api_keys.revoke_api_key(session, principal, key_id))


# --- delegations ----------------------------------------------------------------------------
@router.post(
    "/delegations",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.DelegationOut,
    tags=["delegations"],
)
async def create_delegation(
    body: schemas.DelegationCreate, session: SessionDep, principal: PrincipalDep
) -> schemas.DelegationOut:
    return delegation_out(await delegations.create_delegation(session, principal, body))


@router.get("/delegations", response_model=schemas.DelegationPage, tags=["delegations"])
async def list_delegations(
    session: SessionDep,
    principal: PrincipalDep,
    direction: Annotated[Literal["given", "received"], Query()] = "given",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> schemas.DelegationPage:
    page = await delegations.list_delegations(
        session, principal, direction=direction, limit=limit, cursor=cursor
    )
    return schemas.DelegationPage(items=[delegation_out(d) for d in page.items], next_cursor=page.next_cursor)


@router.get("/delegations/{delegation_id}", response_model=schemas.DelegationOut, tags=["delegations"])
async def get_delegation(
    delegation_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> schemas.DelegationOut:
    return delegation_out(await delegations.get_delegation(session, principal, delegation_id))


@router.patch("/delegations/{delegation_id}", response_model=schemas.DelegationOut, tags=["delegations"])
async def update_delegation(
    delegation_id: uuid.UUID,
    body: schemas.DelegationUpdate,
    session: SessionDep,
    principal: PrincipalDep,
) -> schemas.DelegationOut:
    return delegation_out(await delegations.update_delegation(session, principal, delegation_id, body))


@router.post(
    "/delegations/{delegation_id}/revoke",
    response_model=schemas.DelegationOut,
    tags=["delegations"],
)
async def revoke_delegation(
    delegation_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> schemas.DelegationOut:
    return delegation_out(await delegations.revoke_delegation(session, principal, delegation_id))


# --- the service operator: accounts -----------------------------------------------------------
operator = APIRouter(prefix="/v1/accounts", tags=["operator"], dependencies=[OperatorDep])


@operator.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.AccountCreated)
async def create_account(
    body: schemas.AccountCreate, session: SessionDep, settings: SettingsDep, response: Response
) -> schemas.AccountCreated:
    """A new account with its owner (who then logs in and creates keys, users, companies)."""
    account, owner = await accounts.create_account(
        session,
        name=body.name,
        email=body.email,
        password=body.password,
        quota_bytes=settings.default_storage_quota_bytes,
        user_name=body.user_name,
    )
    response.headers["Location"] = f"/v1/accounts/{account.id}"
    return schemas.AccountCreated(
        account=schemas.AccountOut.model_validate(account),
        owner=schemas.UserOut.model_validate(owner),
    )


@operator.get("", response_model=schemas.AccountPage)
async def list_accounts(
    session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> schemas.AccountPage:
    page = await accounts.list_accounts(session, limit=limit, cursor=cursor)
    return schemas.AccountPage(
        items=[schemas.AccountOut.model_validate(a) for a in page.items],
        next_cursor=page.next_cursor,
    )


@operator.get("/{account_id}", response_model=schemas.AccountOut)
async def read_account(account_id: uuid.UUID, session: SessionDep) -> schemas.AccountOut:
    return schemas.AccountOut.model_validate(await accounts.find_account(session, account_id))


@operator.patch("/{account_id}", response_model=schemas.AccountOut)
async def administer_account(
    account_id: uuid.UUID, body: schemas.AccountAdminUpdate, session: SessionDep
) -> schemas.AccountOut:
    account = await accounts.update_account(
        session,
        account_id,
        name=body.name,
        quota_bytes=body.storage_quota_bytes,
        active=body.active,
    )
    return schemas.AccountOut.model_validate(account)


@operator.post("/{account_id}/revoke", response_model=schemas.AccountOut)
async def revoke_account(account_id: uuid.UUID, session: SessionDep) -> schemas.AccountOut:
    """Its users and keys stop working at once; its data stays."""
    return schemas.AccountOut.model_validate(await accounts.update_account(session, account_id, active=False))
