"""The sandbox's SdITrasmissioneFile (the Sistema Ricevente of LIPE and Dati Fattura files), by SOAP
over loopback: Trasmetti answers at once, Esito says SF01 until the file is processed, then SF02
with an EsitoFile (ES01 / ES03 with the schema errors) valid against DatiFatturaMessaggi v2.0."""

from __future__ import annotations

import asyncio
import base64
import itertools
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from lxml import etree
from tests.fiscal.test_datifatture import COMPANY, DECLARANT, customer, invoice
from tests.fiscal.test_ivp18 import communication
from tests.support.cms import throwaway_signer
from tests.support.server import serving

from fatturahub.fatturapa.signature import Signer, sign_cades, verify_xades
from fatturahub.fiscal import esiti
from fatturahub.fiscal.datifatture import issued_invoices_files
from fatturahub.fiscal.lipe import ivp18
from fatturahub.fiscal.naming import FileType, OutcomeFileName, OutcomeType, communication_file_name
from fatturahub.sdi import soap
from fatturahub.sdi.channels import sdidati
from fatturahub.sdi.sandbox import SandboxConfig, create_sandbox_app, mount_sandbox

SENDER = "01234567890"
_counter = itertools.count(1)


def data_file_name(file_type: FileType = FileType.LIPE, extension: str = ".xml") -> str:
    """A name never sent before (the sandbox refuses a repeated name with 00002)."""
    name = communication_file_name(SENDER, file_type, next(_counter))
    return name.stem + extension


def p7m(content: bytes) -> bytes:
    """A CAdES-BES .p7m of `content` (what the Sistema Ricevente wants), with a throwaway certificate."""
    return sign_cades(content, Signer(*throwaway_signer()))


def lipe() -> bytes:
    return ivp18.to_bytes(communication())


def invalid_lipe() -> bytes:
    """IVP18 with two schema errors: a year that is not a number, an amount with a dot."""
    xml = lipe().replace(b"<iv:AnnoImposta>2026</iv:AnnoImposta>", b"<iv:AnnoImposta>20X6</iv:AnnoImposta>")
    return xml.replace(b"<iv:IvaEsigibile>2954,00<", b"<iv:IvaEsigibile>2954.00<")


def dati_fattura() -> bytes:
    return issued_invoices_files(COMPANY, [invoice(1, customer(1)), invoice(2, customer(2))], DECLARANT)[
        0
    ].to_bytes()


def trasmetti_request(file_name: str, tipo_file: str, content: bytes) -> dict[str, Any]:
    return _request(sdidati.trasmetti(file_name, tipo_file, content), sdidati.TRASMETTI_ACTION)


def esito_request(id_file: int | str) -> dict[str, Any]:
    return _request(sdidati.esito(str(id_file)), sdidati.ESITO_ACTION)


def _request(envelope: bytes, action: str) -> dict[str, Any]:
    headers = {"Content-Type": soap.SOAP_CONTENT_TYPE, "SOAPAction": f'"{action}"'}
    return {"url": "/SdITrasmissioneFile", "content": envelope, "headers": headers}


def answer(response: httpx.Response, element: str) -> soap.Message:
    """The answer, checked against the official TrasmissioneFileTypes_v2.0.xsd."""
    assert response.status_code == 200, response.text
    message = sdidati.read(response.content, response.headers["content-type"])
    assert (message.namespace, message.name) == (sdidati.NAMESPACE, element)
    return message


def trasmetti(client: httpx.Client, file_name: str, tipo_file: str, content: bytes) -> soap.Message:
    return answer(client.post(**trasmetti_request(file_name, tipo_file, content)), sdidati.TRASMETTI_ANSWER)


def esito(client: httpx.Client, id_file: int | str) -> soap.Message:
    return answer(client.post(**esito_request(id_file)), sdidati.ESITO_ANSWER)


def process(client: httpx.Client) -> list[dict[str, Any]]:
    response = client.post("/control/data-files/process")
    assert response.status_code == 200, response.text
    return response.json()


def outcome_of(message: soap.Message) -> tuple[str, bytes]:
    notifica = soap.Message(message.body.find("Notifica"))
    return notifica.text("NomeFile"), notifica.binary("File")


@pytest.fixture
def data(client: httpx.Client) -> Iterator[httpx.Client]:
    """The sandbox just reset, its scheduler paused: files stay SF01 until /process."""
    response = client.put("/control/data-files/processing", json={"automatic": False})
    assert response.json() == {"automatic": False, "tick_seconds": 1.0}
    yield client
    client.post("/control/data-files/reset")


def test_a_lipe_file_is_received_then_processed_and_validated(data):
    name = data_file_name()
    received = trasmetti(data, name, "LI", lipe())
    assert received.text("Errore") is None
    id_file = int(received.text("IDFile"))
    assert received.text("DataOraRicezione")

    first = esito(data, id_file)
    assert (first.text("Esito"), first.body.find("Notifica")) == ("SF01", None)
    assert data.get(f"/control/data-files/{id_file}").json()["esito"] == "SF01"

    [processed] = process(data)
    assert (processed["id_file"], processed["status"], processed["outcome"]) == (id_file, "validated", "ES01")

    done = esito(data, id_file)
    assert done.text("Esito") == "SF02"
    outcome_name, outcome = outcome_of(done)
    assert outcome_name == name.removesuffix(".xml") + "_EL_001.xml"
    assert OutcomeFileName.parse(outcome_name).type is OutcomeType.LIPE
    parsed = esiti.parse(outcome)  # valid against DatiFatturaMessaggi_v2.0.xsd
    assert (parsed.file_type, parsed.id_file, parsed.file_name) == ("LI", str(id_file), name)
    assert parsed.outcome is esiti.Outcome.VALIDATED and parsed.errors == ()
    assert verify_xades(outcome).valid
    assert data.get(f"/control/data-files/{id_file}/outcome").content == outcome


def test_a_dati_fattura_file_gets_an_ed_outcome(data):
    name = data_file_name(FileType.DATI_FATTURA)
    id_file = trasmetti(data, name, "DF", dati_fattura()).text("IDFile")
    process(data)
    outcome_name, outcome = outcome_of(esito(data, id_file))
    assert outcome_name == name.removesuffix(".xml") + "_ED_001.xml"
    assert esiti.parse(outcome).outcome is esiti.Outcome.VALIDATED


def test_an_invalid_lipe_file_is_rejected_with_its_schema_errors(data):
    id_file = trasmetti(data, data_file_name(), "LI", invalid_lipe()).text("IDFile")
    process(data)
    parsed = esiti.parse(outcome_of(esito(data, id_file))[1])
    assert parsed.outcome is esiti.Outcome.REJECTED
    assert [e.code for e in parsed.errors] == ["00200", "00200"]
    assert "AnnoImposta" in parsed.errors[0].description
    view = data.get(f"/control/data-files/{id_file}").json()
    assert (view["status"], view["outcome"], view["esito"]) == ("rejected", "ES03", "SF02")
    assert [e["path"] for e in view["errors"]] == [
        "/Fornitura/Comunicazione/Frontespizio/AnnoImposta",
        "/Fornitura/Comunicazione/DatiContabili/Modulo/IvaEsigibile",
    ]


def test_a_lipe_file_sent_as_dati_fattura_is_refused_with_ei04(data):
    refused = trasmetti(data, data_file_name(), "DF", lipe())
    assert refused.text("Errore") == "EI04"
    refused_type = trasmetti(data, data_file_name(), "XX", lipe())
    assert refused_type.text("Errore") == "EI04"
    view = data.get(f"/control/data-files/{refused.text('IDFile')}").json()
    assert (view["status"], view["refusal"], view["esito"]) == ("refused", "EI04", "SF03")
    assert esito(data, refused.text("IDFile")).text("Esito") == "SF03"
    assert process(data) == []


def test_an_empty_file_is_refused_with_ei01(data):
    assert trasmetti(data, data_file_name(), "LI", b"").text("Errore") == "EI01"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("LIPE_FILE_1.xml", lipe(), "00001"),
        (None, b"<iv:Fornitura xmlns:iv='urn:x'>", "00200"),
        (None, b"\x30\x82\x01\x00 not a signature", "00106"),
    ],
)
def test_files_the_checks_refuse_get_es03(data, name, content, code):
    if name is None:
        name = data_file_name(extension=".xml.p7m" if content.startswith(b"\x30") else ".xml")
    id_file = trasmetti(data, name, "LI", content).text("IDFile")
    process(data)
    outcome_name, outcome = outcome_of(esito(data, id_file))
    parsed = esiti.parse(outcome)
    assert parsed.outcome is esiti.Outcome.REJECTED
    assert parsed.errors[0].code == code
    if code == "00001":
        assert (outcome_name, parsed.file_type) == ("LIPE_FILE_1_NA_001.xml", "NA")


def test_a_repeated_file_name_is_rejected_with_00002(data):
    name = data_file_name()
    first = trasmetti(data, name, "LI", lipe()).text("IDFile")
    again = trasmetti(data, name.upper().replace(".XML", ".xml.p7m"), "LI", p7m(lipe())).text("IDFile")
    process(data)
    assert esiti.parse(outcome_of(esito(data, first))[1]).outcome is esiti.Outcome.VALIDATED
    assert esiti.parse(outcome_of(esito(data, again))[1]).errors[0].code == "00002"


def test_a_signed_p7m_is_opened_and_checked(data):
    id_file = trasmetti(data, data_file_name(extension=".xml.p7m"), "LI", p7m(lipe())).text("IDFile")
    id_base64 = trasmetti(data, data_file_name(extension=".xml.p7m"), "LI", base64.b64encode(p7m(lipe())))
    process(data)
    for identifier in (id_file, id_base64.text("IDFile")):
        assert esiti.parse(outcome_of(esito(data, identifier))[1]).outcome is esiti.Outcome.VALIDATED


def test_archives_are_not_processed_sf03(data):
    id_file = trasmetti(data, data_file_name(FileType.LIPE_ARCHIVE, ".zip"), "FL", b"PK\x03\x04").text(
        "IDFile"
    )
    process(data)
    answered = esito(data, id_file)
    assert (answered.text("Esito"), answered.body.find("Notifica")) == ("SF03", None)
    assert "archives" in data.get(f"/control/data-files/{id_file}").json()["failure"]


def test_an_unknown_id_file_is_sf03(data):
    assert esito(data, 999_999_999).text("Esito") == "SF03"


def test_a_rejection_can_be_forced_for_the_next_file(data):
    armed = data.put(
        "/control/data-files/reject-next",
        json={"errors": [{"codice": "00600", "descrizione": "Non autorizzato"}]},
    )
    assert armed.json() == {"armed": True, "errors": [{"codice": "00600", "descrizione": "Non autorizzato"}]}
    rejected = trasmetti(data, data_file_name(), "LI", lipe()).text("IDFile")
    process(data)
    accepted = trasmetti(data, data_file_name(), "LI", lipe()).text("IDFile")
    process(data)
    errors = esiti.parse(outcome_of(esito(data, rejected))[1]).errors
    assert [(e.code, e.description) for e in errors] == [("00600", "Non autorizzato")]
    assert esiti.parse(outcome_of(esito(data, accepted))[1]).outcome is esiti.Outcome.VALIDATED
    assert data.get("/control/data-files/reject-next").json()["armed"] is False


def test_files_of_rejected_senders_are_rejected(data):
    response = data.put("/control/data-files/rejected-senders", json={"codici_fiscali": [SENDER]})
    assert response.json() == {"codici_fiscali": [SENDER]}
    id_file = trasmetti(data, data_file_name(), "LI", lipe()).text("IDFile")
    process(data)
    assert [e.code for e in esiti.parse(outcome_of(esito(data, id_file))[1]).errors] == ["00600"]


def test_the_scheduler_processes_files_on_its_own(data):
    data.put("/control/data-files/processing", json={"automatic": True})
    id_file = trasmetti(data, data_file_name(), "LI", lipe()).text("IDFile")
    deadline = time.monotonic() + 20
    while (state := esito(data, id_file).text("Esito")) == "SF01" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert state == "SF02"


def test_requests_that_break_the_contract_get_a_fault(data):
    wrong_action = trasmetti_request(data_file_name(), "LI", lipe())
    wrong_action["headers"]["SOAPAction"] = f'"{sdidati.ESITO_ACTION}"'
    response = data.post(**wrong_action)
    assert response.status_code == 500 and b"Fault" in response.content
    invalid = esito_request(1)
    invalid["content"] = invalid["content"].replace(b"<IDFile>1</IDFile>", b"<IDFile>zero</IDFile>")
    assert data.post(**invalid).status_code == 500


def test_the_wsdl_is_addressed_to_the_sandbox(data):
    response = data.get("/SdITrasmissioneFile", params={"wsdl": ""})
    assert response.status_code == 200
    tree = etree.fromstring(response.content)
    address = tree.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address.get("location") == str(data.base_url.join("/SdITrasmissioneFile"))
    assert data.get("/TrasmissioneFileTypes_v2.0.xsd").status_code == 200


def test_control_lists_files_and_reset_forgets_them(data):
    id_file = int(trasmetti(data, data_file_name(), "LI", lipe()).text("IDFile"))
    assert [f["id_file"] for f in data.get("/control/data-files").json()] == [id_file]
    assert data.post("/control/reset").status_code == 204
    assert data.get("/control/data-files").json() == []
    assert data.get(f"/control/data-files/{id_file}").status_code == 404
    later = int(trasmetti(data, data_file_name(), "LI", lipe()).text("IDFile"))
    assert later > id_file  # IDFile is never reused


def test_a_mounted_sandbox_runs_the_data_file_service_with_its_host():
    host = FastAPI()
    mount_sandbox(host, "/sandbox", SandboxConfig(notifications_url="http://127.0.0.1:9/TrasmissioneFatture"))
    with serving(host) as url, httpx.Client(base_url=f"{url}/sandbox") as mounted:
        received = trasmetti(mounted, data_file_name(), "LI", lipe())
        assert received.text("Errore") is None  # the scheduler runs: not EI02
        assert esito(mounted, received.text("IDFile")).text("Esito") == "SF01"
        process(mounted)
        assert esito(mounted, received.text("IDFile")).text("Esito") == "SF02"


def test_a_sandbox_whose_lifespan_does_not_run_refuses_with_ei02():
    app = create_sandbox_app(SandboxConfig(notifications_url="http://127.0.0.1:9/TrasmissioneFatture"))
    transport = httpx.ASGITransport(app=app)  # no lifespan

    async def run() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
            sent = await http.post(**trasmetti_request(data_file_name(), "LI", lipe()))
            return sent, await http.post(**esito_request(1))

    sent, asked = asyncio.run(run())
    assert answer(sent, sdidati.TRASMETTI_ANSWER).text("Errore") == "EI02"
    unavailable = answer(asked, sdidati.ESITO_ANSWER)
    assert (unavailable.text("Esito"), unavailable.text("Errore")) == ("SF01", "EE01")
