"""Delivery through real HTTP both ways: signed fat payloads, order per subject across failures,
retries, the delivery log, replays, giving up, auto-disable and its notice."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from tests.webhooks.conftest import FAST
from tests.webhooks.receiver import BIG_BODY_STATUS

from fatturahub.db.base import utcnow
from fatturahub.webhooks import publish
from fatturahub.webhooks.tasks import DeliveryPolicy, handlers
from fatturahub.worker.runner import Worker


def _log(tenant, hook: dict, **params) -> list[dict]:
    response = tenant.client.get(f"/v1/webhooks/{hook['id']}/deliveries", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_events_arrive_signed_with_a_fat_payload_and_are_logged(stack):
    tenant = stack.tenant()
    hook = stack.hook(tenant, event_types=["invoice.*"])
    invoice = uuid.uuid4()
    event = stack.publish(tenant, invoice, seq=1, type_="invoice.created")
    stack.publish(tenant, uuid.uuid4(), type_="received_invoice.created")  # not asked for
    stack.deliver()

    [got] = stack.receiver.accepted_by(hook["name"])
    assert got.payload == {
        "id": str(event.id),
        "type": "invoice.created",
        "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": {"subject": str(invoice), "seq": 1},
    }
    assert got.headers["webhook-id"] == str(event.id)
    assert abs(int(got.headers["webhook-timestamp"]) - utcnow().timestamp()) < 60
    assert got.headers["content-type"] == "application/json"
    assert hook["name"] not in stack.receiver.unsigned

    [delivery] = _log(tenant, hook)
    assert delivery["event_id"] == str(event.id) and delivery["event_type"] == "invoice.created"
    assert delivery["state"] == "delivered" and delivery["attempts"] == 1
    assert delivery["next_attempt_at"] is None and delivery["delivered_at"] is not None
    [attempt] = delivery["log"]
    assert attempt["status_code"] == 204 and attempt["error"] is None and attempt["duration_ms"] >= 0


def test_a_subject_keeps_its_order_while_its_first_event_is_retried(stack):
    tenant = stack.tenant()
    hook = stack.hook(tenant)
    first, other = uuid.uuid4(), uuid.uuid4()
    refusals = iter([503, 500])  # the first event of `first` is refused twice
    stack.receiver.rules[hook["name"]] = lambda p: (
        next(refusals, None) if p["data"] == {"subject": str(first), "seq": 1} else None
    )
    stack.publish(tenant, first, 1)
    stack.publish(tenant, first, 2)
    stack.publish(tenant, other, 1)
    stack.publish(tenant, first, 3)
    stack.deliver(until=lambda: len(stack.receiver.accepted_by(hook["name"])) == 4)

    accepted = [(r.subject, r.seq) for r in stack.receiver.accepted_by(hook["name"])]
    assert [seq for subject, seq in accepted if subject == str(first)] == [1, 2, 3]
    assert accepted.index((str(other), 1)) < accepted.index((str(first), 1))  # not held up
    arrivals = [(r.subject, r.seq) for r in stack.receiver.requests if r.hook == hook["name"]]
    assert arrivals.count((str(first), 1)) == 3 and arrivals.count((str(first), 2)) == 1

    log = {(d["subject_id"], d["attempts"]): d for d in _log(tenant, hook)}
    retried = log[(str(first), 3)]
    assert retried["state"] == "delivered"
    assert [a["status_code"] for a in retried["log"]] == [503, 500, 204]
    assert [a["error"] for a in retried["log"]] == ["HTTP 503", "HTTP 500", None]
    assert retried["log"][0]["response_excerpt"] == "unavailable"


def test_concurrent_workers_keep_every_subject_in_order_through_random_failures(stack):
    tenant = stack.tenant()
    hook = stack.hook(tenant)
    chance = random.Random(7)
    stack.receiver.rules[hook["name"]] = lambda p: 503 if chance.random() < 0.3 else None
    subjects = [uuid.uuid4() for _ in range(3)]
    for seq in range(1, 9):
        for subject in subjects:
            stack.publish(tenant, subject, seq)

    async def run_workers() -> None:
        worker = Worker(stack.loop.sessions, handlers(FAST), concurrency=4, idle_sleep=0.05)
        task = asyncio.create_task(worker.run())
        while len(stack.receiver.accepted_by(hook["name"])) < 24:
            await asyncio.sleep(0.05)
        worker.stop()
        await task

    stack.loop.run(run_workers())
    order: dict[str, list[int]] = defaultdict(list)
    for received in stack.receiver.accepted_by(hook["name"]):
        order[received.subject].append(received.seq)
    assert order == {str(s): list(range(1, 9)) for s in subjects}
    assert sum(r.hook == hook["name"] for r in stack.receiver.requests) > 24  # some were refused


def test_a_delivery_is_given_up_after_its_retry_window_and_the_lane_goes_on(stack):
    tenant = stack.tenant()
    hook = stack.hook(tenant)
    subject = uuid.uuid4()
    stack.receiver.rules[hook["name"]] = lambda p: BIG_BODY_STATUS if p["data"]["seq"] == 1 else None
    stack.publish(tenant, subject, 1)
    stack.publish(tenant, subject, 2)
    brief = DeliveryPolicy(timeout=2, retry_for=timedelta(seconds=2), backoff=FAST.backoff)
    stack.deliver(brief, until=lambda: len(stack.receiver.accepted_by(hook["name"])) == 1)

    [failed] = _log(tenant, hook, state="failed")
    assert failed["attempts"] >= 2 and all(a["status_code"] == BIG_BODY_STATUS for a in failed["log"])
    assert all(len(a["response_excerpt"]) == 2048 for a in failed["log"])  # read no further
    [delivered] = _log(tenant, hook, state="delivered")
    assert stack.receiver.accepted_by(hook["name"])[0].seq == 2
    assert datetime.fromisoformat(delivered["delivered_at"]) > datetime.fromisoformat(failed["log"][-1]["at"])
    assert tenant.client.get(f"/v1/webhooks/{hook['id']}").json()["failing_since"] is None


def test_replaying_one_delivery_and_a_time_range(stack):
    tenant = stack.tenant()
    hook = stack.hook(tenant, event_types=["invoice.state_changed"])
    subject = uuid.uuid4()
    stack.publish(tenant, subject, 1)
    between = datetime.now(UTC)
    stack.publish(tenant, subject, 2)
    stack.publish(tenant, subject, 3, type_="invoice.created")  # not for this webhook
    stack.publish(tenant, uuid.uuid4(), 4)
    stack.deliver()
    first = _log(tenant, hook)[0]
    base = f"/v1/webhooks/{hook['id']}"

    replayed = tenant.client.post(f"{base}/deliveries/{first['id']}/replay")
    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["replay_of"] == first["id"] and replayed.json()["state"] == "pending"
    stack.deliver()
    seen = stack.receiver.accepted_by(hook["name"])
    assert [r.seq for r in seen] == [1, 2, 4, 1]
    assert seen[-1].headers["webhook-id"] == seen[0].headers["webhook-id"]  # the same event

    ranged = tenant.client.post(f"{base}/replay", json={"since": between.isoformat()})
    assert ranged.status_code == 202 and ranged.json() == {"replayed": 2}
    stack.deliver()
    assert [r.seq for r in stack.receiver.accepted_by(hook["name"])][4:] == [2, 4]
    assert len(_log(tenant, hook, state="delivered")) == 6

    stack.publish(tenant, subject, 5)  # pending until the worker runs
    pending = _log(tenant, hook, state="pending")[0]
    conflict = tenant.client.post(f"{base}/deliveries/{pending['id']}/replay")
    assert conflict.status_code == 409 and conflict.headers["content-type"] == "application/problem+json"
    unknown = tenant.client.post(f"{base}/deliveries/{uuid.uuid4()}/replay")
    assert unknown.status_code == 404
    for wrong in (
        {"since": "2026-01-01T00:00:00"},
        {"since": between.isoformat(), "until": "2000-01-01T00:00Z"},
    ):
        assert tenant.client.post(f"{base}/replay", json=wrong).status_code == 422
    stack.deliver()


def test_a_persistently_failing_endpoint_is_disabled_with_a_notice_and_resumes_in_order(stack):
    tenant = stack.tenant()
    hook = stack.hook(tenant)
    watcher = stack.hook(tenant, event_types=["webhook_endpoint.*"])
    stack.receiver.rules[hook["name"]] = lambda p: 500
    subject = uuid.uuid4()
    for seq in (1, 2, 3):
        stack.publish(tenant, subject, seq)
    policy = DeliveryPolicy(timeout=2, disable_after=timedelta(seconds=1), backoff=FAST.backoff)

    def disabled() -> bool:
        return not tenant.client.get(f"/v1/webhooks/{hook['id']}").json()["enabled"]

    stack.deliver(policy, until=disabled)
    stack.deliver(policy)
    state = tenant.client.get(f"/v1/webhooks/{hook['id']}").json()
    assert state["disabled_reason"].startswith("every delivery failed since")
    assert state["disabled_at"] is not None
    audit = tenant.client.get("/v1/audit-log", params={"action": "webhook_endpoint.disabled"}).json()
    assert [e["target_id"] for e in audit["items"]] == [hook["id"]]
    feed = tenant.client.get("/v1/events", params={"type": "webhook_endpoint.*"}).json()["items"]
    assert [(e["subject_id"], e["data"]["webhook_endpoint"]["url"]) for e in feed] == [
        (hook["id"], hook["url"])
    ]
    [notice] = stack.receiver.accepted_by(watcher["name"])
    assert notice.payload["type"] == "webhook_endpoint.disabled" and notice.payload["id"] == feed[0]["id"]

    stack.publish(tenant, subject, 4)  # while disabled: in the feed only
    pending = _log(tenant, hook, state="pending")
    assert len(pending) == 3 and len(_log(tenant, hook)) == 3
    assert (
        tenant.client.post(
            f"/v1/webhooks/{hook['id']}/replay", json={"since": "2020-01-01T00:00Z"}
        ).status_code
        == 409
    )

    stack.receiver.rules.pop(hook["name"])
    enabled = tenant.client.post(f"/v1/webhooks/{hook['id']}/enable")
    assert (
        enabled.status_code == 200 and enabled.json()["enabled"] and enabled.json()["failing_since"] is None
    )
    stack.deliver(policy)
    assert [r.seq for r in stack.receiver.accepted_by(hook["name"])] == [1, 2, 3]
    actions = {e["action"] for e in tenant.client.get("/v1/audit-log").json()["items"]}
    assert {"webhook_endpoint.disabled", "webhook_endpoint.enabled"} <= actions


def test_redirects_are_not_followed_and_slow_receivers_time_out(stack):
    tenant = stack.tenant()
    name = uuid.uuid4().hex[:12]
    created = tenant.client.post("/v1/webhooks", json={"url": f"{stack.receiver.url}/redirect/{name}"}).json()
    stack.receiver.secrets[name] = created["secret"]
    slow = tenant.client.post("/v1/webhooks", json={"url": f"{stack.receiver.url}/slow"}).json()
    stack.publish(tenant, uuid.uuid4())
    stack.deliver(DeliveryPolicy(timeout=0.5, backoff=lambda attempt: timedelta(hours=1)))

    redirected = tenant.client.get(f"/v1/webhooks/{created['id']}/deliveries").json()["items"][0]
    [attempt] = redirected["log"]
    assert attempt["status_code"] == 307 and "not followed" in attempt["error"]
    assert redirected["state"] == "pending" and stack.receiver.accepted_by(name) == []
    timed_out = tenant.client.get(f"/v1/webhooks/{slow['id']}/deliveries").json()["items"][0]
    [attempt] = timed_out["log"]
    assert attempt["status_code"] is None and attempt["error"] == "no answer within 0.5 s"
    assert 400 <= attempt["duration_ms"] < 2000
    for endpoint in (created, slow):  # their retries would otherwise run for days
        assert tenant.client.delete(f"/v1/webhooks/{endpoint['id']}").status_code == 204


def test_publish_rejects_malformed_event_types(stack):
    tenant = stack.tenant()

    async def attempt() -> None:
        async with stack.loop.sessions() as session:
            await publish(
                session,
                company_id=uuid.UUID(tenant.company_id),
                owner_account_id=uuid.UUID(tenant.account_id),
                type="Invoice Created",
                subject_type="invoice",
                subject_id=uuid.uuid4(),
                data={},
            )

    with pytest.raises(ValueError, match="dotted lowercase"):
        stack.loop.run(attempt())


def test_a_multi_tenant_server_refuses_to_deliver_to_its_own_network(stack):
    tenant = stack.tenant()
    hook = stack.hook(tenant)  # the receiver listens on 127.0.0.1
    stack.publish(tenant, uuid.uuid4(), 1)
    guarded = DeliveryPolicy(
        timeout=2, retry_for=timedelta(seconds=0.3), backoff=FAST.backoff, private_networks=False
    )
    stack.deliver(guarded, until=lambda: bool(_log(tenant, hook, state="failed")))
    [failed] = _log(tenant, hook, state="failed")
    assert "non-public address" in failed["log"][0]["error"]
    assert stack.receiver.accepted_by(hook["name"]) == []
