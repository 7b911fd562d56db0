"""Accounts, logins, keys, users, permissions and delegations, through real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
from tests.service.conftest import company_body, login, with_key

PROBLEM = "application/problem+json"


def _problem(response: httpx.Response, status: int, type_suffix: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"].endswith("/" + type_suffix) and body["status"] == status
    return body


def test_health_and_readiness(anonymous):
    assert anonymous.get("/healthz").json() == {"status": "ok"}
    assert anonymous.get("/readyz").json() == {"status": "ok"}


def test_login_me_and_bad_credentials(service, make_tenant, anonymous):
    tenant = make_tenant()
    me = tenant.owner.get("/v1/me").json()
    assert me["account"]["id"] == tenant.account_id
    assert me["user"]["role"] == "owner" and me["api_key"] is None
    assert [c["id"] for c in me["companies"]] == [tenant.company_id]
    assert me["companies"][0]["levels"]["settings"] == "admin"

    wrong = anonymous.post("/v1/auth/token", data={"username": tenant.email, "password": "nope nope nope"})
    _problem(wrong, 401, "unauthorized")
    _problem(anonymous.get("/v1/me"), 401, "unauthorized")
    forged = jwt.encode(
        {"sub": me["user"]["id"], "exp": datetime.now(UTC) + timedelta(minutes=5), "typ": "access"},
        "not-the-server-key-but-long-enough-for-hs256",
        algorithm="HS256",
    )
    _problem(with_key(service, forged).get("/v1/me"), 401, "unauthorized")
    _problem(with_key(service, "fh_000000000000_guess").get("/v1/me"), 401, "unauthorized")


def test_api_keys_are_shown_once_hashed_tracked_and_revocable(service, make_tenant):
    tenant = make_tenant()
    created = tenant.owner.post("/v1/api-keys", json={"name": "billing ERP"})
    assert created.headers["cache-control"] == "no-store"
    token, key_id = created.json()["token"], created.json()["id"]
    assert token.startswith("fh_" + created.json()["prefix"] + "_")
    erp = with_key(service, token)
    assert erp.get("/v1/me").json()["api_key"]["id"] == key_id

    listed = tenant.owner.get("/v1/api-keys").json()["items"]
    mine = next(k for k in listed if k["id"] == key_id)
    assert "token" not in mine and mine["last_used_at"] is not None

    revoked = tenant.owner.post(f"/v1/api-keys/{key_id}/revoke")
    assert revoked.json()["revoked_at"] is not None
    _problem(erp.get("/v1/me"), 401, "unauthorized")


def test_a_key_limited_to_companies_and_levels(service, make_tenant):
    tenant = make_tenant()
    other = tenant.owner.post("/v1/companies", json=company_body(denominazione="SECOND SRL")).json()
    key = tenant.owner.post(
        "/v1/api-keys",
        json={
            "name": "read-only on one company",
            "company_ids": [tenant.company_id],
            "levels": {"settings": "read", "active_invoices": "write"},
        },
    ).json()
    limited = with_key(service, key["token"])
    listed = limited.get("/v1/companies").json()["items"]
    assert [c["id"] for c in listed] == [tenant.company_id]
    assert listed[0]["levels"] == {
        "active_invoices": "write",
        "received_invoices": "none",
        "reports": "none",
        "settings": "read",
    }
    _problem(limited.get(f"/v1/companies/{other['id']}"), 404, "not-found")
    _problem(
        limited.patch(f"/v1/companies/{tenant.company_id}", json={"denominazione": "X"}),
        403,
        "forbidden",
    )
    _problem(
        limited.post("/v1/users", json={"email": "x@example.com", "password": "x" * 12}),
        403,
        "forbidden",
    )


def test_members_see_what_their_levels_allow(service, make_tenant):
    tenant = make_tenant()
    email = f"member-{tenant.account_id[:8]}@example.com"
    user = tenant.owner.post("/v1/users", json={"email": email, "password": "member password 1"}).json()
    assert user["role"] == "member"
    member = login(service, email, "member password 1")
    assert member.get("/v1/companies").json()["items"] == []
    _problem(member.get(f"/v1/companies/{tenant.company_id}"), 404, "not-found")

    granted = tenant.owner.put(
        f"/v1/users/{user['id']}/permissions/{tenant.company_id}",
        json={"levels": {"settings": "read", "received_invoices": "write"}},
    )
    assert granted.status_code == 200, granted.text
    company = member.get(f"/v1/companies/{tenant.company_id}").json()
    assert company["levels"]["settings"] == "read" and company["levels"]["active_invoices"] == "none"
    _problem(
        member.patch(f"/v1/companies/{tenant.company_id}", json={"denominazione": "X"}),
        403,
        "forbidden",
    )
    _problem(member.get("/v1/users"), 403, "forbidden")

    tenant.owner.patch(f"/v1/users/{user['id']}", json={"active": False})
    _problem(member.get("/v1/me"), 401, "unauthorized")


def test_the_last_owner_stays(make_tenant):
    tenant = make_tenant()
    owner_id = tenant.owner.get("/v1/me").json()["user"]["id"]
    _problem(tenant.owner.patch(f"/v1/users/{owner_id}", json={"active": False}), 409, "conflict")


def test_company_validation_and_uniqueness(make_tenant):
    tenant = make_tenant()
    bad = tenant.owner.post("/v1/companies", json=company_body(partita_iva="01234567891"))
    body = _problem(bad, 422, "invalid-input")
    assert any(e["path"] == "partita_iva" for e in body["errors"])
    missing = tenant.owner.post("/v1/companies", json={"denominazione": "X"})
    assert {e["path"] for e in _problem(missing, 422, "invalid-input")["errors"]} >= {"sede"}
    first = tenant.owner.get(f"/v1/companies/{tenant.company_id}").json()
    again = tenant.owner.post("/v1/companies", json=company_body(partita_iva=first["partita_iva"]))
    _problem(again, 409, "conflict")
    _problem(tenant.owner.get("/v1/companies/not-a-uuid"), 422, "invalid-input")


def test_delegation_within_its_window_and_levels(service, make_tenant):
    client, firm = make_tenant("Client SRL"), make_tenant("Studio Rossi")
    created = client.owner.post(
        "/v1/delegations",
        json={
            "company_id": client.company_id,
            "grantee_account_id": firm.account_id,
            "levels": {"settings": "write", "active_invoices": "write"},
        },
    )
    assert created.status_code == 201, created.text
    delegation = created.json()
    assert delegation["active"] is True

    seen = firm.key.get(f"/v1/companies/{client.company_id}").json()
    assert seen["delegation_id"] == delegation["id"] and seen["levels"]["received_invoices"] == "none"
    renamed = firm.key.patch(f"/v1/companies/{client.company_id}", json={"denominazione": "CLIENT SRL"})
    assert renamed.status_code == 200, renamed.text
    _problem(firm.key.delete(f"/v1/companies/{client.company_id}"), 403, "forbidden")
    received = firm.owner.get("/v1/delegations", params={"direction": "received"}).json()["items"]
    assert [d["id"] for d in received] == [delegation["id"]]

    audit = client.owner.get("/v1/audit-log", params={"company_id": client.company_id}).json()["items"]
    by_firm = [e for e in audit if e["action"] == "company.updated"]
    assert by_firm and by_firm[0]["delegation_id"] == delegation["id"]
    assert by_firm[0]["account_id"] == firm.account_id and by_firm[0]["api_key_id"]

    before_start = (datetime.fromisoformat(delegation["starts_at"]) - timedelta(seconds=1)).isoformat()
    ended = client.owner.patch(f"/v1/delegations/{delegation['id']}", json={"ends_at": before_start})
    _problem(ended, 422, "invalid-input")  # an end before the start is refused
    client.owner.post(f"/v1/delegations/{delegation['id']}/revoke")
    _problem(firm.key.get(f"/v1/companies/{client.company_id}"), 404, "not-found")


def test_delegation_outside_its_window_grants_nothing(make_tenant):
    client, firm = make_tenant(), make_tenant()
    now = datetime.now(UTC)
    future = client.owner.post(
        "/v1/delegations",
        json={
            "company_id": client.company_id,
            "grantee_account_id": firm.account_id,
            "levels": {"settings": "read"},
            "starts_at": (now + timedelta(days=1)).isoformat(),
        },
    )
    assert future.status_code == 201 and future.json()["active"] is False
    _problem(firm.key.get(f"/v1/companies/{client.company_id}"), 404, "not-found")

    other_client = make_tenant()
    lapsed = other_client.owner.post(
        "/v1/delegations",
        json={
            "company_id": other_client.company_id,
            "grantee_account_id": firm.account_id,
            "levels": {"settings": "read"},
            "starts_at": (now - timedelta(days=10)).isoformat(),
            "ends_at": (now - timedelta(days=1)).isoformat(),
        },
    )
    assert lapsed.status_code == 201 and lapsed.json()["active"] is False
    _problem(firm.key.get(f"/v1/companies/{other_client.company_id}"), 404, "not-found")
    naive = other_client.owner.post(
        "/v1/delegations",
        json={
            "company_id": other_client.company_id,
            "grantee_account_id": firm.account_id,
            "levels": {"settings": "read"},
            "starts_at": "2026-01-01T00:00:00",
        },
    )
    _problem(naive, 422, "invalid-input")


def test_only_the_owner_of_a_company_delegates_it(make_tenant):
    client, firm, third = make_tenant(), make_tenant(), make_tenant()
    client.owner.post(
        "/v1/delegations",
        json={
            "company_id": client.company_id,
            "grantee_account_id": firm.account_id,
            "levels": {"settings": "admin"},
        },
    )
    onward = firm.owner.post(
        "/v1/delegations",
        json={
            "company_id": client.company_id,
            "grantee_account_id": third.account_id,
            "levels": {"settings": "read"},
        },
    )
    _problem(onward, 404, "not-found")


def test_operator_manages_accounts(service, operator, anonymous, make_tenant):
    tenant = make_tenant()
    _problem(anonymous.get("/v1/accounts"), 401, "unauthorized")
    _problem(tenant.owner.get("/v1/accounts"), 401, "unauthorized")
    account = operator.get(f"/v1/accounts/{tenant.account_id}").json()
    assert account["active"] is True
    operator.patch(f"/v1/accounts/{tenant.account_id}", json={"storage_quota_bytes": 1024})
    assert tenant.owner.get("/v1/account").json()["storage_quota_bytes"] == 1024
    operator.post(f"/v1/accounts/{tenant.account_id}/revoke")
    _problem(tenant.key.get("/v1/me"), 401, "unauthorized")
    _problem(
        anonymous.post("/v1/auth/token", data={"username": tenant.email, "password": tenant.password}),
        401,
        "unauthorized",
    )


def test_lists_paginate_with_opaque_cursors(make_tenant):
    tenant = make_tenant()
    for n in range(5):
        tenant.owner.post(
            "/v1/users",
            json={
                "email": f"u{n}-{tenant.account_id[:8]}@example.com",
                "password": "password password",
            },
        )
    seen, cursor = [], None
    while True:
        page = tenant.owner.get("/v1/users", params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= 2
        seen += [u["id"] for u in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6  # the owner and five members
    _problem(tenant.owner.get("/v1/users", params={"cursor": "garbage!"}), 422, "invalid-input")
    _problem(tenant.owner.get("/v1/users", params={"limit": 0}), 422, "invalid-input")


def test_idempotency_keys(make_tenant):
    tenant = make_tenant()
    headers = {"Idempotency-Key": "create-user-1"}
    body = {"email": f"idem-{tenant.account_id[:8]}@example.com", "password": "password password"}
    first = tenant.key.post("/v1/users", json=body, headers=headers)
    again = tenant.key.post("/v1/users", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    users = tenant.key.get("/v1/users").json()["items"]
    assert sum(u["email"] == body["email"] for u in users) == 1

    other_body = {**body, "email": "someone-else@example.com"}
    _problem(
        tenant.key.post("/v1/users", json=other_body, headers=headers),
        422,
        "idempotency-key-reused",
    )
    # another principal may use the same key for its own request
    assert tenant.owner.post("/v1/users", json=other_body, headers=headers).status_code == 201

    key_headers = {"Idempotency-Key": "new-key"}
    assert tenant.owner.post("/v1/api-keys", json={"name": "k"}, headers=key_headers).status_code == 201
    _problem(
        tenant.owner.post("/v1/api-keys", json={"name": "k"}, headers=key_headers),
        409,
        "idempotency-not-replayable",
    )
    failing = tenant.owner.post("/v1/users", json={"email": "bad"}, headers={"Idempotency-Key": "x"})
    assert failing.status_code == 422
    replayed = tenant.owner.post("/v1/users", json={"email": "bad"}, headers={"Idempotency-Key": "x"})
    assert replayed.headers.get("idempotent-replayed") == "true"


def test_every_error_is_problem_json(anonymous, make_tenant):
    tenant = make_tenant()
    _problem(anonymous.get("/v1/no-such-route"), 404, "not-found")
    _problem(anonymous.put("/healthz"), 405, "method-not-allowed")
    broken = tenant.owner.post(
        "/v1/companies", content=b"{not json", headers={"content-type": "application/json"}
    )
    _problem(broken, 422, "invalid-input")
    extra = tenant.owner.post("/v1/users", json={"email": "a@b.it", "password": "p" * 12, "admin": True})
    assert any(e["path"] == "admin" for e in _problem(extra, 422, "invalid-input")["errors"])
