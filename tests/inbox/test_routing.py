"""Routing of received files: among several companies and accounts, to quarantine, and back."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from tests.inbox import builders

from fatturahub.db.base import utcnow
from fatturahub.invoices.models import Invoice
from fatturahub.tenancy.models import Account


def test_the_codice_destinatario_tells_apart_accounts_holding_the_same_partita_iva(hub, make_tenant):
    first = make_tenant()
    second = make_tenant(vat=first.partita_iva)
    content = builders.invoice(first.partita_iva, numero="SHARED-VAT")

    hub.deliver(content, codice_destinatario=second.codice_destinatario)

    assert [i["numero"] for i in second.received(numero="SHARED-VAT")] == ["SHARED-VAT"]
    assert first.received(numero="SHARED-VAT") == []


def test_routing_picks_the_right_company_among_several_of_an_account(hub, make_tenant):
    tenant = make_tenant()
    other = tenant.owner.post(
        "/v1/companies", json=__import__("tests.service.conftest", fromlist=["company_body"]).company_body()
    )
    assert other.status_code == 201
    hub.deliver(builders.invoice(other.json()["partita_iva"], numero="TO-OTHER"))

    assert tenant.received(numero="TO-OTHER") == []
    listed = tenant.key.get(f"/v1/companies/{other.json()['id']}/received-invoices").json()["items"]
    assert [i["numero"] for i in listed] == ["TO-OTHER"]


def test_an_unclaimed_file_waits_in_the_account_quarantine_and_can_be_routed(hub, make_tenant):
    tenant = make_tenant()
    used_before = _used(hub, tenant.account_id)
    content = builders.invoice("99999999999", numero="NOBODY")
    identificativo, esito = hub.deliver(content, codice_destinatario=tenant.codice_destinatario)

    assert esito == "ER01"
    assert tenant.received(numero="NOBODY") == []
    quarantine = tenant.key.get("/v1/received-invoices/quarantine").json()["items"]
    [held] = [f for f in quarantine if f["identificativo_sdi"] == identificativo]
    assert held["routing"]["rule"].startswith("quarantine: account")
    assert _used(hub, tenant.account_id) > used_before  # charged even while quarantined

    routed = tenant.key.post(
        f"/v1/received-invoices/quarantine/{held['id']}/route", json={"company_id": tenant.company_id}
    )
    assert routed.status_code == 200, routed.text
    assert [i["numero"] for i in tenant.received(numero="NOBODY")] == ["NOBODY"]
    feed = tenant.key.get("/v1/events", params={"limit": 200}).json()["items"]
    assert "received_invoice.created" in {e["type"] for e in feed}


def test_routing_from_quarantine_needs_write_access_to_the_company(hub, make_tenant):
    tenant, stranger = make_tenant(), make_tenant()
    identificativo, _ = hub.deliver(
        builders.invoice("99999999999", numero="NOBODY2"), codice_destinatario=tenant.codice_destinatario
    )
    [held] = [
        f
        for f in tenant.key.get("/v1/received-invoices/quarantine").json()["items"]
        if f["identificativo_sdi"] == identificativo
    ]
    refused = tenant.key.post(
        f"/v1/received-invoices/quarantine/{held['id']}/route", json={"company_id": stranger.company_id}
    )
    assert refused.status_code == 404
    assert (
        stranger.key.post(
            f"/v1/received-invoices/quarantine/{held['id']}/route", json={"company_id": stranger.company_id}
        ).status_code
        == 404
    )
    assert held["id"] not in {
        f["id"] for f in stranger.key.get("/v1/received-invoices/quarantine").json()["items"]
    }


def test_an_ambiguous_or_unknown_file_goes_to_the_operator_quarantine(hub, make_tenant):
    first = make_tenant()
    second = make_tenant(vat=first.partita_iva)
    identificativo, esito = hub.deliver(builders.invoice(first.partita_iva, numero="AMBIGUOUS"))

    assert esito == "ER01"
    assert first.received(numero="AMBIGUOUS") == second.received(numero="AMBIGUOUS") == []
    held = [
        f
        for f in hub.operator.get("/v1/operator/quarantine", params={"limit": 200}).json()["items"]
        if f["identificativo_sdi"] == identificativo
    ]
    assert held and held[0]["account_id"] is None
    routed = hub.operator.post(
        f"/v1/operator/quarantine/{held[0]['id']}/route", json={"company_id": second.company_id}
    )
    assert routed.status_code == 200, routed.text
    assert [i["numero"] for i in second.received(numero="AMBIGUOUS")] == ["AMBIGUOUS"]


def test_an_unparseable_file_is_kept_unreadable_in_quarantine(hub, make_tenant):
    tenant = make_tenant()
    identificativo, esito = hub.deliver(
        b"\x00\x01 definitely not an invoice", codice_destinatario=tenant.codice_destinatario
    )

    assert esito == "ER01"
    [held] = [
        f
        for f in tenant.key.get("/v1/received-invoices/quarantine").json()["items"]
        if f["identificativo_sdi"] == identificativo
    ]
    assert held["readable"] is False and held["problem"]
    tenant.key.post(
        f"/v1/received-invoices/quarantine/{held['id']}/route", json={"company_id": tenant.company_id}
    )
    [item] = tenant.received(readable=False)
    assert item["identificativo_sdi"] == identificativo
    assert tenant.key.get(tenant.path(item["id"], "/file")).content == b"\x00\x01 definitely not an invoice"
    assert tenant.key.get(tenant.path(item["id"], "/html")).status_code == 409


def test_a_duplicate_is_flagged_not_merged(hub, make_tenant):
    tenant = make_tenant()
    content = builders.invoice(tenant.partita_iva, numero="DUP-1", data=date(2026, 11, 2))
    hub.deliver(content)
    hub.deliver(content)

    first, second = tenant.received(numero="DUP-1")
    assert first["duplicate_of"] is None
    assert second["duplicate_of"] == first["id"]


def test_vat_group_members_are_distinct_suppliers(hub, make_tenant):
    tenant = make_tenant()
    for cf in ("RSSMRA80A01H501U", "VRDGPP80A01H501X"):
        hub.deliver(
            builders.invoice(tenant.partita_iva, numero="GROUP-1", supplier_cf=cf, data=date(2026, 11, 3))
        )
    items = tenant.received(numero="GROUP-1")
    assert {i["supplier"]["codice_fiscale"] for i in items} == {"RSSMRA80A01H501U", "VRDGPP80A01H501X"}
    assert all(i["duplicate_of"] is None for i in items)


def test_our_own_self_invoice_is_linked_to_the_invoice_we_sent(hub, make_tenant):
    tenant = make_tenant()
    identificativo = builders.identificativo()
    sent_id = hub.db(lambda session: _sent_invoice(session, tenant, identificativo))

    hub.deliver(
        builders.invoice(tenant.partita_iva, numero="AUTO-1", tipo="TD17"), identificativo=identificativo
    )

    [item] = tenant.received(numero="AUTO-1")
    assert item["self_invoice_of"] == str(sent_id)


async def _sent_invoice(session, tenant, identificativo):
    import uuid

    invoice = Invoice(
        account_id=uuid.UUID(tenant.account_id),
        company_id=uuid.UUID(tenant.company_id),
        state="delivered",
        format="FPR12",
        tipo_documento="TD17",
        numero="AUTO-1",
        data=date(2026, 11, 1),
        customer_id="IT" + tenant.partita_iva,
        customer_name="ACME SRL",
        document=b"<x/>",
        origin="json",
        identificativo_sdi=identificativo,
        sdi_received_at=utcnow(),
    )
    session.add(invoice)
    await session.flush()
    return invoice.id


def _used(hub, account_id: str) -> int:
    import uuid

    async def read(session):
        return await session.scalar(
            select(Account.storage_used_bytes).where(Account.id == uuid.UUID(account_id))
        )

    return hub.db(read)
