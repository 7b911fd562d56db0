"""The control API, the SOAP edges (WSDL, EI01, faults), mounting in a host app, and the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from lxml import etree
from tests.sdi.sandbox.conftest import (
    Receiver,
    file_state,
    flush,
    ricevi_file_request,
    sample,
    send,
    serving,
    unique_name,
    upload,
)

from fatturahub.sdi import soap
from fatturahub.sdi.messages import parse_message
from fatturahub.sdi.sandbox import SandboxConfig, mount_sandbox
from fatturahub.sdi.sandbox.cli import sandbox as sandbox_command

PROBLEM_JSON = "application/problem+json"
WSDL_SOAP = "{http://schemas.xmlsoap.org/wsdl/soap/}address"


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == status and problem["detail"]
    return problem


def test_wsdl_points_at_the_sandbox(client: httpx.Client, sandbox_url: str) -> None:
    response = client.get("/SdIRiceviFile", params={"wsdl": ""})
    assert response.status_code == 200
    wsdl = etree.fromstring(response.content)
    (address,) = wsdl.iter(WSDL_SOAP)
    assert address.get("location") == f"{sandbox_url}/SdIRiceviFile"
    types = client.get("/TrasmissioneTypes_v1.0.xsd")
    assert b"rispostaSdIRiceviFile" in types.content


def test_empty_file_is_refused_at_once_with_ei01(client: httpx.Client) -> None:
    answer = upload(client, unique_name(), b"")
    assert answer.text("Errore") == "EI01"
    assert client.get("/control/files").json() == []


def test_not_a_soap_request_gets_a_fault(client: httpx.Client) -> None:
    response = client.post("/SdIRiceviFile", content=b"<hello/>", headers={"Content-Type": "text/xml"})
    assert response.status_code == 500
    with pytest.raises(soap.SoapError, match="fault"):
        soap.parse(response.content, response.headers["content-type"])


def test_wrong_operation_gets_a_fault(client: httpx.Client) -> None:
    children = [("IdentificativoSdI", "1"), ("NomeFile", "IT0_12345.xml"), ("File", b"x")]
    body = soap.body_element(soap.TRASMISSIONE_TYPES, "fileSdI", children)
    headers = {"Content-Type": "text/xml"}
    response = client.post("/SdIRiceviFile", content=soap.envelope(body), headers=headers)
    assert response.status_code == 500
    assert b"fileSdIAccoglienza" in response.content


def test_files_list_and_notification_download(client: httpx.Client, receiver: Receiver) -> None:
    identificativo = send(client, unique_name(), sample("FPR01"))
    (listed,) = client.get("/control/files").json()
    assert listed == file_state(client, identificativo)
    assert listed["format"] == "FPR12" and listed["codice_destinatario"] == "ABC1234"
    notification = listed["notifications"][0]
    assert notification["type"] == "RC" and notification["attempts"] == 1
    download = client.get(f"/control/files/{identificativo}/notifications/{notification['file_name']}")
    assert download.content == receiver.received[0].file
    assert parse_message(download.content).MessageId == notification["message_id"]


def test_unknown_things_are_404_problems(client: httpx.Client) -> None:
    assert_problem(client.get("/control/files/999999"), 404)
    assert_problem(client.post("/control/files/999999/outcome", json={"esito": "EC01"}), 404)
    identificativo = send(client, unique_name(), sample("FPR01"))
    assert_problem(client.get(f"/control/files/{identificativo}/notifications/nope.xml"), 404)


def test_bad_input_is_a_422_problem(client: httpx.Client) -> None:
    problem = assert_problem(client.post("/control/clock/advance", json={"days": -1}), 422)
    assert problem["errors"][0]["path"] == "days"
    assert_problem(client.post("/control/files/1/outcome", json={"esito": "EC03"}), 422)
    assert_problem(client.put("/control/unreachable", json={"codes": ["abc"]}), 422)
    assert_problem(client.get("/control/files/0"), 422)


def test_b2b_invoices_get_no_outcome(client: httpx.Client) -> None:
    identificativo = send(client, unique_name(), sample("FPR01"))
    response = client.post(f"/control/files/{identificativo}/outcome", json={"esito": "EC01"})
    problem = assert_problem(response, 409)
    assert "FPA12" in problem["detail"]


def test_unreachable_codes_can_be_changed(client: httpx.Client) -> None:
    assert client.get("/control/unreachable").json() == {"codes": ["UNR0000"]}
    assert client.put("/control/unreachable", json={"codes": ["ABC1234"]}).json() == {"codes": ["ABC1234"]}
    identificativo = send(client, unique_name(), sample("FPR01"))
    assert file_state(client, identificativo)["status"] == "not_delivered"


def test_clock_moves_forward_and_reset_puts_it_back(client: httpx.Client) -> None:
    before = client.get("/control/clock").json()
    assert before["offset_seconds"] == 0
    advanced = client.post("/control/clock/advance", json={"days": 2, "hours": 3}).json()
    assert advanced["offset_seconds"] == (2 * 24 + 3) * 3600
    assert advanced["now"] > before["now"] and advanced["fired"] == []
    answer = upload(client, unique_name(), sample("FPR01"))
    assert answer.text("DataOraRicezione") >= advanced["now"]
    client.put("/control/unreachable", json={"codes": []})

    assert client.post("/control/reset").status_code == 204
    assert client.get("/control/clock").json()["offset_seconds"] == 0
    assert client.get("/control/files").json() == []
    assert client.get("/control/unreachable").json() == {"codes": ["UNR0000"]}


def test_identifiers_keep_growing_across_resets(client: httpx.Client) -> None:
    first = send(client, unique_name(), sample("FPR01"))
    client.post("/control/reset")
    assert send(client, unique_name(), sample("FPR01")) > first


def test_openapi_documents_the_control_api(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/control/files",
        "/control/files/{identificativo_sdi}",
        "/control/files/{identificativo_sdi}/outcome",
        "/control/unreachable",
        "/control/clock",
        "/control/clock/advance",
        "/control/deliveries/flush",
        "/control/reset",
    ):
        assert path in paths


def test_mounted_sandbox_runs_with_the_host_lifespan(receiver_url: str, receiver: Receiver) -> None:
    started: list[str] = []

    @asynccontextmanager
    async def host_lifespan(_: FastAPI) -> AsyncIterator[None]:
        started.append("host")
        yield

    host = FastAPI(lifespan=host_lifespan)
    mount_sandbox(host, "/sandbox", SandboxConfig(notifications_url=receiver_url))
    receiver.clear()
    with serving(host) as url, httpx.Client(base_url=f"{url}/sandbox", timeout=30) as client:
        response = client.post(**ricevi_file_request(unique_name(), sample("FPR01")))
        assert soap.parse(response.content, response.headers["content-type"]).text("Errore") is None
        flush(client)
        wsdl = etree.fromstring(client.get("/SdIRiceviFile?wsdl").content)
        (address,) = wsdl.iter(WSDL_SOAP)
        assert address.get("location") == f"{url}/sandbox/SdIRiceviFile"
    assert started == ["host"]
    assert [r.operation for r in receiver.received] == ["ricevutaConsegna"]


def test_cli_validates_recipient_codes() -> None:
    runner = CliRunner()
    assert "--notify-url" in runner.invoke(sandbox_command, ["--help"]).output
    result = runner.invoke(sandbox_command, ["--notify-url", "http://x", "--unreachable", "abc"])
    assert result.exit_code == 2
    assert "CodiceDestinatario" in result.output
