"""Managing webhooks over REST: secrets shown once and rotated, validation as problem+json,
account managers only, other accounts' webhooks not found, audit entries."""

from __future__ import annotations

import uuid

from tests.service.conftest import login

PROBLEM = "application/problem+json"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return response.json()


def test_create_read_update_delete_and_audit(stack):
    tenant = stack.tenant()
    created = tenant.client.post(
        "/v1/webhooks",
        json={"url": "https://erp.example.com/hooks", "event_types": ["invoice.*"], "description": "ERP"},
    )
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    hook = created.json()
    assert created.headers["location"] == f"/v1/webhooks/{hook['id']}"
    assert hook["secret"].startswith("whsec_") and hook["enabled"] and hook["company_ids"] is None

    read = tenant.client.get(f"/v1/webhooks/{hook['id']}").json()
    assert "secret" not in read and read["event_types"] == ["invoice.*"]
    assert [h["id"] for h in tenant.client.get("/v1/webhooks").json()["items"]] == [hook["id"]]

    changed = tenant.client.patch(
        f"/v1/webhooks/{hook['id']}",
        json={"event_types": ["invoice.created", "received_invoice.*"], "company_ids": [tenant.company_id]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["company_ids"] == [tenant.company_id]
    assert changed.json()["description"] == "ERP" and changed.json()["url"] == "https://erp.example.com/hooks"
    paused = tenant.client.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": False, "company_ids": None})
    assert paused.json()["enabled"] is False and paused.json()["company_ids"] is None

    assert tenant.client.delete(f"/v1/webhooks/{hook['id']}").status_code == 204
    _problem(tenant.client.get(f"/v1/webhooks/{hook['id']}"), 404)
    actions = [e["action"] for e in tenant.client.get("/v1/audit-log").json()["items"]]
    for action in ("created", "updated", "deleted"):
        assert f"webhook_endpoint.{action}" in actions


def test_invalid_input_is_a_clear_problem(stack):
    tenant = stack.tenant()
    cases = [
        {"url": "ftp://erp.example.com/hooks"},
        {"url": "not a url"},
        {"url": "https://erp.example.com/" + "x" * 2000},
        {"url": "https://erp.example.com", "event_types": ["Invoice.Created"]},
        {"url": "https://erp.example.com", "event_types": ["invoice*"]},
        {"url": "https://erp.example.com", "event_types": []},
        {"url": "https://erp.example.com", "surprise": True},
    ]
    for body in cases:
        problem = _problem(tenant.client.post("/v1/webhooks", json=body), 422)
        assert problem["errors"], body
    foreign = stack.tenant().company_id
    problem = _problem(
        tenant.client.post("/v1/webhooks", json={"url": "https://e.example", "company_ids": [foreign]}), 422
    )
    assert problem["errors"][0]["path"] == "company_ids"
    _problem(tenant.client.get("/v1/webhooks/not-a-uuid"), 422)
    _problem(tenant.client.get("/v1/webhooks", params={"cursor": "garbage"}), 422)


def test_members_cannot_manage_webhooks(stack):
    tenant = stack.tenant()
    email = f"member-{uuid.uuid4().hex[:8]}@example.com"
    made = tenant.client.post("/v1/users", json={"email": email, "password": "member password 1"})
    assert made.status_code == 201, made.text
    member = login(stack.base_url, email, "member password 1")
    _problem(member.post("/v1/webhooks", json={"url": "https://erp.example.com"}), 403)
    _problem(member.get("/v1/webhooks"), 403)


def test_other_accounts_webhooks_are_not_found(stack):
    victim, intruder = stack.tenant(), stack.tenant()
    hook = stack.hook(victim)
    stack.publish(victim, uuid.uuid4())
    stack.deliver()
    delivery = victim.client.get(f"/v1/webhooks/{hook['id']}/deliveries").json()["items"][0]
    base = f"/v1/webhooks/{hook['id']}"
    for method, path, body in [
        ("GET", base, None),
        ("PATCH", base, {"url": "https://attacker.example"}),
        ("DELETE", base, None),
        ("POST", f"{base}/rotate-secret", None),
        ("POST", f"{base}/enable", None),
        ("GET", f"{base}/deliveries", None),
        ("POST", f"{base}/deliveries/{delivery['id']}/replay", None),
        ("POST", f"{base}/replay", {"since": "2020-01-01T00:00:00Z"}),
    ]:
        _problem(intruder.client.request(method, path, json=body), 404)
    assert intruder.client.get("/v1/webhooks").json()["items"] == []
    assert victim.client.get(base).json()["url"] == hook["url"]


def test_a_rotated_secret_keeps_signing_during_the_grace_time(stack):
    tenant = stack.tenant()
    hook = stack.hook(tenant)
    old = hook["secret"]
    rotated = tenant.client.post(f"/v1/webhooks/{hook['id']}/rotate-secret")
    assert rotated.status_code == 200 and rotated.headers["cache-control"] == "no-store"
    new = rotated.json()["secret"]
    assert new != old and new.startswith("whsec_")

    stack.publish(tenant, uuid.uuid4(), 1)  # the receiver still trusts only the old secret
    stack.deliver()
    stack.receiver.secrets[hook["name"]] = new  # it switches over
    stack.publish(tenant, uuid.uuid4(), 2)
    stack.deliver()
    received = stack.receiver.accepted_by(hook["name"])
    assert [r.seq for r in received] == [1, 2] and hook["name"] not in stack.receiver.unsigned
    assert all(r.headers["webhook-signature"].count("v1,") == 2 for r in received)
    actions = [e["action"] for e in tenant.client.get("/v1/audit-log").json()["items"]]
    assert "webhook_endpoint.secret_rotated" in actions
