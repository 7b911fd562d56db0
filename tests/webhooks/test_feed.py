"""The events feed: append-only, oldest first, resumable, the caller's account only, scoped to the
companies the caller sees, delegates included from their delegation on."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, update
from tests.service.conftest import company_body, with_key

from fatturahub.webhooks.models import Event, EventRecipient


def _feed(client, **params) -> dict:
    response = client.get("/v1/events", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_pages_oldest_first_and_polling_resumes_where_it_stopped(stack):
    tenant, other = stack.tenant(), stack.tenant()
    subject = uuid.uuid4()
    published = [stack.publish(tenant, subject, seq, type_="invoice.created") for seq in range(3)]
    published += [stack.publish(tenant, uuid.uuid4(), seq) for seq in (3, 4)]
    stack.publish(other, uuid.uuid4())

    pages, cursor = [], None
    while True:
        page = _feed(tenant.client, limit=2, **({"cursor": cursor} if cursor else {}))
        pages.append([e["id"] for e in page["items"]])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert pages == [[str(e.id) for e in published[i : i + 2]] for i in (0, 2, 4)]
    first = _feed(tenant.client, limit=1)["items"][0]
    assert first["type"] == "invoice.created" and first["subject_id"] == str(subject)
    assert first["company_id"] == tenant.company_id and first["data"] == {"subject": str(subject), "seq": 0}

    idle = _feed(tenant.client, cursor=cursor)
    assert idle == {"items": [], "next_cursor": cursor, "has_more": False}
    later = stack.publish(tenant, subject, 5)
    assert [e["id"] for e in _feed(tenant.client, cursor=cursor)["items"]] == [str(later.id)]

    assert len(_feed(tenant.client, type="invoice.created")["items"]) == 3
    assert len(_feed(tenant.client, type="invoice.*")["items"]) == 6
    assert [e["id"] for e in _feed(other.client)["items"]] != []
    assert not {e["id"] for e in _feed(other.client)["items"]} & {str(e.id) for e in published}


def test_filters_are_validated_and_scoped_to_visible_companies(stack):
    tenant, other = stack.tenant(), stack.tenant()
    second = tenant.client.post("/v1/companies", json=company_body(denominazione="SECOND SRL")).json()["id"]
    stack.publish(tenant, uuid.uuid4(), 1)
    stack.publish(tenant, uuid.uuid4(), 2, company_id=second)

    assert [e["data"]["seq"] for e in _feed(tenant.client, company_id=second)["items"]] == [2]
    foreign = tenant.client.get("/v1/events", params={"company_id": other.company_id})
    assert foreign.status_code == 404 and foreign.headers["content-type"] == "application/problem+json"
    for params in ({"type": "Invoice"}, {"cursor": "nope"}, {"limit": 0}, {"company_id": "x"}):
        assert tenant.client.get("/v1/events", params=params).status_code == 422, params

    key = tenant.client.post("/v1/api-keys", json={"name": "one company", "company_ids": [second]}).json()
    limited = with_key(stack.base_url, key["token"])
    assert [e["data"]["seq"] for e in _feed(limited)["items"]] == [2]
    assert limited.get("/v1/events", params={"company_id": tenant.company_id}).status_code == 404


def test_delegates_receive_events_from_their_delegation_on(stack):
    owner, firm = stack.tenant("Client"), stack.tenant("Accounting firm")
    before = stack.publish(owner, uuid.uuid4(), 1)
    delegation = owner.client.post(
        "/v1/delegations",
        json={
            "company_id": owner.company_id,
            "grantee_account_id": firm.account_id,
            "levels": {"active_invoices": "read"},
        },
    )
    assert delegation.status_code == 201, delegation.text
    hook = stack.hook(firm, event_types=["invoice.*"])
    during = stack.publish(owner, uuid.uuid4(), 2)
    stack.deliver()

    seen = [e["id"] for e in _feed(firm.client, company_id=owner.company_id)["items"]]
    assert seen == [str(during.id)] and str(before.id) not in seen
    assert [r.payload["id"] for r in stack.receiver.accepted_by(hook["name"])] == [str(during.id)]
    assert {str(before.id), str(during.id)} <= {e["id"] for e in _feed(owner.client)["items"]}

    owner.client.post(f"/v1/delegations/{delegation.json()['id']}/revoke")
    stack.publish(owner, uuid.uuid4(), 3)
    stack.deliver()
    assert _feed(firm.client)["items"] == []  # the company is no longer visible to the firm
    assert len(stack.receiver.accepted_by(hook["name"])) == 1


def test_the_database_refuses_to_change_the_feed(stack):
    tenant = stack.tenant()
    event = stack.publish(tenant, uuid.uuid4())

    async def tamper(statement) -> None:
        async with stack.loop.sessions() as session:
            await session.execute(statement)
            await session.commit()

    for statement in (
        update(Event).where(Event.id == event.id).values(type="invoice.forged"),
        delete(EventRecipient).where(EventRecipient.event_id == event.id),
    ):
        with pytest.raises(Exception, match="append-only"):
            stack.loop.run(tamper(statement))
    assert _feed(tenant.client)["items"][0]["type"] == "invoice.state_changed"
