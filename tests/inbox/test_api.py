"""The received-invoices API: detail, filters, pagination, flags, renderings, attachments, tenancy."""

from __future__ import annotations

from datetime import date

from tests.inbox import builders


def test_the_detail_carries_document_metadata_and_payment_terms(hub, make_tenant):
    tenant = make_tenant()
    hub.deliver(builders.invoice(tenant.partita_iva, numero="DETAIL-1"), codice_destinatario="ABC1234")
    [item] = tenant.received(numero="DETAIL-1")

    detail = tenant.key.get(tenant.path(item["id"])).json()
    assert (
        detail["document"]["FatturaElettronicaBody"][0]["DatiGenerali"]["DatiGeneraliDocumento"]["Numero"]
        == "DETAIL-1"
    )
    assert detail["sdi_metadata"]["CodiceDestinatario"] == "ABC1234"
    assert detail["payment_terms"] and detail["payment_terms"][0]["importo"]
    assert detail["warnings"] == [] and detail["outcomes"] == []
    assert detail["outcome_deadline"] is None  # B2B: no outcome


def test_filters_and_cursor_pagination(hub, make_tenant):
    tenant = make_tenant()
    for n, day in ((1, 5), (2, 6), (3, 7)):
        hub.deliver(
            builders.invoice(
                tenant.partita_iva,
                numero=f"F-{n}",
                data=date(2026, 10, day),
                tipo="TD04" if n == 3 else "TD01",
            )
        )
    assert [i["numero"] for i in tenant.received(tipo_documento="TD04")] == ["F-3"]
    assert [i["numero"] for i in tenant.received(date_from="2026-10-06", date_to="2026-10-06")] == ["F-2"]
    assert len(tenant.received(supplier="01234567890")) == 3
    assert len(tenant.received(supplier="IT01234567890")) == 3
    assert tenant.received(supplier="nobody at all") == []
    assert len(tenant.received(signature_status="unsigned")) == 3

    first = tenant.key.get(f"/v1/companies/{tenant.company_id}/received-invoices", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = tenant.key.get(
        f"/v1/companies/{tenant.company_id}/received-invoices",
        params={"limit": 2, "cursor": first["next_cursor"]},
    ).json()
    assert [i["numero"] for i in first["items"] + rest["items"]] == ["F-1", "F-2", "F-3"]
    assert rest["next_cursor"] is None


def test_read_and_downloaded_flags(hub, make_tenant):
    tenant = make_tenant()
    hub.deliver(builders.invoice(tenant.partita_iva, numero="FLAG-1"))
    hub.deliver(builders.invoice(tenant.partita_iva, numero="FLAG-2"))
    one, _ = tenant.received()

    read = tenant.key.post(tenant.path(one["id"], "/read"))
    assert read.status_code == 200 and read.json()["state"] == "read"
    downloaded = tenant.key.post(tenant.path(one["id"], "/downloaded"))
    assert downloaded.json()["downloaded_at"]
    assert [i["numero"] for i in tenant.received(downloaded="false")] == ["FLAG-2"]
    assert [i["numero"] for i in tenant.received(downloaded="true")] == ["FLAG-1"]
    assert [i["numero"] for i in tenant.received(state="read")] == ["FLAG-1"]
    assert [i["numero"] for i in tenant.received(state="new")] == ["FLAG-2"]


def test_renderings_xml_and_attachments(hub, make_tenant):
    tenant = make_tenant()
    hub.deliver(builders.invoice(tenant.partita_iva, numero="RENDER-1", attachment=b"the contract"))
    [item] = tenant.received(numero="RENDER-1")

    for style in ("ministerial", "assosoftware"):
        page = tenant.key.get(tenant.path(item["id"], "/html"), params={"style": style})
        assert page.status_code == 200 and "RENDER-1" in page.text
    xml = tenant.key.get(tenant.path(item["id"], "/xml"))
    assert xml.status_code == 200 and b"RENDER-1" in xml.content
    listed = tenant.key.get(tenant.path(item["id"], "/attachments")).json()
    assert listed == [
        {"number": 1, "name": "contratto.txt", "format": "TXT", "description": None, "size": 12}
    ]
    assert tenant.key.get(tenant.path(item["id"], "/attachments/1")).content == b"the contract"
    assert tenant.key.get(tenant.path(item["id"], "/attachments/2")).status_code == 404


def test_another_account_cannot_see_or_touch_received_invoices(hub, make_tenant):
    tenant, intruder = make_tenant(), make_tenant()
    hub.deliver(builders.invoice(tenant.partita_iva, numero="SECRET-1"))
    [item] = tenant.received(numero="SECRET-1")

    for suffix in ("", "/file", "/xml", "/html", "/attachments"):
        response = intruder.key.get(
            f"/v1/companies/{tenant.company_id}/received-invoices/{item['id']}{suffix}"
        )
        assert response.status_code == 404
        response = intruder.key.get(
            f"/v1/companies/{intruder.company_id}/received-invoices/{item['id']}{suffix}"
        )
        assert response.status_code == 404
    assert (
        intruder.key.post(
            f"/v1/companies/{intruder.company_id}/received-invoices/{item['id']}/read"
        ).status_code
        == 404
    )
    assert intruder.received() == []


def test_a_member_without_the_received_invoices_area_is_forbidden(hub, make_tenant):
    tenant = make_tenant()
    limited = tenant.owner.post(
        "/v1/api-keys",
        json={
            "name": "active only",
            "levels": {
                "active_invoices": "write",
                "received_invoices": "none",
                "reports": "none",
                "settings": "none",
            },
        },
    )
    assert limited.status_code == 201, limited.text
    import httpx

    with httpx.Client(
        base_url=hub.url, headers={"Authorization": f"Bearer {limited.json()['token']}"}
    ) as key:
        assert key.get(f"/v1/companies/{tenant.company_id}/received-invoices").status_code == 403
        assert key.get("/v1/received-invoices/quarantine").status_code == 403
