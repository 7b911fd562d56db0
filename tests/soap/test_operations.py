"""Every operation through zeep, built from the committed WSDL, against a real server; the answers
are the REST API's for the same data, and validate against the WSDL's own schema."""

from __future__ import annotations

import base64
import json
import os
import time
from datetime import date
from decimal import Decimal

from tests.soap.conftest import assert_valid
from tests.support.samples import OFFICIAL

FOUR_MB = 3 * 1024 * 1024  # base64 in Allegati makes the file ~4 MB


def _same_invoice(soap_invoice, rest: dict) -> None:
    assert soap_invoice.Id == rest["id"] and soap_invoice.CompanyId == rest["company_id"]
    assert soap_invoice.State == rest["state"] and soap_invoice.Numero == rest["numero"]
    assert soap_invoice.Data == date.fromisoformat(rest["data"])
    assert soap_invoice.Total == (Decimal(rest["total"]) if rest["total"] is not None else None)
    assert (soap_invoice.Format, soap_invoice.TipoDocumento) == (rest["format"], rest["tipo_documento"])
    assert (soap_invoice.CustomerId, soap_invoice.CustomerName) == (
        rest["customer_id"],
        rest["customer_name"],
    )
    assert soap_invoice.FileName == rest["file_name"]
    assert soap_invoice.IdentificativoSdi == rest["identificativo_sdi"]
    assert soap_invoice.CreatedAt.isoformat().replace("+00:00", "Z")[:19] == rest["created_at"][:19]


def _wait_for(tenant, invoice_id: str, state: str) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        current = tenant.rest.get(f"{tenant.rest_invoices()}/{invoice_id}").json()
        if current["state"] == state:
            return current
        time.sleep(0.1)
    raise AssertionError(f"invoice stayed {current['state']}, expected {state}")


def test_send_invoice_as_draft_then_read_it_every_way(tenant):
    soap = tenant.soap()
    sent = soap.service.SendInvoice(CompanyId=tenant.company_id, File=tenant.invoice_xml("D-1"), Send=False)
    assert_valid(soap.last_body())
    rest = tenant.rest.get(f"{tenant.rest_invoices()}/{sent.Id}").json()
    assert sent.State == "draft" and sent.Numero == "D-1"
    _same_invoice(sent, rest)

    by_id = soap.service.GetInvoice(CompanyId=tenant.company_id, InvoiceId=sent.Id)
    assert_valid(soap.last_body())
    _same_invoice(by_id.Invoice, rest)
    by_number = soap.service.GetInvoice(CompanyId=tenant.company_id, Numero="D-1", Data=by_id.Invoice.Data)
    assert by_number.Invoice.Id == sent.Id


def test_sent_invoice_its_notifications_and_their_files_match_rest(tenant):
    soap = tenant.soap(auth="basic")
    sent = soap.service.SendInvoice(CompanyId=tenant.company_id, File=tenant.invoice_xml("S-1"))
    assert sent.State in ("queued", "sending", "sent", "delivered") and sent.FileName
    rest = _wait_for(tenant, sent.Id, "delivered")

    by_file = soap.service.GetInvoice(CompanyId=tenant.company_id, FileName=sent.FileName)
    assert_valid(soap.last_body())
    _same_invoice(by_file.Invoice, rest)
    [rc] = by_file.Notifications.Notification
    assert (rc.Id, rc.Type, rc.Applied) == (rest["notifications"][0]["id"], "RC", True)
    assert json.loads(rc.Summary) == rest["notifications"][0]["summary"]

    listed = soap.service.ListInvoiceNotifications(CompanyId=tenant.company_id, InvoiceId=sent.Id)
    assert_valid(soap.last_body())
    assert [
        n.Id for n in listed
    ]  # zeep unwraps a response of one element == [n["id"] for n in rest["notifications"]]

    file = soap.service.GetNotificationFile(
        CompanyId=tenant.company_id, InvoiceId=sent.Id, NotificationId=rc.Id
    )
    assert_valid(soap.last_body())
    raw = tenant.rest.get(f"{tenant.rest_invoices()}/{sent.Id}/notifications/{rc.Id}/file")
    assert file.Content == raw.content and file.FileName == rc.FileName


def test_list_invoices_filters_and_pages_like_rest(make_tenant):
    tenant = make_tenant()
    soap = tenant.soap()
    for n in range(3):
        soap.service.SendInvoice(CompanyId=tenant.company_id, File=tenant.invoice_xml(f"L-{n}"), Send=False)
    rest_all = tenant.rest.get(tenant.rest_invoices(), params={"limit": 200}).json()["items"]

    page = soap.service.ListInvoices(CompanyId=tenant.company_id, Limit=2)
    assert_valid(soap.last_body())
    rest_page = tenant.rest.get(tenant.rest_invoices(), params={"limit": 2}).json()
    assert [i.Id for i in page.Items.Invoice] == [i["id"] for i in rest_page["items"]]
    assert page.NextCursor == rest_page["next_cursor"]
    rest_next = tenant.rest.get(
        tenant.rest_invoices(), params={"limit": 2, "cursor": rest_page["next_cursor"]}
    )
    following = soap.service.ListInvoices(CompanyId=tenant.company_id, Limit=2, Cursor=page.NextCursor)
    assert [i.Id for i in following.Items.Invoice] == [i["id"] for i in rest_next.json()["items"]]
    assert [i.Id for i in page.Items.Invoice + following.Items.Invoice] == [i["id"] for i in rest_all]

    filtered = soap.service.ListInvoices(CompanyId=tenant.company_id, Numero="L-1", State="draft")
    assert [i.Numero for i in filtered.Items.Invoice] == ["L-1"]
    assert filtered.NextCursor is None
    everything = soap.service.ListInvoices(CompanyId=tenant.company_id)
    for soap_invoice, rest in zip(everything.Items.Invoice, rest_all, strict=True):
        _same_invoice(soap_invoice, rest)


def test_validate_invoice_reports_sdi_codes_like_rest(tenant):
    soap = tenant.soap()
    sample = (OFFICIAL / "v1.2" / "IT01234567890_FPR01.xml").read_bytes()
    report = soap.service.ValidateInvoice(File=sample)
    assert_valid(soap.last_body())
    rest = tenant.rest.post(
        "/v1/validate", content=sample, headers={"content-type": "application/xml"}
    ).json()
    assert report.Valid is False and rest["valid"] is False
    assert [(e.Code, e.Path, e.Message) for e in report.Errors.Error] == [
        (e["code"], e["path"], e["message"]) for e in rest["errors"]
    ]
    clean = soap.service.ValidateInvoice(File=tenant.invoice_xml("V-1"))
    assert_valid(soap.last_body())  # an empty <Errors/>, which zeep reads as None
    assert clean.Valid is True and clean.Errors is None


def test_a_four_megabyte_invoice_goes_through(tenant):
    soap = tenant.soap()
    big = tenant.invoice_xml("BIG-1", attachment=os.urandom(FOUR_MB))
    assert len(big) > 4_000_000
    sent = soap.service.SendInvoice(CompanyId=tenant.company_id, File=big, Send=False)
    stored = tenant.rest.get(f"{tenant.rest_invoices()}/{sent.Id}/file").content
    assert len(stored) >= len(big) - 100 and sent.Numero == "BIG-1"


def test_list_events_follows_the_feed_like_rest(make_tenant):
    tenant = make_tenant()
    soap = tenant.soap()
    soap.service.SendInvoice(CompanyId=tenant.company_id, File=tenant.invoice_xml("E-1"), Send=False)
    feed = soap.service.ListEvents(Limit=1)
    assert_valid(soap.last_body())
    rest = tenant.rest.get("/v1/events", params={"limit": 1}).json()
    assert [e.Id for e in feed.Items.Event] == [e["id"] for e in rest["items"]]
    assert feed.NextCursor == rest["next_cursor"] and feed.HasMore == rest["has_more"]
    assert json.loads(feed.Items.Event[0].Data) == rest["items"][0]["data"]
    more = soap.service.ListEvents(Type="invoice.*", Cursor=feed.NextCursor, CompanyId=tenant.company_id)
    rest_more = tenant.rest.get(
        "/v1/events",
        params={"type": "invoice.*", "cursor": rest["next_cursor"], "company_id": tenant.company_id},
    ).json()
    assert [e.Id for e in more.Items.Event] == [e["id"] for e in rest_more["items"]]
    assert all(e.Type.startswith("invoice.") for e in more.Items.Event)


def test_base64_files_are_taken_like_rest(tenant):
    soap = tenant.soap()
    sent = soap.service.SendInvoice(
        CompanyId=tenant.company_id, File=base64.b64encode(tenant.invoice_xml("B64-1")), Send=False
    )
    assert sent.Numero == "B64-1"
