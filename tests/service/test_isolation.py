"""No endpoint lets one account read or touch another account's company."""

from __future__ import annotations

import re
import uuid

import pytest

COMPANY_PATHS_AT_LEAST = 1


def _company_routes(client) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if "{company_id}" in path
        for method in operations
    ]


def _fill(path: str, company_id: str) -> str:
    path = path.replace("{company_id}", company_id)
    return re.sub(r"\{[a-z_]+\}", lambda _: str(uuid.uuid4()), path)


@pytest.mark.parametrize("as_", ["key", "owner"])
def test_every_company_scoped_endpoint_hides_other_accounts(make_tenant, as_):
    victim, intruder = make_tenant("Victim"), make_tenant("Intruder")
    caller = getattr(intruder, as_)
    routes = _company_routes(caller)
    assert len(routes) >= COMPANY_PATHS_AT_LEAST
    assert caller.get(f"/v1/companies/{intruder.company_id}").status_code == 200  # the control
    before = victim.owner.get(f"/v1/companies/{victim.company_id}").json()
    for method, path in routes:
        url = _fill(path, victim.company_id)
        response = caller.request(method, url, json={"denominazione": "PWNED SRL"})
        assert response.status_code == 404, (method, path, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert victim.owner.get(f"/v1/companies/{victim.company_id}").json() == before
    listed = caller.get("/v1/companies").json()["items"]
    assert victim.company_id not in {c["id"] for c in listed}


def test_other_accounts_users_keys_and_delegations_are_not_found(make_tenant):
    victim, intruder = make_tenant(), make_tenant()
    user_id = victim.owner.get("/v1/me").json()["user"]["id"]
    key_id = victim.owner.get("/v1/api-keys").json()["items"][0]["id"]
    for url in (
        f"/v1/users/{user_id}",
        f"/v1/api-keys/{key_id}",
        f"/v1/users/{user_id}/permissions/{victim.company_id}",
    ):
        assert intruder.owner.get(url).status_code == 404, url
    assert intruder.owner.post(f"/v1/api-keys/{key_id}/revoke").status_code == 404
    assert victim.key.get("/v1/me").status_code == 200
    audit = intruder.owner.get("/v1/audit-log").json()["items"]
    assert all(e["account_id"] == intruder.account_id for e in audit)
