"""Every failure is a SOAP fault with a stable faultcode, and REST's content in its detail."""

from __future__ import annotations

import uuid

import httpx
import pytest
from lxml import etree
from tests.service.conftest import company_body
from tests.soap.conftest import BINDING, NS, SOAP_ENV, WSDL, assert_valid, soap_client
from zeep import Client
from zeep.exceptions import Fault
from zeep.wsse.username import UsernameToken

from fatturahub.api.soap.server import MAX_ENVELOPE


def _fault(call, *args, **kwargs) -> Fault:
    with pytest.raises(Fault) as raised:
        call(*args, **kwargs)
    return raised.value


def _code(fault: Fault) -> str:
    return fault.code.split(":")[-1]


def _detail_codes(fault: Fault) -> list[str]:
    [detail] = fault.detail
    assert_valid(detail)  # the detail is the WSDL's ServiceFault
    return [code.text for code in detail.iter(f"{{{NS}}}Code")]


def _envelope(body: str) -> bytes:
    return f'<e:Envelope xmlns:e="{SOAP_ENV}"><e:Body>{body}</e:Body></e:Envelope>'.encode()


def test_no_wrong_or_digest_credentials_are_authentication_faults(tenant):
    anonymous = soap_client(tenant.url, tenant.token, auth="none")
    fault = _fault(anonymous.service.ValidateInvoice, File=b"x")
    assert _code(fault) == "Client.Authentication"
    wrong = soap_client(tenant.url, tenant.token[:-4] + "AAAA")
    assert _code(_fault(wrong.service.ListEvents)) == "Client.Authentication"
    wrong_basic = soap_client(tenant.url, "fh_000000000000_nope", auth="basic")
    assert _code(_fault(wrong_basic.service.ListEvents)) == "Client.Authentication"


def test_password_digest_is_refused_with_a_clear_message(tenant):
    client = Client(str(WSDL), wsse=UsernameToken("erp", tenant.token, use_digest=True))
    service = client.create_service(BINDING, f"{tenant.url}/soap/v1")
    fault = _fault(service.ListEvents)
    assert _code(fault) == "Client.Authentication" and "PasswordText" in fault.message


def test_a_key_limited_to_another_company_sees_nothing_of_this_one(tenant):
    other = tenant.owner.post("/v1/companies", json=company_body()).json()
    token = tenant.owner.post("/v1/api-keys", json={"name": "other", "company_ids": [other["id"]]}).json()[
        "token"
    ]
    limited = soap_client(tenant.url, token, auth="basic")
    fault = _fault(limited.service.SendInvoice, CompanyId=tenant.company_id, File=tenant.invoice_xml("X-1"))
    assert _code(fault) == "Client.NotFound"  # as REST: a company you may not see does not exist
    rest = httpx.get(f"{tenant.url}{tenant.rest_invoices()}", headers={"Authorization": f"Bearer {token}"})
    assert rest.status_code == 404


def test_a_read_only_key_may_read_but_not_send(tenant):
    token = tenant.owner.post(
        "/v1/api-keys", json={"name": "reader", "levels": {"active_invoices": "read"}}
    ).json()["token"]
    reader = soap_client(tenant.url, token)
    fault = _fault(reader.service.SendInvoice, CompanyId=tenant.company_id, File=tenant.invoice_xml("R-1"))
    assert _code(fault) == "Client.Forbidden" and _detail_codes(fault) == []
    assert reader.service.ListInvoices(CompanyId=tenant.company_id, Limit=1).Items is not None


def test_unknown_invoice_and_notification_are_not_found(tenant):
    soap = tenant.soap()
    missing = str(uuid.uuid4())
    assert _code(_fault(soap.service.GetInvoice, CompanyId=tenant.company_id, InvoiceId=missing)) == (
        "Client.NotFound"
    )
    assert _code(_fault(soap.service.GetInvoice, CompanyId=tenant.company_id, FileName="IT0_x.xml")) == (
        "Client.NotFound"
    )
    assert _code(_fault(soap.service.GetInvoice, CompanyId=missing, InvoiceId=missing)) == "Client.NotFound"
    which = _fault(soap.service.GetInvoice, CompanyId=tenant.company_id)
    assert _code(which) == "Client.Invalid"


def test_idempotency_key_replays_the_same_invoice_and_refuses_another_body(tenant):
    soap = tenant.soap()
    key = "order-" + uuid.uuid4().hex
    xml = tenant.invoice_xml("I-1")
    first = soap.service.SendInvoice(CompanyId=tenant.company_id, File=xml, Send=False, IdempotencyKey=key)
    again = soap.service.SendInvoice(CompanyId=tenant.company_id, File=xml, Send=False, IdempotencyKey=key)
    assert_valid(soap.last_body())
    assert again.Id == first.Id and again.CreatedAt == first.CreatedAt
    listed = tenant.rest.get(tenant.rest_invoices(), params={"numero": "I-1"}).json()["items"]
    assert [i["id"] for i in listed] == [first.Id]
    other = _fault(
        soap.service.SendInvoice,
        CompanyId=tenant.company_id,
        File=tenant.invoice_xml("I-2"),
        Send=False,
        IdempotencyKey=key,
    )
    assert _code(other) == "Client.Conflict"


def test_a_fault_frees_the_idempotency_key_for_the_corrected_retry(tenant):
    soap = tenant.soap()
    key = "retry-" + uuid.uuid4().hex
    fixed = tenant.invoice_xml("F-1")
    wrong = fixed.replace(b"<PrezzoTotale>200.00</PrezzoTotale>", b"<PrezzoTotale>250.00</PrezzoTotale>")
    _fault(soap.service.SendInvoice, CompanyId=tenant.company_id, File=wrong, Send=False, IdempotencyKey=key)
    sent = soap.service.SendInvoice(CompanyId=tenant.company_id, File=fixed, Send=False, IdempotencyKey=key)
    assert sent.Numero == "F-1"


def test_an_invoice_sdi_would_reject_gets_sdi_codes_like_rest(tenant):
    soap = tenant.soap()
    wrong = tenant.invoice_xml("W-1").replace(
        b"<PrezzoTotale>200.00</PrezzoTotale>", b"<PrezzoTotale>250.00</PrezzoTotale>"
    )
    fault = _fault(soap.service.SendInvoice, CompanyId=tenant.company_id, File=wrong)
    rest = tenant.rest.post(
        tenant.rest_invoices(), content=wrong, headers={"content-type": "application/xml"}
    )
    assert rest.status_code == 422
    assert _code(fault) == "Client.Invalid"
    assert _detail_codes(fault) == [e["code"] for e in rest.json()["errors"]] and "00423" in _detail_codes(
        fault
    )
    unreadable = _fault(soap.service.SendInvoice, CompanyId=tenant.company_id, File=b"<not-xml")
    assert _code(unreadable) == "Client.Invalid" and _detail_codes(unreadable) == ["00200"]


@pytest.mark.parametrize(
    "body",
    [
        b"<not-xml",
        b"<x/>",
        _envelope(f'<f:Nope xmlns:f="{NS}"/>'),
        _envelope(f'<f:GetInvoice xmlns:f="{NS}"/>'),
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
    ],
    ids=["not-xml", "not-soap", "unknown-operation", "not-in-schema", "dtd"],
)
def test_malformed_envelopes_get_a_fault_never_an_html_page(tenant, body):
    response = httpx.post(f"{tenant.url}/soap/v1", content=body, headers={"content-type": "text/xml"})
    assert response.status_code == 500 and response.headers["content-type"].startswith("text/xml")
    fault = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault.findtext("faultcode").endswith(":Client.BadRequest")


def test_an_envelope_past_the_bound_is_refused_before_it_is_read(tenant):
    response = httpx.post(
        f"{tenant.url}/soap/v1", content=b" " * (MAX_ENVELOPE + 1), headers={"content-type": "text/xml"}
    )
    fault = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault.findtext("faultcode").endswith(":Client.Invalid") and "00003" in response.text
