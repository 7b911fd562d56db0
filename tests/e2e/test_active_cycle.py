"""The active cycle end to end, over real HTTP: an ERP posts invoices to a running server, its
worker sends them to the SDI sandbox, the sandbox's signed notifications come back through
/sdi/TrasmissioneFatture, and a webhook receiver gets the signed events in order."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from tests.service.conftest import company_body, login, with_key
from tests.service.test_invoices import minimal_invoice
from tests.support.cms import pkcs12_bundle
from tests.support.server import BACKENDS, OPERATOR_TOKEN, database, free_port, running_server, serving

from fatturahub.sdi import soap

PA_OFFICE = "UFY9MH"
UNREACHABLE = "ZZZZZZZ"


class Receiver:
    """A webhook endpoint that checks Standard Webhooks signatures on its own."""

    def __init__(self) -> None:
        self.secret = ""
        self.events: list[dict] = []
        self.app = FastAPI()
        self.app.post("/hook")(self._hook)

    async def _hook(self, request: Request) -> Response:
        body = await request.body()
        headers = request.headers
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        if f"v1,{expected}" not in headers["webhook-signature"].split():
            return Response(status_code=401)
        self.events.append(await request.json())
        return Response(status_code=204)


@pytest.fixture(scope="module", params=BACKENDS)
def stack(request, tmp_path_factory):
    """Our server with its worker and the built-in sandbox, and a webhook receiver."""
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    receiver = Receiver()
    with database(request.param, tmp_path_factory.mktemp("e2e")) as base, serving(receiver.app) as hooks:
        settings = base.model_copy(
            update={
                "public_url": public_url,
                "sandbox_enabled": True,
                "run_worker": True,
                "webhooks_private_networks": True,
            }  # the receiver is on loopback
        )
        with running_server(settings, port=port) as url:
            sandbox = httpx.Client(base_url=f"{url}/sandbox", timeout=60)
            sandbox.put("/control/unreachable", json={"codes": [UNREACHABLE]}).raise_for_status()
            yield url, sandbox, receiver, hooks


@pytest.fixture(scope="module")
def erp(stack):
    """An account with a company (with a signing certificate) and its ERP key and webhook."""
    url, _, receiver, hooks = stack
    operator = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
    email = f"erp-{uuid.uuid4().hex[:8]}@example.com"
    operator.post("/v1/accounts", json={"name": "ERP", "email": email, "password": "password password"})
    owner = login(url, email, "password password")
    company = owner.post("/v1/companies", json=company_body()).json()
    owner.put(
        f"/v1/companies/{company['id']}/signing-certificate",
        json={"pkcs12": base64.b64encode(pkcs12_bundle(None)).decode()},
    ).raise_for_status()
    hook = owner.post("/v1/webhooks", json={"url": f"{hooks}/hook", "event_types": ["invoice.*"]})
    assert hook.status_code == 201, hook.text
    receiver.secret = hook.json()["secret"]
    key = owner.post("/v1/api-keys", json={"name": "erp"}).json()["token"]
    return with_key(url, key), company["id"]


def _send(erp, body: dict) -> dict:
    client, company_id = erp
    created = client.post(f"/v1/companies/{company_id}/invoices", json=body)
    assert created.status_code == 201, created.text
    return created.json()


def _wait(erp, invoice: dict, state: str, timeout: float = 60) -> dict:
    client, company_id = erp
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = client.get(f"/v1/companies/{company_id}/invoices/{invoice['id']}").json()
        if current["state"] == state:
            return current
        time.sleep(0.1)
    raise AssertionError(f"invoice stayed {current['state']}, expected {state}: {current}")


def _to(code: str) -> dict:
    body = minimal_invoice()
    body["FatturaElettronicaHeader"]["DatiTrasmissione"] = {"CodiceDestinatario": code}
    return body


def test_b2b_invoice_is_delivered_and_the_erp_told_in_order(stack, erp):
    _, sandbox, receiver, _ = stack
    invoice = _send(erp, minimal_invoice())
    delivered = _wait(erp, invoice, "delivered")
    assert delivered["identificativo_sdi"] and delivered["file_name"].startswith("IT")
    [rc] = delivered["notifications"]
    assert rc["type"] == "RC" and rc["applied"] is True
    client, company_id = erp
    raw = client.get(f"/v1/companies/{company_id}/invoices/{invoice['id']}/notifications/{rc['id']}/file")
    assert raw.content.startswith(b"<?xml") and b"Signature" in raw.content
    sandbox.post("/control/deliveries/flush").raise_for_status()
    deadline = time.monotonic() + 30
    mine = []
    while time.monotonic() < deadline:
        mine = [e for e in receiver.events if e["data"]["invoice"]["id"] == invoice["id"]]
        if mine and mine[-1]["data"]["invoice"]["state"] == "delivered":
            break
        time.sleep(0.1)
    states = [e["data"]["invoice"]["state"] for e in mine if e["type"] == "invoice.state_changed"]
    assert mine[0]["type"] == "invoice.created"
    assert states == ["queued", "sending", "sent", "delivered"] or states == [
        "queued",
        "sending",
        "delivered",
    ]


def test_unreachable_b2b_recipient_ends_not_delivered(erp):
    invoice = _send(erp, _to(UNREACHABLE))
    not_delivered = _wait(erp, invoice, "not_delivered")
    assert [n["type"] for n in not_delivered["notifications"]] == ["MC"]


def test_pa_outcomes_accepted_refused_expired(stack, erp):
    _, sandbox, _, _ = stack
    accepted, refused, silent = (_send(erp, _to(PA_OFFICE)) for _ in range(3))
    for invoice in (accepted, refused, silent):
        delivered = _wait(erp, invoice, "delivered")
        assert delivered["file_name"].endswith(".xml.p7m")
    for invoice, esito in ((accepted, "EC01"), (refused, "EC02")):
        sdi_id = _wait(erp, invoice, "delivered")["identificativo_sdi"]
        answered = sandbox.post(f"/control/files/{sdi_id}/outcome", json={"esito": esito, "descrizione": "x"})
        assert answered.status_code == 202, answered.text
    assert _wait(erp, accepted, "accepted")["notifications"][-1]["summary"]["esito"] == "EC01"
    _wait(erp, refused, "refused")
    sandbox.post("/control/clock/advance", json={"days": 15, "hours": 1}).raise_for_status()
    assert [n["type"] for n in _wait(erp, silent, "expired")["notifications"]] == ["RC", "DT"]


def test_pa_unreachable_office_is_attested_after_ten_days(stack, erp):
    _, sandbox, _, _ = stack
    body = _to(UNREACHABLE[:6])
    sandbox.put("/control/unreachable", json={"codes": [UNREACHABLE, UNREACHABLE[:6]]}).raise_for_status()
    invoice = _send(erp, body)
    _wait(erp, invoice, "not_delivered")
    sandbox.post("/control/clock/advance", json={"days": 10, "hours": 1}).raise_for_status()
    assert [n["type"] for n in _wait(erp, invoice, "undeliverable")["notifications"]] == ["MC", "AT"]


def test_sdi_rejection_is_recorded_with_its_codes(stack, erp):
    """Another account sent the same supplier's invoice number first: only SDI can know (00404)."""
    url, _, _, _ = stack
    twin_email = f"twin-{uuid.uuid4().hex[:8]}@example.com"
    operator = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
    operator.post("/v1/accounts", json={"name": "Twin", "email": twin_email, "password": "password password"})
    twin = login(url, twin_email, "password password")
    client, company_id = erp
    partita_iva = client.get(f"/v1/companies/{company_id}").json()["partita_iva"]
    twin_company = twin.post("/v1/companies", json=company_body(partita_iva=partita_iva)).json()
    number = f"TW{uuid.uuid4().hex[:6]}"
    first = twin.post(
        f"/v1/companies/{twin_company['id']}/invoices", json=minimal_invoice(Numero=number)
    ).json()
    _wait((twin, twin_company["id"]), first, "delivered")
    second = _send(erp, minimal_invoice(Numero=number))
    rejected = _wait(erp, second, "rejected")
    assert {e["code"] for e in rejected["errors"]} == {"00404"}
    assert [n["type"] for n in rejected["notifications"]] == ["NS"]


OPERATIONS = {
    "RC": "ricevutaConsegna",
    "NE": "notificaEsito",
    "DT": "notificaDecorrenzaTermini",
    "MC": "notificaMancataConsegna",
    "NS": "notificaScarto",
    "AT": "attestazioneTrasmissioneFattura",
}


def test_duplicate_and_shuffled_notifications_change_nothing(stack, erp):
    url, sandbox, _, _ = stack
    invoice = _send(erp, _to(PA_OFFICE))
    sdi_id = _wait(erp, invoice, "delivered")["identificativo_sdi"]
    sandbox.post(f"/control/files/{sdi_id}/outcome", json={"esito": "EC01"}).raise_for_status()
    accepted = _wait(erp, invoice, "accepted")
    files = [(n["type"], n["file_name"]) for n in accepted["notifications"]]
    raw = {name: sandbox.get(f"/control/files/{sdi_id}/notifications/{name}").content for _, name in files}
    for kind, name in list(reversed(files)) * 2:  # out of order, and twice
        body = soap.body_element(
            soap.TRASMISSIONE_TYPES,
            OPERATIONS[kind],
            [("IdentificativoSdI", sdi_id), ("NomeFile", name), ("File", raw[name])],
        )
        answer = httpx.post(
            f"{url}/sdi/TrasmissioneFatture",
            content=soap.envelope(body),
            headers={"content-type": soap.SOAP_CONTENT_TYPE},
        )
        assert answer.status_code == 202, answer.text
    again = _wait(erp, invoice, "accepted")
    assert [(n["type"], n["file_name"]) for n in again["notifications"]] == files


def test_a_ready_xml_file_is_sent_as_it_is(erp):
    client, company_id = erp
    draft = client.post(
        f"/v1/companies/{company_id}/invoices", params={"send": "false"}, json=minimal_invoice(Numero="XML-1")
    ).json()
    xml = client.get(f"/v1/companies/{company_id}/invoices/{draft['id']}/file").content
    ready = xml.replace(b"XML-1", b"XML-2")
    posted = client.post(
        f"/v1/companies/{company_id}/invoices", content=ready, headers={"content-type": "application/xml"}
    )
    assert posted.status_code == 201, posted.text
    delivered = _wait(erp, posted.json(), "delivered")
    sent = client.get(f"/v1/companies/{company_id}/invoices/{delivered['id']}/file")
    assert sent.headers["content-type"] == "application/pkcs7-mime"  # signed with the company's key
    assert delivered["numero"] == "XML-2"


def test_an_unreadable_notification_is_kept_verbatim_and_moves_nothing(stack, erp):
    url, _, _, _ = stack
    invoice = _send(erp, minimal_invoice())
    delivered = _wait(erp, invoice, "delivered")
    stem = delivered["file_name"].split(".")[0]
    garbage = b"<RicevutaConsegna>not what SDI sends</RicevutaConsegna>"
    body = soap.body_element(
        soap.TRASMISSIONE_TYPES,
        "notificaScarto",
        [
            ("IdentificativoSdI", delivered["identificativo_sdi"]),
            ("NomeFile", f"{stem}_NS_009.xml"),
            ("File", garbage),
        ],
    )
    for _ in range(2):  # SDI hears "taken" and a repeat is not kept twice
        answer = httpx.post(
            f"{url}/sdi/TrasmissioneFatture",
            content=soap.envelope(body),
            headers={"content-type": soap.SOAP_CONTENT_TYPE},
        )
        assert answer.status_code == 202, answer.text
    after = _wait(erp, invoice, "delivered")
    kept = [n for n in after["notifications"] if n["file_name"] == f"{stem}_NS_009.xml"]
    assert len(kept) == 1 and kept[0]["applied"] is False and "unreadable" in kept[0]["summary"]
    client, company_id = erp
    raw = client.get(
        f"/v1/companies/{company_id}/invoices/{invoice['id']}/notifications/{kept[0]['id']}/file"
    )
    assert raw.content == garbage


def test_a_notification_goes_to_the_invoice_of_its_file_when_another_holds_its_identificativo(stack, erp):
    """A sandbox restarted against the same database numbers files from 1 again: an
    IdentificativoSdI may already belong to an older invoice, the file name never does."""
    url, sandbox, _, _ = stack
    older, other, newer = (_send(erp, _to(PA_OFFICE)) for _ in range(3))
    older_id = _wait(erp, older, "delivered")["identificativo_sdi"]
    other_id = _wait(erp, other, "delivered")["identificativo_sdi"]
    stem = _wait(erp, newer, "delivered")["file_name"].split(".")[0]
    sandbox.post(f"/control/files/{other_id}/outcome", json={"esito": "EC01"}).raise_for_status()
    outcome = _wait(erp, other, "accepted")["notifications"][-1]["file_name"]
    raw = sandbox.get(f"/control/files/{other_id}/notifications/{outcome}").content
    body = soap.body_element(
        soap.TRASMISSIONE_TYPES,
        "notificaEsito",
        [("IdentificativoSdI", older_id), ("NomeFile", f"{stem}_NE_001.xml"), ("File", raw)],
    )
    answer = httpx.post(
        f"{url}/sdi/TrasmissioneFatture",
        content=soap.envelope(body),
        headers={"content-type": soap.SOAP_CONTENT_TYPE},
    )
    assert answer.status_code == 202, answer.text
    _wait(erp, newer, "accepted")
    assert _wait(erp, older, "delivered")["notifications"][-1]["type"] == "RC"
