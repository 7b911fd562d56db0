"""The passive cycle over SOAP: files SDI delivered (RiceviFatture on /sdi/RicezioneFatture) read,
listed, marked and answered through zeep, built from the committed WSDL, against a real server.
Every answer is REST's for the same data, and validates against the WSDL's own schema."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from lxml import etree
from tests.inbox import builders
from tests.soap.conftest import NS, SOAP_ENV, assert_valid, metadata_file_name, soap_client
from tests.support.cms import p7m
from zeep.exceptions import Fault


def _at(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")[:19]


def _rest_at(value: str | None) -> str | None:
    return None if value is None else value[:19]


def _items(page: Any) -> list:
    return list(page.Items.ReceivedInvoice) if page.Items is not None else []  # <Items/>: None in zeep


def _texts(texts: Any) -> list[str]:
    return list(texts.string) if texts is not None else []


def _same_received(soap: Any, rest: dict) -> None:
    assert (soap.Id, soap.CompanyId, soap.FileId) == (rest["id"], rest["company_id"], rest["file_id"])
    assert (soap.IdentificativoSdi, soap.Source, soap.FileName, soap.Position) == (
        rest["identificativo_sdi"],
        rest["source"],
        rest["file_name"],
        rest["position"],
    )
    assert (soap.State, soap.Readable, soap.Format) == (rest["state"], rest["readable"], rest["format"])
    assert (soap.TipoDocumento, soap.Numero, soap.Divisa) == (
        rest["tipo_documento"],
        rest["numero"],
        rest["divisa"],
    )
    assert soap.Data == (date.fromisoformat(rest["data"]) if rest["data"] else None)
    assert soap.Total == (Decimal(rest["total"]) if rest["total"] is not None else None)
    supplier = rest["supplier"]
    assert (soap.Supplier.PartitaIva, soap.Supplier.CodiceFiscale, soap.Supplier.Name) == (
        supplier["partita_iva"],
        supplier["codice_fiscale"],
        supplier["name"],
    )
    assert soap.SignatureStatus == rest["signature_status"]
    assert (soap.DuplicateOf, soap.SelfInvoiceOf) == (rest["duplicate_of"], rest["self_invoice_of"])
    assert _at(soap.ReceivedAt) == _rest_at(rest["received_at"])
    assert _at(soap.ReadAt) == _rest_at(rest["read_at"])
    assert _at(soap.DownloadedAt) == _rest_at(rest["downloaded_at"])


def _same_outcome(soap: Any, rest: dict) -> None:
    assert (soap.Id, soap.Esito, soap.Descrizione, soap.FileName) == (
        rest["id"],
        rest["esito"],
        rest["descrizione"],
        rest["file_name"],
    )
    assert _at(soap.CreatedAt) == _rest_at(rest["created_at"])


def _fault(call, *args, **kwargs) -> Fault:
    with pytest.raises(Fault) as raised:
        call(*args, **kwargs)
    return raised.value


def _code(fault: Fault) -> str:
    return fault.code.split(":")[-1]


def _key(tenant, levels: dict[str, str]) -> str:
    made = tenant.owner.post("/v1/api-keys", json={"name": "limited", "levels": levels})
    assert made.status_code == 201, made.text
    return made.json()["token"]


# --- ListReceivedInvoices ------------------------------------------------------------------------
def test_list_received_invoices_filters_and_pages_like_rest(make_tenant):
    tenant = make_tenant()
    for n, day in ((1, 5), (2, 6), (3, 7)):
        tenant.receive(numero=f"F-{n}", data=date(2026, 10, day), tipo="TD04" if n == 3 else "TD01")
    soap = tenant.soap()
    rest_all = tenant.rest.get(tenant.rest_received(), params={"limit": 200}).json()["items"]
    assert len(rest_all) == 3

    page = soap.service.ListReceivedInvoices(CompanyId=tenant.company_id, Limit=2)
    assert_valid(soap.last_body())
    rest_page = tenant.rest.get(tenant.rest_received(), params={"limit": 2}).json()
    assert [i.Id for i in _items(page)] == [i["id"] for i in rest_page["items"]]
    assert page.NextCursor == rest_page["next_cursor"] and page.NextCursor
    following = soap.service.ListReceivedInvoices(
        CompanyId=tenant.company_id, Limit=2, Cursor=page.NextCursor
    )
    assert_valid(soap.last_body())
    assert following.NextCursor is None
    for soap_item, rest in zip(_items(page) + _items(following), rest_all, strict=True):
        _same_received(soap_item, rest)

    def both(soap_filters: dict, rest_filters: dict) -> list[str]:
        soap_ids = [
            i.Id
            for i in _items(soap.service.ListReceivedInvoices(CompanyId=tenant.company_id, **soap_filters))
        ]
        assert_valid(soap.last_body())
        assert soap_ids == [
            i["id"] for i in tenant.rest.get(tenant.rest_received(), params=rest_filters).json()["items"]
        ]
        return [next(r["numero"] for r in rest_all if r["id"] == i) for i in soap_ids]

    assert both({"TipoDocumento": "TD04"}, {"tipo_documento": "TD04"}) == ["F-3"]
    assert both(
        {"DateFrom": date(2026, 10, 6), "DateTo": date(2026, 10, 6)},
        {"date_from": "2026-10-06", "date_to": "2026-10-06"},
    ) == ["F-2"]
    assert both({"Supplier": "IT01234567890"}, {"supplier": "IT01234567890"}) == ["F-1", "F-2", "F-3"]
    assert both({"Supplier": "nobody at all"}, {"supplier": "nobody at all"}) == []
    assert both(
        {"SignatureStatus": "unsigned", "State": "new"}, {"signature_status": "unsigned", "state": "new"}
    )
    assert both({"Numero": "F-2", "Readable": True}, {"numero": "F-2", "readable": "true"}) == ["F-2"]
    # the samples carry no ImportoTotaleDocumento: an amount filter excludes them in both APIs
    assert both({"AmountMin": Decimal("0.01")}, {"amount_min": "0.01"}) == []
    assert both({"AmountMax": Decimal("1000000")}, {"amount_max": "1000000"}) == []


# --- GetReceivedInvoice --------------------------------------------------------------------------
def test_get_received_invoice_carries_xml_metadata_and_payment_terms_like_rest(tenant):
    item = tenant.receive(numero="DETAIL-1", attachment=b"the contract")
    soap = tenant.soap()

    detail = soap.service.GetReceivedInvoice(CompanyId=tenant.company_id, InvoiceId=item["id"])
    assert_valid(soap.last_body())
    rest = tenant.rest.get(tenant.rest_received(item["id"])).json()
    _same_received(detail.Invoice, rest)
    assert detail.Xml == tenant.rest.get(tenant.rest_received(item["id"], "/xml")).content
    assert b"DETAIL-1" in detail.Xml
    assert detail.OriginalFile is None  # only on request
    assert json.loads(detail.Document) == rest["document"]
    assert json.loads(detail.SdiMetadata) == rest["sdi_metadata"]
    assert detail.MetadataFileName == rest["metadata_file_name"] == metadata_file_name(item["file_name"])
    assert detail.MetadataFile == builders.metadata(item["identificativo_sdi"], item["file_name"])
    assert detail.Signature is None and rest["signature"] is None
    assert detail.Warnings is None and rest["warnings"] == []
    assert _texts(detail.Repairs) == rest["repairs"] and _texts(detail.Envelopes) == rest["envelopes"]
    assert detail.Problem == rest["problem"]
    terms = detail.PaymentTerms.PaymentTerm
    assert len(terms) == len(rest["payment_terms"]) >= 1
    for soap_term, rest_term in zip(terms, rest["payment_terms"], strict=True):
        assert soap_term.Importo == Decimal(rest_term["importo"])
        assert (soap_term.Modalita, soap_term.Condizioni, soap_term.Iban) == (
            rest_term["modalita"],
            rest_term["condizioni"],
            rest_term["iban"],
        )
        assert soap_term.Scadenza == (
            date.fromisoformat(rest_term["scadenza"]) if rest_term["scadenza"] else None
        )
    assert detail.OutcomeDeadline is None and rest["outcome_deadline"] is None  # B2B
    assert detail.Outcomes is None and rest["outcomes"] == []

    with_original = soap.service.GetReceivedInvoice(
        CompanyId=tenant.company_id, InvoiceId=item["id"], IncludeOriginal=True
    )
    assert_valid(soap.last_body())
    assert with_original.OriginalFile == tenant.rest.get(tenant.rest_received(item["id"], "/file")).content


def test_a_signed_pa_invoice_carries_its_signature_report_and_deadline_like_rest(tenant):
    signed = p7m(builders.invoice(tenant.partita_iva, sample="FPA01", numero="SIGNED-PA"))
    item = tenant.receive(signed, name=builders.file_name(".xml.p7m"))
    soap = tenant.soap(auth="basic")

    detail = soap.service.GetReceivedInvoice(
        CompanyId=tenant.company_id, InvoiceId=item["id"], IncludeOriginal=True
    )
    assert_valid(soap.last_body())
    rest = tenant.rest.get(tenant.rest_received(item["id"])).json()
    _same_received(detail.Invoice, rest)
    assert detail.Invoice.SignatureStatus in ("valid", "invalid")  # a self-signed throwaway certificate
    assert json.loads(detail.Signature) == rest["signature"] and rest["signature"]["format"].startswith(
        "CAdES"
    )
    assert "cades" in _texts(detail.Envelopes) and _texts(detail.Envelopes) == rest["envelopes"]
    assert detail.OriginalFile == signed
    assert b"SIGNED-PA" in detail.Xml and not detail.Xml.startswith(b"0")
    assert _at(detail.OutcomeDeadline) == _rest_at(rest["outcome_deadline"]) is not None


# --- MarkReceivedInvoiceRead, MarkReceivedInvoiceDownloaded --------------------------------------
def test_read_and_downloaded_flags_like_rest(make_tenant):
    tenant = make_tenant()
    one = tenant.receive(numero="FLAG-1")
    tenant.receive(numero="FLAG-2")
    soap = tenant.soap()

    read = soap.service.MarkReceivedInvoiceRead(CompanyId=tenant.company_id, InvoiceId=one["id"])
    assert_valid(soap.last_body())
    assert read.State == "read" and read.ReadAt is not None and read.DownloadedAt is None
    _same_received(read, tenant.rest.get(tenant.rest_received(one["id"])).json())

    downloaded = soap.service.MarkReceivedInvoiceDownloaded(CompanyId=tenant.company_id, InvoiceId=one["id"])
    assert_valid(soap.last_body())
    assert downloaded.DownloadedAt is not None and _at(downloaded.ReadAt) == _at(read.ReadAt)
    _same_received(downloaded, tenant.rest.get(tenant.rest_received(one["id"])).json())
    again = soap.service.MarkReceivedInvoiceDownloaded(CompanyId=tenant.company_id, InvoiceId=one["id"])
    assert _at(again.DownloadedAt) == _at(downloaded.DownloadedAt)  # the first time stays, as in REST

    new = soap.service.ListReceivedInvoices(CompanyId=tenant.company_id, Downloaded=False)
    rest_new = tenant.rest.get(tenant.rest_received(), params={"downloaded": "false"}).json()["items"]
    assert [i.Numero for i in _items(new)] == [i["numero"] for i in rest_new] == ["FLAG-2"]
    unread = soap.service.ListReceivedInvoices(CompanyId=tenant.company_id, State="new")
    assert [i.Numero for i in _items(unread)] == ["FLAG-2"]


# --- SendEsitoCommittente ------------------------------------------------------------------------
def test_send_esito_committente_queues_the_outcome_rest_shows(tenant):
    item = tenant.receive(sample="FPA01", numero="PA-1")
    soap = tenant.soap()

    refusal = _fault(
        soap.service.SendEsitoCommittente, CompanyId=tenant.company_id, InvoiceId=item["id"], Esito="EC02"
    )
    assert _code(refusal) == "Client.Invalid"
    rest_refusal = tenant.rest.post(tenant.rest_received(item["id"], "/outcome"), json={"esito": "EC02"})
    assert rest_refusal.status_code == 422

    key = "esito-" + uuid.uuid4().hex
    queued = soap.service.SendEsitoCommittente(
        CompanyId=tenant.company_id, InvoiceId=item["id"], Esito="EC01", IdempotencyKey=key
    )
    assert_valid(soap.last_body())
    assert queued.Esito == "EC01" and queued.State == "queued" and queued.FileName.endswith("_EC_001.xml")
    [rest_outcome] = tenant.rest.get(tenant.rest_received(item["id"])).json()["outcomes"]
    _same_outcome(queued, rest_outcome)

    replayed = soap.service.SendEsitoCommittente(
        CompanyId=tenant.company_id, InvoiceId=item["id"], Esito="EC01", IdempotencyKey=key
    )
    assert_valid(soap.last_body())
    assert replayed.Id == queued.Id and _at(replayed.CreatedAt) == _at(queued.CreatedAt)
    assert len(tenant.rest.get(tenant.rest_received(item["id"])).json()["outcomes"]) == 1
    other = _fault(
        soap.service.SendEsitoCommittente,
        CompanyId=tenant.company_id,
        InvoiceId=item["id"],
        Esito="EC02",
        Descrizione="CIG mancante",
        IdempotencyKey=key,
    )
    assert _code(other) == "Client.Conflict"

    detail = soap.service.GetReceivedInvoice(CompanyId=tenant.company_id, InvoiceId=item["id"])
    [listed] = detail.Outcomes.Outcome
    rest = tenant.rest.get(tenant.rest_received(item["id"])).json()
    _same_outcome(listed, rest["outcomes"][0])
    assert listed.State == rest["outcomes"][0]["state"] or rest["outcomes"][0]["state"] != "queued"


def test_a_refusal_carries_its_reason(tenant):
    item = tenant.receive(sample="FPA01", numero="PA-2")
    soap = tenant.soap()
    refused = soap.service.SendEsitoCommittente(
        CompanyId=tenant.company_id, InvoiceId=item["id"], Esito="EC02", Descrizione="CIG mancante"
    )
    assert_valid(soap.last_body())
    assert (refused.Esito, refused.Descrizione) == ("EC02", "CIG mancante")
    [rest_outcome] = tenant.rest.get(tenant.rest_received(item["id"])).json()["outcomes"]
    _same_outcome(refused, rest_outcome)


def test_a_b2b_invoice_has_no_outcome_a_conflict_as_in_rest(tenant):
    item = tenant.receive(numero="B2B-1")
    soap = tenant.soap()
    fault = _fault(
        soap.service.SendEsitoCommittente, CompanyId=tenant.company_id, InvoiceId=item["id"], Esito="EC01"
    )
    rest = tenant.rest.post(tenant.rest_received(item["id"], "/outcome"), json={"esito": "EC01"})
    assert rest.status_code == 409
    assert (
        _code(fault) == "Client.Conflict"
        and fault.message == rest.json()["detail"]
        and "FPA12" in fault.message
    )


# --- faults --------------------------------------------------------------------------------------
def test_unknown_received_invoices_are_not_found(tenant):
    soap = tenant.soap()
    missing = str(uuid.uuid4())
    ref = {"CompanyId": tenant.company_id, "InvoiceId": missing}
    assert _code(_fault(soap.service.GetReceivedInvoice, **ref)) == "Client.NotFound"
    assert _code(_fault(soap.service.MarkReceivedInvoiceRead, **ref)) == "Client.NotFound"
    assert _code(_fault(soap.service.MarkReceivedInvoiceDownloaded, **ref)) == "Client.NotFound"
    assert _code(_fault(soap.service.SendEsitoCommittente, Esito="EC01", **ref)) == "Client.NotFound"
    assert _code(_fault(soap.service.ListReceivedInvoices, CompanyId=missing)) == "Client.NotFound"


def test_another_tenant_cannot_see_or_touch_received_invoices(make_tenant):
    tenant, intruder = make_tenant(), make_tenant()
    item = tenant.receive(sample="FPA01", numero="SECRET-1")
    soap = intruder.soap()
    for company in (tenant.company_id, intruder.company_id):
        ref = {"CompanyId": company, "InvoiceId": item["id"]}
        assert _code(_fault(soap.service.GetReceivedInvoice, **ref)) == "Client.NotFound"
        assert _code(_fault(soap.service.MarkReceivedInvoiceRead, **ref)) == "Client.NotFound"
        assert _code(_fault(soap.service.SendEsitoCommittente, Esito="EC01", **ref)) == "Client.NotFound"
        rest = intruder.rest.get(f"/v1/companies/{company}/received-invoices/{item['id']}")
        assert rest.status_code == 404
    assert _code(_fault(soap.service.ListReceivedInvoices, CompanyId=tenant.company_id)) == "Client.NotFound"
    assert _items(soap.service.ListReceivedInvoices(CompanyId=intruder.company_id)) == []
    assert tenant.rest.get(tenant.rest_received(item["id"])).json()["state"] == "new"


def test_a_read_only_key_may_read_received_invoices_but_not_answer_or_mark_them(tenant):
    item = tenant.receive(sample="FPA01", numero="RO-1")
    token = _key(tenant, {"received_invoices": "read"})
    reader = soap_client(tenant.url, token)
    ref = {"CompanyId": tenant.company_id, "InvoiceId": item["id"]}

    assert reader.service.GetReceivedInvoice(**ref).Invoice.Id == item["id"]
    assert item["id"] in [
        i.Id for i in _items(reader.service.ListReceivedInvoices(CompanyId=tenant.company_id))
    ]
    fault = _fault(reader.service.SendEsitoCommittente, Esito="EC01", **ref)
    assert _code(fault) == "Client.Forbidden"
    assert _code(_fault(reader.service.MarkReceivedInvoiceRead, **ref)) == "Client.Forbidden"
    assert _code(_fault(reader.service.MarkReceivedInvoiceDownloaded, **ref)) == "Client.Forbidden"
    headers = {"Authorization": f"Bearer {token}"}
    rest = httpx.post(
        f"{tenant.url}{tenant.rest_received(item['id'], '/outcome')}", json={"esito": "EC01"}, headers=headers
    )
    assert rest.status_code == 403
    assert tenant.rest.get(tenant.rest_received(item["id"])).json()["outcomes"] == []


def test_a_key_without_the_received_invoices_area_is_forbidden(tenant):
    token = _key(tenant, {"active_invoices": "write", "received_invoices": "none"})
    limited = soap_client(tenant.url, token, auth="basic")
    fault = _fault(limited.service.ListReceivedInvoices, CompanyId=tenant.company_id)
    assert _code(fault) == "Client.Forbidden"
    rest = httpx.get(f"{tenant.url}{tenant.rest_received()}", headers={"Authorization": f"Bearer {token}"})
    assert rest.status_code == 403


def test_an_unknown_esito_is_refused_by_the_schema(tenant):
    body = (
        f'<e:Envelope xmlns:e="{SOAP_ENV}" xmlns:f="{NS}"><e:Body><f:SendEsitoCommittente>'
        f"<f:CompanyId>{tenant.company_id}</f:CompanyId><f:InvoiceId>{uuid.uuid4()}</f:InvoiceId>"
        "<f:Esito>EC03</f:Esito></f:SendEsitoCommittente></e:Body></e:Envelope>"
    )
    response = httpx.post(
        f"{tenant.url}/soap/v1",
        content=body.encode(),
        auth=("erp", tenant.token),
        headers={"content-type": "text/xml"},
    )
    fault = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert response.status_code == 500 and fault.findtext("faultcode").endswith(":Client.BadRequest")
