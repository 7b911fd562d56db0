"""The passive cycle end to end, over real HTTP: the built-in SDI sandbox delivers supplier
invoices to our /sdi/RicezioneFatture, each lands, is routed to its company, renders and is
announced to a webhook receiver; a PA company answers (EC01/EC02) through the worker and the
sandbox's SdIRiceviNotifica; DT closes the term; repeats create nothing; strays wait in
quarantine. zeep, built from the official RicezioneFatture WSDL, plays SDI in one test."""

from __future__ import annotations

import base64
import random
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import zeep
from lxml import etree
from stdnum import luhn
from tests.e2e.test_active_cycle import Receiver
from tests.service.conftest import company_body, login, partita_iva, with_key
from tests.support.samples import OFFICIAL
from tests.support.server import BACKENDS, OPERATOR_TOKEN, database, free_port, running_server, serving

from fatturahub.sdi import soap
from fatturahub.sdi.ricezione import WSDL_PATH
from fatturahub.sdi.sandbox.generate import ITEMS

BINDING = "{http://www.fatturapa.gov.it/sdi/ws/ricezione/v1.0}RicezioneFatture_binding"
RICEVI_FATTURE_ACTION = '"http://www.fatturapa.it/RicezioneFatture/RiceviFattureSdI"'
PA_CF = "80188230587"  # a PA's numeric codice fiscale (valid check digit)
PA_OFFICE = "UFY9MH"
DESCRIPTIONS = {item[0] for item in ITEMS}


@dataclass
class Stack:
    url: str
    sandbox: httpx.Client
    operator: httpx.Client
    receiver: Receiver
    hooks: str


@dataclass
class Company:
    id: str
    client: httpx.Client  # the ERP's API key
    vat: str | None
    code: str

    def path(self, suffix: str = "") -> str:
        return f"/v1/companies/{self.id}/received-invoices{suffix}"

    def received(self) -> list[dict]:
        items, cursor = [], None
        while True:
            params = {"limit": 200} | ({"cursor": cursor} if cursor else {})
            page = self.client.get(self.path(), params=params)
            assert page.status_code == 200, page.text
            items += page.json()["items"]
            cursor = page.json()["next_cursor"]
            if not cursor:
                return items


@dataclass
class Tenant:
    owner: httpx.Client
    b2b: Company
    pa: Company


@pytest.fixture(scope="module", params=BACKENDS)
def stack(request, tmp_path_factory):
    """Our server with its worker and the built-in sandbox delivering to our RicezioneFatture."""
    port = free_port()
    receiver = Receiver()
    with database(request.param, tmp_path_factory.mktemp("passive")) as base, serving(receiver.app) as hooks:
        settings = base.model_copy(
            update={
                "public_url": f"http://127.0.0.1:{port}",
                "sandbox_enabled": True,
                "run_worker": True,
                "webhooks_private_networks": True,  # the receiver is on loopback
            }
        )
        with (
            running_server(settings, port=port) as url,
            httpx.Client(base_url=f"{url}/sandbox", timeout=60) as sandbox,
            httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}, timeout=30
            ) as operator,
        ):
            yield Stack(url, sandbox, operator, receiver, hooks)


@pytest.fixture(scope="module")
def tenant(stack: Stack) -> Tenant:
    """One account with a B2B company and a PA (codice fiscale, IPA office code), created through
    the API, and a webhook for received invoices."""
    email = f"passive-{uuid.uuid4().hex[:8]}@example.com"
    created = stack.operator.post(
        "/v1/accounts", json={"name": "Passive", "email": email, "password": "password password"}
    )
    assert created.status_code == 201, created.text
    owner = login(stack.url, email, "password password")
    vat = partita_iva()
    b2b = owner.post("/v1/companies", json=company_body(partita_iva=vat, codice_destinatario="B2BCODE"))
    assert b2b.status_code == 201, b2b.text
    pa_body = company_body(
        codice_fiscale=PA_CF, codice_destinatario=PA_OFFICE, denominazione="COMUNE DI ESEMPIO"
    )
    pa_body.pop("partita_iva")
    pa = owner.post("/v1/companies", json=pa_body)
    assert pa.status_code == 201, pa.text
    hook = owner.post(
        "/v1/webhooks",
        json={"url": f"{stack.hooks}/hook", "event_types": ["received_invoice.*"]},
    )
    assert hook.status_code == 201, hook.text
    stack.receiver.secret = hook.json()["secret"]
    key = owner.post("/v1/api-keys", json={"name": "erp"}).json()["token"]
    erp = with_key(stack.url, key)
    return Tenant(
        owner, Company(b2b.json()["id"], erp, vat, "B2BCODE"), Company(pa.json()["id"], erp, None, PA_OFFICE)
    )


# --- helpers -----------------------------------------------------------------------------------
def _b2b(company: Company, **changes: Any) -> dict:
    spec = {"formato": "FPR12", "codice_destinatario": company.code, "cessionario_partita_iva": company.vat}
    return {"generate": spec | changes}


def _pa(**changes: Any) -> dict:
    spec = {"formato": "FPA12", "codice_destinatario": PA_OFFICE, "cessionario_codice_fiscale": PA_CF}
    return {"generate": spec | {"cessionario_denominazione": "Comune di Esempio"} | changes}


def _deliver(stack: Stack, body: dict) -> dict:
    response = stack.sandbox.post("/control/deliveries", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def _until(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _landed(company: Company, identificativi: list[int], bodies: int = 1) -> dict[int, list[dict]]:
    """The received invoices of each delivery, once every one has all its bodies."""

    def check() -> dict[int, list[dict]] | None:
        found: dict[int, list[dict]] = {}
        for item in company.received():
            found.setdefault(int(item["identificativo_sdi"]), []).append(item)
        wanted = {i: sorted(found.get(i, []), key=lambda x: x["position"]) for i in identificativi}
        return wanted if all(len(items) >= bodies for items in wanted.values()) else None

    return _until(check, f"deliveries {identificativi} to land")


def _delivery(stack: Stack, identificativo: int, status: str | None = None) -> dict:
    def check() -> dict | None:
        current = stack.sandbox.get(f"/control/deliveries/{identificativo}").json()
        return current if status is None or current["status"] == status else None

    return _until(check, f"sandbox delivery {identificativo} {status}")


def _detail(company: Company, invoice_id: str, state: str | None = None) -> dict:
    def check() -> dict | None:
        response = company.client.get(company.path(f"/{invoice_id}"))
        assert response.status_code == 200, response.text
        outcomes = response.json()["outcomes"]
        assert not outcomes or outcomes[-1]["state"] not in ("rejected", "failed"), outcomes[-1]
        return response.json() if state is None or response.json()["state"] == state else None

    return _until(check, f"received invoice {invoice_id} {state}")


def _events(receiver: Receiver, type_: str, ids: set[str]) -> list[dict]:
    def check() -> list[dict] | None:
        found = [
            e for e in receiver.events if e["type"] == type_ and e["data"]["received_invoice"]["id"] in ids
        ]
        return found if {e["data"]["received_invoice"]["id"] for e in found} == ids else None

    return _until(check, f"{type_} webhooks for {sorted(ids)}")


def _descriptions(document: dict) -> set[str]:
    [body] = document["FatturaElettronicaBody"]
    return {line["Descrizione"] for line in body["DatiBeniServizi"]["DettaglioLinee"]}


def _official_pa_sample() -> bytes:
    """The official FPA01 sample, addressed to our PA (its own recipient's CF has no valid check
    digit, so no company could be made for it)."""
    tree = etree.parse(str(OFFICIAL / "v1.2" / "IT01234567890_FPA01.xml"))
    cf = tree.getroot().find("FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici/CodiceFiscale")
    cf.text = PA_CF
    tree.getroot().find("FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario").text = PA_OFFICE
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def _random_vat() -> str:
    base = f"{random.randrange(10**6, 10**7):07d}058"
    return base + luhn.calc_check_digit(base)


# --- the tests ---------------------------------------------------------------------------------
def test_every_kind_of_file_lands_routes_renders_and_is_announced(stack: Stack, tenant: Tenant):
    b2b, pa = tenant.b2b, tenant.pa
    kinds = {
        "plain": (b2b, _b2b(b2b)),
        "cades": (b2b, _b2b(b2b, signed=True)),
        "base64 cades": (b2b, _b2b(b2b, signed=True, base64=True)),
        "base64 xml": (b2b, _b2b(b2b, base64=True)),
        "windows-1252": (b2b, _b2b(b2b, encoding="windows-1252", lines=12)),
        "lotto": (pa, _pa(bodies=3, lines=2)),
        "official sample": (
            pa,
            {
                "file": {
                    "file_name": "IT01234567890_FPA01.xml",
                    "content_base64": base64.b64encode(_official_pa_sample()).decode(),
                }
            },
        ),
    }
    delivered = {kind: _deliver(stack, body) for kind, (_, body) in kinds.items()}
    landed: dict[str, list[dict]] = {}
    for kind, (company, _) in kinds.items():
        identificativo = delivered[kind]["identificativo_sdi"]
        bodies = 3 if kind == "lotto" else 1
        landed[kind] = _landed(company, [identificativo], bodies)[identificativo]
        assert len(landed[kind]) == bodies, kind
        assert _delivery(stack, identificativo)["status"] == "delivered"  # ER01 heard

    for kind, items in landed.items():
        company = kinds[kind][0]
        for item in items:
            assert item["company_id"] == company.id and item["readable"] is True, (kind, item)
            assert item["file_name"] == delivered[kind]["file_name"]
            detail = _detail(company, item["id"])
            assert detail["warnings"] == [], (kind, detail["warnings"])
            page = company.client.get(company.path(f"/{item['id']}/html"))
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            assert item["numero"] in page.text
            original = company.client.get(company.path(f"/{item['id']}/file")).content
            sent = stack.sandbox.get(
                f"/control/deliveries/{item['identificativo_sdi']}/files/{item['file_name']}"
            ).content
            assert original == sent, kind  # kept verbatim

    assert {
        i["signature_status"] for k in ("plain", "base64 xml", "windows-1252", "lotto") for i in landed[k]
    } == {"unsigned"}
    for kind, envelopes in (("cades", ["cades"]), ("base64 cades", ["base64", "cades"])):
        detail = _detail(b2b, landed[kind][0]["id"])
        assert detail["signature_status"] == "valid", detail["signature"]
        assert detail["envelopes"] == envelopes
        assert detail["file_name"].endswith(".xml.p7m")

    # windows-1252: the accented descriptions read as they were written
    detail = _detail(b2b, landed["windows-1252"][0]["id"])
    original = b2b.client.get(b2b.path(f"/{detail['id']}/file")).content
    assert b"windows-1252" in original.split(b"?>")[0]
    assert _descriptions(detail["document"]) <= DESCRIPTIONS
    assert any(not text.isascii() for text in _descriptions(detail["document"]))
    xml = b2b.client.get(b2b.path(f"/{detail['id']}/xml"))
    assert xml.status_code == 200, xml.text
    assert {d.text for d in etree.fromstring(xml.content).iter("Descrizione")} == _descriptions(
        detail["document"]
    )

    # the lotto: one invoice per body, one file, each body's own document
    lotto = landed["lotto"]
    assert [i["position"] for i in lotto] == [1, 2, 3] and len({i["file_id"] for i in lotto}) == 1
    numeri = [_detail(pa, i["id"])["document"]["FatturaElettronicaBody"][0]["DatiGenerali"] for i in lotto]
    assert [n["DatiGeneraliDocumento"]["Numero"] for n in numeri] == [i["numero"] for i in lotto]
    assert len({i["numero"] for i in lotto}) == 3

    # the official sample is routed by the recipient's codice fiscale
    [sample] = landed["official sample"]
    assert sample["format"] == "FPA12" and sample["supplier"]["partita_iva"] == "IT01234567890"

    ids = {item["id"] for items in landed.values() for item in items}
    events = _events(stack.receiver, "received_invoice.created", ids)
    assert len(events) == len(ids)  # once each
    for event in events:
        assert event["data"]["received_invoice"]["company_id"] in (b2b.id, pa.id)


def test_a_pa_accepts_one_invoice_and_refuses_another(stack: Stack, tenant: Tenant):
    pa = tenant.pa
    accepted, refused = (_deliver(stack, _pa()) for _ in range(2))
    landed = _landed(pa, [accepted["identificativo_sdi"], refused["identificativo_sdi"]])
    [mine_accepted] = landed[accepted["identificativo_sdi"]]
    [mine_refused] = landed[refused["identificativo_sdi"]]
    assert _detail(pa, mine_accepted["id"])["outcome_deadline"] is not None

    no_reason = pa.client.post(pa.path(f"/{mine_refused['id']}/outcome"), json={"esito": "EC02"})
    assert no_reason.status_code == 422, no_reason.text
    for item, esito in ((mine_accepted, "EC01"), (mine_refused, "EC02")):
        body = {"esito": esito} | ({"descrizione": "CIG mancante"} if esito == "EC02" else {})
        answered = pa.client.post(pa.path(f"/{item['id']}/outcome"), json=body)
        assert answered.status_code == 202, answered.text
        assert answered.json()["state"] == "queued"

    for item, delivery, state, esito in (
        (mine_accepted, accepted, "accepted", "EC01"),
        (mine_refused, refused, "refused", "EC02"),
    ):
        detail = _detail(pa, item["id"], state)
        [outcome] = detail["outcomes"]
        assert (outcome["esito"], outcome["state"], outcome["answer"]) == (esito, "sent", "ES01")
        assert outcome["file_name"] == delivery["file_name"].split(".")[0] + "_EC_001.xml"
        in_sandbox = _delivery(stack, delivery["identificativo_sdi"], state)
        [taken] = in_sandbox["outcomes"]
        assert (taken["esito"], taken["answer"], taken["file_name"]) == (esito, "ES01", outcome["file_name"])
        [ne] = in_sandbox["to_supplier"]
        assert ne["type"] == "NE"
        again = pa.client.post(pa.path(f"/{item['id']}/outcome"), json={"esito": "EC01"})
        assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"

    sent = _events(stack.receiver, "received_invoice.outcome_sent", {mine_accepted["id"], mine_refused["id"]})
    assert {e["data"]["outcome"]["esito"] for e in sent} == {"EC01", "EC02"}

    b2b_item = _landed(tenant.b2b, [_deliver(stack, _b2b(tenant.b2b))["identificativo_sdi"]])
    [[item]] = b2b_item.values()
    b2b_outcome = tenant.b2b.client.post(tenant.b2b.path(f"/{item['id']}/outcome"), json={"esito": "EC01"})
    assert b2b_outcome.status_code == 409, b2b_outcome.text  # B2B has no outcome


def test_a_repeated_delivery_creates_nothing_and_zeep_drives_the_endpoint(stack: Stack, tenant: Tenant):
    b2b = tenant.b2b
    first = _deliver(stack, _b2b(b2b, signed=True))
    identificativo = first["identificativo_sdi"]
    [[item]] = _landed(b2b, [identificativo]).values()
    _events(stack.receiver, "received_invoice.created", {item["id"]})
    before = b2b.received()

    files = f"/control/deliveries/{identificativo}/files"
    content = stack.sandbox.get(f"{files}/{first['file_name']}").content
    metadata = stack.sandbox.get(f"{files}/{first['metadata_file_name']}").content
    envelope = soap.envelope(
        soap.body_element(
            soap.RICEZIONE_TYPES,
            "fileSdIConMetadati",
            [
                ("IdentificativoSdI", str(identificativo)),
                ("NomeFile", first["file_name"]),
                ("File", content),
                ("NomeFileMetadati", first["metadata_file_name"]),
                ("Metadati", metadata),
            ],
        )
    )
    headers = {"Content-Type": soap.SOAP_CONTENT_TYPE, "SOAPAction": RICEVI_FATTURE_ACTION}
    for _ in range(2):  # SDI repeats when it did not hear our ER01
        again = httpx.post(f"{stack.url}/sdi/RicezioneFatture", content=envelope, headers=headers)
        assert again.status_code == 200, again.text
        assert soap.parse(again.content, again.headers["content-type"]).text("Esito") == "ER01"

    sdi = zeep.Client(str(WSDL_PATH)).create_service(BINDING, f"{stack.url}/sdi/RicezioneFatture")
    call = {
        "IdentificativoSdI": identificativo,
        "NomeFile": first["file_name"],
        "File": content,
        "NomeFileMetadati": first["metadata_file_name"],
        "Metadati": metadata,
    }
    assert sdi.RiceviFatture(**call) == "ER01"
    assert b2b.received() == before
    # an event is written in the transaction that answered ER01: the feed shows any repeat at once
    feed = tenant.owner.get("/v1/events", params={"type": "received_invoice.created", "limit": 200})
    assert feed.status_code == 200, feed.text
    assert [e["subject_id"] for e in feed.json()["items"]].count(item["id"]) == 1

    # zeep plays SDI with a new IdentificativoSdI: a new delivery of the same file is kept
    fresh = 900_000_000_000 + random.randrange(10**9)
    assert sdi.RiceviFatture(**call | {"IdentificativoSdI": fresh}) == "ER01"
    [[twin]] = _landed(b2b, [fresh]).values()
    assert twin["duplicate_of"] == item["id"]  # flagged, not merged
    assert twin["signature_status"] == "valid"


def test_a_late_outcome_is_refused_after_dt(stack: Stack, tenant: Tenant):
    pa = tenant.pa
    silent = _deliver(stack, _pa())
    [[item]] = _landed(pa, [silent["identificativo_sdi"]]).values()
    _delivery(stack, silent["identificativo_sdi"], "delivered")

    advanced = stack.sandbox.post("/control/clock/advance", json={"days": 15, "hours": 1})
    assert advanced.status_code == 200, advanced.text
    assert {"identificativo_sdi": silent["identificativo_sdi"], "type": "DT"} in advanced.json()["fired"]
    detail = _detail(pa, item["id"], "expired")
    assert detail["expired_at"] is not None
    in_sandbox = _delivery(stack, silent["identificativo_sdi"], "terms_expired")
    [dt] = [n for n in in_sandbox["to_recipient"] if n["type"] == "DT"]
    _until(lambda: _delivery(stack, silent["identificativo_sdi"])["to_recipient"][-1]["delivered_at"], "DT")

    late = pa.client.post(pa.path(f"/{item['id']}/outcome"), json={"esito": "EC01"})
    assert late.status_code == 409, late.text
    assert late.headers["content-type"] == "application/problem+json"
    problem = late.json()
    assert problem["status"] == 409 and "DecorrenzaTermini" in problem["detail"]
    _events(stack.receiver, "received_invoice.expired", {item["id"]})
    assert dt["file_name"].startswith(silent["file_name"].split(".")[0] + "_DT_")


def test_files_for_no_company_wait_in_quarantine(stack: Stack, tenant: Tenant):
    nobody = _deliver(
        stack, _b2b(tenant.b2b, cessionario_partita_iva=_random_vat(), codice_destinatario="NOBODY1")
    )
    ours = _deliver(stack, _b2b(tenant.b2b, cessionario_partita_iva=_random_vat()))  # our code only
    garbage = {
        "file_name": "IT01234567890_ZZ001.xml",
        "content_base64": base64.b64encode(b"<not>an invoice</not>").decode(),
        "formato": "FPR12",
        "codice_destinatario": tenant.b2b.code,
    }
    unreadable = _deliver(stack, {"file": garbage})
    for delivery in (nobody, ours, unreadable):
        _delivery(stack, delivery["identificativo_sdi"], "delivered")

    operator = stack.operator.get("/v1/operator/quarantine", params={"limit": 200}).json()["items"]
    [stray] = [f for f in operator if f["identificativo_sdi"] == str(nobody["identificativo_sdi"])]
    assert stray["account_id"] is None and stray["readable"] is True
    assert "no company" in stray["routing"]["detail"]
    account = tenant.owner.get("/v1/received-invoices/quarantine").json()["items"]
    [held] = [f for f in account if f["identificativo_sdi"] == str(ours["identificativo_sdi"])]
    assert held["codice_destinatario"] == tenant.b2b.code
    [kept] = [f for f in account if f["identificativo_sdi"] == str(unreadable["identificativo_sdi"])]
    assert kept["readable"] is False and kept["problem"]  # kept, never refused: SDI delivered it
    landed = {i["identificativo_sdi"] for c in (tenant.b2b, tenant.pa) for i in c.received()}
    assert not landed & {str(nobody["identificativo_sdi"]), str(ours["identificativo_sdi"])}

    routed = tenant.owner.post(
        f"/v1/received-invoices/quarantine/{held['id']}/route", json={"company_id": tenant.b2b.id}
    )
    assert routed.status_code == 200, routed.text
    [[item]] = _landed(tenant.b2b, [ours["identificativo_sdi"]]).values()
    _events(stack.receiver, "received_invoice.created", {item["id"]})


def test_each_body_of_a_lotto_is_answered_on_its_own(stack: Stack, tenant: Tenant):
    """EC02 on body 2, EC01 on body 1, silence on body 3: DT expires only body 3."""
    pa = tenant.pa
    lotto = _deliver(stack, _pa(bodies=3, lines=1))
    [[first, second, third]] = _landed(pa, [lotto["identificativo_sdi"]], bodies=3).values()

    refused = pa.client.post(pa.path(f"/{second['id']}/outcome"), json={"esito": "EC02", "descrizione": "no"})
    assert refused.status_code == 202, refused.text
    _detail(pa, second["id"], "refused")
    assert _detail(pa, first["id"])["state"] == "new"  # the other bodies are still open
    accepted = pa.client.post(pa.path(f"/{first['id']}/outcome"), json={"esito": "EC01"})
    assert accepted.status_code == 202, accepted.text
    [outcome] = _detail(pa, first["id"], "accepted")["outcomes"]
    assert (outcome["answer"], outcome["file_name"]) == ("ES01", lotto["file_name"][:-4] + "_EC_002.xml")
    in_sandbox = _delivery(stack, lotto["identificativo_sdi"])
    assert [(o["esito"], o["answer"]) for o in in_sandbox["outcomes"]] == [("EC02", "ES01"), ("EC01", "ES01")]
    assert [n["type"] for n in in_sandbox["to_supplier"]] == ["NE", "NE"]
    assert in_sandbox["status"] == "delivered"  # body 3 may still be answered

    stack.sandbox.post("/control/clock/advance", json={"days": 15, "hours": 1}).raise_for_status()
    _detail(pa, third["id"], "expired")
    assert [_detail(pa, i["id"])["state"] for i in (first, second)] == ["accepted", "refused"]


def test_concurrent_repeats_of_one_delivery_record_it_once(stack: Stack, tenant: Tenant):
    b2b = tenant.b2b
    model = _deliver(stack, _b2b(b2b))
    _landed(b2b, [model["identificativo_sdi"]])
    files = f"/control/deliveries/{model['identificativo_sdi']}/files"
    fresh = str(800_000_000_000 + random.randrange(10**9))
    envelope = soap.envelope(
        soap.body_element(
            soap.RICEZIONE_TYPES,
            "fileSdIConMetadati",
            [
                ("IdentificativoSdI", fresh),
                ("NomeFile", model["file_name"]),
                ("File", stack.sandbox.get(f"{files}/{model['file_name']}").content),
                ("NomeFileMetadati", model["metadata_file_name"]),
                ("Metadati", stack.sandbox.get(f"{files}/{model['metadata_file_name']}").content),
            ],
        )
    )
    headers = {"Content-Type": soap.SOAP_CONTENT_TYPE, "SOAPAction": RICEVI_FATTURE_ACTION}

    def post(_: int) -> httpx.Response:
        return httpx.post(f"{stack.url}/sdi/RicezioneFatture", content=envelope, headers=headers, timeout=30)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(post, range(6)))
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    assert [i["identificativo_sdi"] for i in b2b.received()].count(fresh) == 1
