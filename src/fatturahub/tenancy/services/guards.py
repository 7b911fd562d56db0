"""Small authorization guards shared by the tenancy services."""

from __future__ import annotations

from fatturahub.errors import Forbidden
from fatturahub.tenancy.principal import Principal


def require_account_manager(principal: Principal) -> None:
    if not principal.manages_account:
        raise Forbidden("only the account's owner or admins (or an unrestricted admin key) may do this")
