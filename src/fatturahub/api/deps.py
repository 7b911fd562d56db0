"""Dependencies every endpoint uses: the request's transaction and the calling principal."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.errors import Unauthorized
from fatturahub.settings import Settings
from fatturahub.tenancy.access import require_company
from fatturahub.tenancy.permissions import Area, Level
from fatturahub.tenancy.principal import CompanyAccess, Principal
from fatturahub.tenancy.security import read_access_token, split_api_key
from fatturahub.tenancy.services.accounts import principal_for_api_key, principal_for_user


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed when the endpoint returns, before the response."""
    async with request.app.state.sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


async def _settings(request: Request) -> Settings:  # async: a sync dependency costs a thread hop
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]
_bearer = HTTPBearer(auto_error=False, description="an API key (fh_…) or an access token")


async def authenticate(session: AsyncSession, settings: Settings, token: str) -> Principal | None:
    if split_api_key(token) is not None:
        return await principal_for_api_key(session, token)
    user_id = read_access_token(settings.signing_key(), token)
    return await principal_for_user(session, user_id) if user_id else None


async def _principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    known = getattr(request.state, "principal", None)  # set by the idempotency layer
    if known is not None:
        return known
    if credentials is None:
        raise Unauthorized("send Authorization: Bearer <API key or access token>")
    principal = await authenticate(session, settings, credentials.credentials)
    if principal is None:
        raise Unauthorized("the API key or access token is invalid, expired or revoked")
    return principal


PrincipalDep = Annotated[Principal, Depends(_principal)]


async def _operator(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """The service operator, who manages accounts, holds FATTURAHUB_OPERATOR_TOKEN."""
    expected = settings.operator_token.get_secret_value() if settings.operator_token else None
    given = credentials.credentials if credentials else ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized("operator endpoints need Authorization: Bearer <FATTURAHUB_OPERATOR_TOKEN>")


OperatorDep = Depends(_operator)


def company_access(area: Area, level: Level) -> Callable[..., Coroutine[Any, Any, CompanyAccess]]:
    """A dependency: the caller's access to the path's company, at least `level` on `area`."""

    async def dependency(
        company_id: Annotated[uuid.UUID, Path()], session: SessionDep, principal: PrincipalDep
    ) -> CompanyAccess:
        return await require_company(session, principal, company_id, area, level)

    return dependency
