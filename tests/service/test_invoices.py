"""Creating invoices through the API: filled in, checked as SDI checks them, stored only if clean."""

from __future__ import annotations

import base64
import logging
import socket
import time

from tests.service.conftest import partita_iva
from tests.support.cms import p7m, pkcs12_bundle
from tests.support.samples import OFFICIAL

from fatturahub import fatturapa
from fatturahub.fatturapa.naming import InvoiceFileName


def minimal_invoice(**general) -> dict:
    """What an ERP must say at the least: the customer and the lines."""
    return {
        "FatturaElettronicaHeader": {
            "CessionarioCommittente": {
                "DatiAnagrafici": {
                    "IdFiscaleIVA": {"IdPaese": "IT", "IdCodice": partita_iva()},
                    "Anagrafica": {"Denominazione": "CLIENTE SPA"},
                },
                "Sede": {
                    "Indirizzo": "VIA VERDI 2",
                    "CAP": "20100",
                    "Comune": "MILANO",
                    "Provincia": "MI",
                    "Nazione": "IT",
                },
            },
        },
        "FatturaElettronicaBody": [
            {
                "DatiGenerali": {"DatiGeneraliDocumento": general},
                "DatiBeniServizi": {
                    "DettaglioLinee": [
                        {
                            "NumeroLinea": 1,
                            "Descrizione": "Consulenza",
                            "Quantita": "2.00",
                            "PrezzoUnitario": "100.00",
                            "PrezzoTotale": "200.00",
                            "AliquotaIVA": "22.00",
                        },
                        {
                            "NumeroLinea": 2,
                            "Descrizione": "Libro",
                            "PrezzoUnitario": "30.00",
                            "PrezzoTotale": "30.00",
                            "AliquotaIVA": "4.00",
                        },
                    ]
                },
            }
        ],
    }


def _invoices(tenant) -> str:
    return f"/v1/companies/{tenant.company_id}/invoices"


def test_a_minimal_json_invoice_is_completed_numbered_and_kept_as_draft(make_tenant):
    tenant = make_tenant()
    created = tenant.key.post(_invoices(tenant), params={"send": "false"}, json=minimal_invoice())
    assert created.status_code == 201, created.text
    invoice = created.json()
    assert invoice["state"] == "draft" and invoice["numero"] == "1" and invoice["total"] == "275.20"
    assert invoice["file_name"] is None
    second = tenant.key.post(
        _invoices(tenant), params={"send": "false", "sezionale": "B"}, json=minimal_invoice()
    ).json()
    assert second["numero"] == "1/B"

    xml = tenant.key.get(f"{_invoices(tenant)}/{invoice['id']}/file").content
    document = fatturapa.parse(xml)
    seller = document.FatturaElettronicaHeader.CedentePrestatore.DatiAnagrafici
    company = tenant.key.get(f"/v1/companies/{tenant.company_id}").json()
    assert seller.IdFiscaleIVA.IdCodice == company["partita_iva"]
    summaries = document.FatturaElettronicaBody[0].DatiBeniServizi.DatiRiepilogo
    assert [(str(s.AliquotaIVA), str(s.Imposta)) for s in summaries] == [("22.00", "44.00"), ("4.00", "1.20")]
    html = tenant.key.get(f"{_invoices(tenant)}/{invoice['id']}/html")
    assert html.headers["content-type"].startswith("text/html") and "CLIENTE SPA" in html.text


def test_a_sent_json_invoice_carries_its_file_progressive_and_nothing_else_changes(make_tenant):
    tenant = make_tenant()
    draft = tenant.key.post(_invoices(tenant), params={"send": "false"}, json=minimal_invoice()).json()
    before = tenant.key.get(f"{_invoices(tenant)}/{draft['id']}/file").content
    queued = tenant.key.post(f"{_invoices(tenant)}/{draft['id']}/send")
    assert queued.status_code == 200 and queued.json()["state"] == "queued", queued.text
    progressive = InvoiceFileName.parse(queued.json()["file_name"]).progressive
    after = tenant.key.get(f"{_invoices(tenant)}/{draft['id']}/file").content

    sent = fatturapa.parse(after).FatturaElettronicaHeader.DatiTrasmissione.ProgressivoInvio
    assert (
        sent == progressive
        and fatturapa.parse(before).FatturaElettronicaHeader.DatiTrasmissione.ProgressivoInvio != sent
    )
    edited = f"<ProgressivoInvio>{progressive}</ProgressivoInvio>"
    assert after.count(edited.encode()) == 1
    head, tail = after.split(edited.encode())
    assert before.startswith(head) and before.rstrip().endswith(tail.rstrip())


def test_an_invoice_sdi_would_reject_is_refused_with_sdi_codes_and_not_stored(make_tenant):
    tenant = make_tenant()
    wrong = minimal_invoice()
    wrong["FatturaElettronicaBody"][0]["DatiBeniServizi"]["DettaglioLinee"][0]["PrezzoTotale"] = "250.00"
    refused = tenant.key.post(_invoices(tenant), json=wrong, headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    codes = {e["code"] for e in refused.json()["errors"]}
    assert "00423" in codes
    assert tenant.key.get(_invoices(tenant)).json()["items"] == []

    unreadable = tenant.key.post(
        _invoices(tenant), content=b"<not-xml", headers={"content-type": "application/xml"}
    )
    assert unreadable.status_code == 422 and unreadable.json()["errors"][0]["code"] == "00200"
    wrong_type = tenant.key.post(_invoices(tenant), content=b"x", headers={"content-type": "text/plain"})
    assert wrong_type.status_code == 422


def test_duplicates_are_refused_with_00404(make_tenant):
    tenant = make_tenant()
    first = tenant.key.post(_invoices(tenant), params={"send": "false"}, json=minimal_invoice(Numero="77"))
    assert first.status_code == 201
    again = tenant.key.post(_invoices(tenant), params={"send": "false"}, json=minimal_invoice(Numero="77"))
    assert again.status_code == 422 and {e["code"] for e in again.json()["errors"]} == {"00404"}
    credit_note = minimal_invoice(Numero="77", TipoDocumento="TD04")
    assert tenant.key.post(_invoices(tenant), params={"send": "false"}, json=credit_note).status_code == 201


def test_ready_xml_and_signed_files_are_taken_as_they_are(make_tenant):
    tenant = make_tenant()
    company = tenant.key.get(f"/v1/companies/{tenant.company_id}").json()
    built = tenant.key.post(_invoices(tenant), params={"send": "false"}, json=minimal_invoice()).json()
    xml = tenant.key.get(f"{_invoices(tenant)}/{built['id']}/file").content
    xml = xml.replace(b"<Numero>1</Numero>", b"<Numero>FT-9</Numero>")
    posted = tenant.key.post(
        _invoices(tenant), params={"send": "false"}, content=xml, headers={"content-type": "application/xml"}
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["numero"] == "FT-9"
    signed = p7m(xml.replace(b"FT-9", b"FT-10"))
    as_p7m = tenant.key.post(
        _invoices(tenant),
        params={"send": "false"},
        content=base64.b64encode(signed),
        headers={"content-type": "application/pkcs7-mime"},
    )
    assert as_p7m.status_code == 201, as_p7m.text
    assert company["partita_iva"] in xml.decode()


def test_fpa12_needs_a_signing_certificate(make_tenant):
    tenant = make_tenant()
    pa = minimal_invoice()
    pa["FatturaElettronicaHeader"]["DatiTrasmissione"] = {"CodiceDestinatario": "UFY9MH"}
    refused = tenant.key.post(_invoices(tenant), json=pa)
    assert refused.status_code == 422 and "signed" in refused.json()["detail"]
    bundle = base64.b64encode(pkcs12_bundle(b"pw")).decode()
    put = tenant.owner.put(
        f"/v1/companies/{tenant.company_id}/signing-certificate", json={"pkcs12": bundle, "password": "pw"}
    )
    assert put.status_code == 200, put.text
    assert "FatturaHub test signer" in put.json()["subject"]
    bad = tenant.owner.put(
        f"/v1/companies/{tenant.company_id}/signing-certificate", json={"pkcs12": bundle, "password": "wrong"}
    )
    assert bad.status_code == 422
    queued = tenant.key.post(_invoices(tenant), params={"send": "true"}, json=pa)
    assert queued.status_code == 201, queued.text
    assert queued.json()["file_name"].endswith(".xml.p7m") and queued.json()["state"] in (
        "queued",
        "sending",
        "sent",
        "delivered",
    )


def test_validate_without_storing(make_tenant):
    tenant = make_tenant()
    sample = (OFFICIAL / "v1.2" / "IT01234567890_FPR01.xml").read_bytes()
    report = tenant.key.post(
        "/v1/validate", content=sample, headers={"content-type": "application/xml"}
    ).json()
    assert report["valid"] is False and {e["code"] for e in report["errors"]} >= {"00301"}


def test_listing_filters(make_tenant):
    tenant = make_tenant()
    for number in ("10", "11", "12"):
        tenant.key.post(_invoices(tenant), params={"send": "false"}, json=minimal_invoice(Numero=number))
    by_number = tenant.key.get(_invoices(tenant), params={"numero": "11"}).json()["items"]
    assert [i["numero"] for i in by_number] == ["11"]
    by_customer = tenant.key.get(_invoices(tenant), params={"customer": "cliente"}).json()["items"]
    assert len(by_customer) == 3
    drafts = tenant.key.get(_invoices(tenant), params={"state": "draft", "limit": 2}).json()
    assert len(drafts["items"]) == 2 and drafts["next_cursor"]
    bad_state = tenant.key.get(_invoices(tenant), params={"state": "nonsense"})
    assert bad_state.status_code == 422


def test_the_storage_quota_is_shared_by_the_account_and_enforced(make_tenant, operator):
    tenant = make_tenant()
    tenant.key.post(_invoices(tenant), params={"send": "false"}, json=minimal_invoice())
    used = tenant.owner.get("/v1/account").json()["storage_used_bytes"]
    assert used > 1000  # the stored XML counts
    operator.patch(f"/v1/accounts/{tenant.account_id}", json={"storage_quota_bytes": used + 100})
    full = tenant.key.post(_invoices(tenant), params={"send": "false"}, json=minimal_invoice())
    assert full.status_code == 409 and full.json()["type"].endswith("/storage-quota-exceeded")
    assert len(tenant.key.get(_invoices(tenant)).json()["items"]) == 1  # nothing half-written
    assert tenant.owner.get("/v1/account").json()["storage_used_bytes"] == used


MALFORMED = [
    [],
    "text",
    1,
    None,
    {"FatturaElettronicaHeader": "x"},
    {"FatturaElettronicaHeader": {"DatiTrasmissione": []}},
    {"FatturaElettronicaHeader": {"DatiTrasmissione": {"CodiceDestinatario": 7}}},
    {"FatturaElettronicaBody": "x"},
    {"FatturaElettronicaBody": [1, "x"]},
    {"FatturaElettronicaBody": [{"DatiGenerali": "x"}]},
    {"FatturaElettronicaBody": [{"DatiGenerali": {"DatiGeneraliDocumento": []}}]},
    {"FatturaElettronicaBody": [{"DatiGenerali": {"DatiGeneraliDocumento": {"Data": "nope"}}}]},
    {"versione": "FPX99"},
    {
        "FatturaElettronicaBody": [
            {
                "DatiBeniServizi": {
                    "DettaglioLinee": [
                        {
                            "NumeroLinea": 1,
                            "Descrizione": "x",
                            "PrezzoUnitario": "1e999999",
                            "PrezzoTotale": "NaN",
                            "AliquotaIVA": "22.00",
                        }
                    ]
                }
            }
        ]
    },
    {
        "FatturaElettronicaBody": [
            {
                "DatiBeniServizi": {
                    "DettaglioLinee": [
                        {
                            "NumeroLinea": 1,
                            "Descrizione": "€ 😀",
                            "PrezzoUnitario": "1.00",
                            "PrezzoTotale": "1.00",
                            "AliquotaIVA": "22.00",
                        }
                    ]
                }
            }
        ]
    },
]


def test_malformed_json_invoices_get_422_with_problem_json_never_500(make_tenant):
    tenant = make_tenant()
    for body in MALFORMED:
        for path in (_invoices(tenant), "/v1/validate"):
            response = tenant.key.post(path, json=body)
            assert response.status_code in (200, 422), (body, path, response.text)
            if response.status_code == 422:
                assert response.headers["content-type"].startswith("application/problem+json")
            else:
                assert response.json()["valid"] is False
    deep = b'{"FatturaElettronicaHeader": ' + b'{"x": ' * 5000 + b"{}" + b"}" * 5001
    for path in (_invoices(tenant), "/v1/validate"):
        response = tenant.key.post(path, content=deep, headers={"content-type": "application/json"})
        assert response.status_code in (200, 422), response.text


def test_a_client_hanging_up_mid_body_is_not_an_error_and_stores_nothing(make_tenant, caplog):
    tenant = make_tenant()
    host, port = tenant.key.base_url.host, tenant.key.base_url.port
    request = (
        f"POST {_invoices(tenant)} HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: {tenant.key.headers['Authorization']}\r\n"
        "Content-Type: application/xml\r\nContent-Length: 50000\r\n\r\n<?xml version="
    ).encode()
    caplog.set_level(logging.INFO, logger="fatturahub.api")
    with socket.create_connection((host, port)) as connection:
        connection.sendall(request)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any("went away" in r.getMessage() for r in caplog.records):
        time.sleep(0.05)
    assert any("went away" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert tenant.key.get(_invoices(tenant)).json()["items"] == []
