"""The SdITrasmissioneFile v2.0 client (Trasmetti, Esito) of SdiCoopChannel: against a small fake
Sistema Ricevente for every answer it may give (plain or MTOM), and end to end against the sandbox
on loopback with real IVP18 and DatiFattura files."""

from __future__ import annotations

import asyncio
import base64
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Response
from lxml import etree
from tests.sdi.conftest import CannedPeer
from tests.sdi.sandbox.test_datafiles import dati_fattura, invalid_lipe, lipe
from tests.support.server import serving

from fatturahub.fatturapa import schemas
from fatturahub.fiscal import esiti
from fatturahub.fiscal.naming import FileType, communication_file_name
from fatturahub.sdi import soap
from fatturahub.sdi.channels import (
    ChannelConfigurationError,
    DataFileOutcome,
    DataFileReceipt,
    DataFileSubmission,
    Refused,
    SdiCoopChannel,
    TransportError,
    channel_for,
    sandbox_data_url,
    sandbox_outcome_url,
    sandbox_sibling_url,
    sdidati,
)
from fatturahub.sdi.sandbox import SandboxConfig, create_sandbox_app

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/wsdl/trasmissionefile/v2.0"
XSD = "sdicoop/TrasmissioneFileTypes_v2.0.xsd"  # the one SdITrasmissioneFile_v2.0.wsdl imports
TRASMETTI_ACTION = '"http://ivaservizi.agenziaentrate.gov.it/SdITrasmissioneFile/Trasmetti"'
ESITO_ACTION = '"http://ivaservizi.agenziaentrate.gov.it/SdITrasmissioneFile/Esito"'
SUBMISSION = DataFileSubmission("IT01234567890_LI_00001.xml", "LI", b"<Fornitura/>\x00\xff")
ESITO_NAME = "IT01234567890_LI_00001_EL_001.xml"
ESITO_FILE = b"<?xml version='1.0'?><ns2:EsitoFile>\xc3\xa8</ns2:EsitoFile>"
ROOT_ID = "<root.message@cxf.apache.org>"
PART_ID = "esito-1@sdi.example"
XOP = "http://www.w3.org/2004/08/xop/include"
_names = iter(range(1, 10**6))


def envelope(name: str, *children: tuple[str, str]) -> bytes:
    return soap.envelope(soap.body_element(NAMESPACE, name, list(children)))


def risposta_esito(state: str, *, notifica: bool = False, errore: str | None = None) -> bytes:
    body = soap.body_element(NAMESPACE, "rispostaEsito", [("Esito", state)])
    if notifica:
        element = etree.SubElement(body, "Notifica")
        etree.SubElement(element, "NomeFile").text = ESITO_NAME
        etree.SubElement(element, "File").text = base64.b64encode(ESITO_FILE).decode()
    if errore:
        etree.SubElement(body, "Errore").text = errore
    return soap.envelope(body)


def xml(content: bytes, status: int = 200) -> Response:
    return Response(content, status_code=status, media_type=soap.SOAP_CONTENT_TYPE)


def mtom_processed() -> Response:
    """SF02 as the Agenzia's SOAP stack sends it: the EsitoFile as a MIME part behind xop:Include."""
    root = etree.fromstring(risposta_esito("SF02", notifica=True))
    file = next(root.iter("File"))
    file.text = None
    etree.SubElement(file, f"{{{XOP}}}Include", nsmap={"xop": XOP}).set("href", f"cid:{PART_ID}")
    boundary = "uuid:51e2-dati"
    part = "--{b}\r\nContent-Type: {t}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: {i}\r\n\r\n"
    body = (
        part.format(b=boundary, t='application/xop+xml; charset=UTF-8; type="text/xml"', i=ROOT_ID).encode()
        + etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        + b"\r\n"
        + part.format(b=boundary, t="application/octet-stream", i=f"<{PART_ID}>").encode()
        + ESITO_FILE
        + f"\r\n--{boundary}--\r\n".encode()
    )
    content_type = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
        f'start="{ROOT_ID}"; start-info="text/xml"'
    )
    return Response(body, media_type=content_type)


RECEIVED = envelope(
    "rispostaFile", ("IDFile", "000123"), ("DataOraRicezione", "2026-07-01T12:00:00.000+02:00")
)
ANSWERS: dict[str, Callable[[], Response]] = {
    "received": lambda: xml(RECEIVED),
    "received without offset": lambda: xml(
        envelope("rispostaFile", ("IDFile", "7"), ("DataOraRicezione", "2026-01-10T12:00:00"))
    ),
    **{
        code: (
            lambda code=code: xml(
                envelope(
                    "rispostaFile",
                    ("IDFile", "1"),
                    ("DataOraRicezione", "2026-07-01T12:00:00Z"),
                    ("Errore", code),
                )
            )
        )
        for code in ("EI01", "EI02", "EI03", "EI04")
    },
    "SF01": lambda: xml(risposta_esito("SF01")),
    "SF02": lambda: xml(risposta_esito("SF02", notifica=True)),
    "SF02 mtom": mtom_processed,
    "SF03": lambda: xml(risposta_esito("SF03")),
    "EE01": lambda: xml(risposta_esito("SF01", errore="EE01")),
    "EE02": lambda: xml(risposta_esito("SF03", errore="EE02")),
    "SF02 without Notifica": lambda: xml(risposta_esito("SF02")),
    "fault": lambda: xml(soap.fault("sistema in manutenzione", client=False), 500),
    "html 503": lambda: Response("<html>down</html>", 503, media_type="text/html"),
    "invalid": lambda: xml(risposta_esito("SF09")),
    "wrong element": lambda: xml(
        envelope("rispostaFile", ("IDFile", "1"), ("DataOraRicezione", "2026-07-01T12:00:00Z"))
    ),
}


def peer() -> CannedPeer:
    return CannedPeer("/dati-fattura", ANSWERS, "received")


@pytest.fixture(scope="module")
def plain(serve) -> Iterator[CannedPeer]:
    served = peer()
    with serve(served.app()) as base_url:
        served.url = f"{base_url}{served.path}"
        yield served


@pytest.fixture
def server(plain: CannedPeer) -> CannedPeer:
    return plain.reset()


def client_of(url: str, **options: Any) -> SdiCoopChannel:
    return SdiCoopChannel("http://unused.test/SdIRiceviFile", data_endpoint_url=url, **options)


def transmit(channel: SdiCoopChannel, submission: DataFileSubmission = SUBMISSION) -> DataFileReceipt:
    return asyncio.run(channel.transmit_file(submission))


def outcome(channel: SdiCoopChannel, id_file: str = "123") -> DataFileOutcome:
    return asyncio.run(channel.file_outcome(id_file))


def request_body(headers: dict[str, str], body: bytes) -> soap.Message:
    message = soap.parse(body, headers["content-type"], validate=False)
    detached = etree.ElementTree(etree.fromstring(etree.tostring(message.body)))
    assert schemas.validate(detached, schemas.schema(XSD)) == []
    return message


# against the fake Sistema Ricevente


def test_a_file_is_received(server):
    assert transmit(client_of(server.url)) == DataFileReceipt("123", datetime(2026, 7, 1, 10, 0, tzinfo=UTC))


def test_a_time_without_offset_is_italian_time(server):
    server.answer = "received without offset"
    assert transmit(client_of(server.url)).received_at == datetime(2026, 1, 10, 11, 0, tzinfo=UTC)


def test_the_requests_follow_the_official_contract(server):
    channel = client_of(server.url)
    transmit(channel)
    server.answer = "SF01"
    outcome(channel, "123")

    (trasmetti_headers, trasmetti), (esito_headers, esito) = server.requests
    assert trasmetti_headers["soapaction"] == TRASMETTI_ACTION
    assert trasmetti_headers["content-type"].startswith("text/xml")
    message = request_body(trasmetti_headers, trasmetti)
    assert (message.namespace, message.name) == (NAMESPACE, "file")
    assert [etree.QName(child).text for child in message.body] == ["NomeFile", "TipoFile", "File"]
    assert (message.text("NomeFile"), message.text("TipoFile")) == (SUBMISSION.file_name, "LI")
    assert message.binary("File") == SUBMISSION.content

    assert esito_headers["soapaction"] == ESITO_ACTION
    message = request_body(esito_headers, esito)
    assert (message.namespace, message.name, message.text("IDFile")) == (NAMESPACE, "esito", "123")


@pytest.mark.parametrize("code", ["EI01", "EI02", "EI03", "EI04"])
def test_errors_of_trasmetti_are_refusals(server, code):
    server.answer = code
    with pytest.raises(Refused) as raised:
        transmit(client_of(server.url))
    assert raised.value.code == code
    assert raised.value.retryable is (code == "EI02")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("SF01", DataFileOutcome("SF01", None, None)),
        ("SF02", DataFileOutcome("SF02", ESITO_NAME, ESITO_FILE)),
        ("SF02 mtom", DataFileOutcome("SF02", ESITO_NAME, ESITO_FILE)),
        ("SF03", DataFileOutcome("SF03", None, None)),
    ],
)
def test_every_state_of_esito_is_read_plain_or_mtom(server, answer, expected):
    server.answer = answer
    assert outcome(client_of(server.url)) == expected


def test_ee01_is_a_transport_error_and_ee02_a_refusal(server):
    server.answer = "EE01"
    with pytest.raises(TransportError, match="EE01"):
        outcome(client_of(server.url))
    server.answer = "EE02"
    with pytest.raises(Refused) as raised:
        outcome(client_of(server.url))
    assert (raised.value.code, raised.value.retryable) == ("EE02", False)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("fault", "sistema in manutenzione"),
        ("html 503", "HTTP 503"),
        ("invalid", "Esito"),
        ("wrong element", "rispostaFile"),
        ("SF02 without Notifica", "without the Notifica"),
    ],
)
def test_answers_that_are_not_an_esito_are_transport_errors(server, answer, reason):
    server.answer = answer
    with pytest.raises(TransportError, match=reason):
        outcome(client_of(server.url))


def test_a_closed_port_is_a_transport_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransportError, match=f"127.0.0.1:{port}"):
        transmit(client_of(f"http://127.0.0.1:{port}/dati-fattura", timeout=2))


def test_mutual_tls_presents_our_client_certificate(serve, pki):
    served = peer()
    with serve(served.app(), **pki.server_options()) as base_url:
        channel = client_of(
            f"{base_url}/dati-fattura",
            client_cert=pki.client_cert,
            client_key=pki.client_key,
            ca_bundle=pki.ca,
        )
        assert transmit(channel).id_file == "123"
    assert len(served.requests) == 1


def test_submissions_are_checked():
    with pytest.raises(ValueError, match="tipo_file"):
        DataFileSubmission("IT01234567890_LI_00001.xml", "ZZ", b"x")
    with pytest.raises(ValueError, match="file name"):
        DataFileSubmission("lipe file.xml", "LI", b"x")


# settings


def test_without_a_data_endpoint_the_channel_cannot_transmit():
    channel = SdiCoopChannel("https://testservizi.fatturapa.it/ricevi_file")
    with pytest.raises(ChannelConfigurationError, match="data_endpoint_url"):
        transmit(channel)
    with pytest.raises(ChannelConfigurationError, match="data_endpoint_url"):
        outcome(channel)


def sdicoop(pki, **changes: Any) -> SdiCoopChannel:
    settings = {
        "endpoint_url": "https://testservizi.fatturapa.it/ricevi_file",
        "client_cert": pki.client_cert.name,
        "client_key": pki.client_key.name,
    }
    return channel_for(
        "sdicoop",
        settings | changes,
        sandbox_url="http://unused.test/",
        certificates_dir=pki.client_cert.parent,
    )


def test_the_sdicoop_data_endpoint_is_an_optional_setting(pki):
    url = "https://testservizi.fatturapa.it/dati-fattura"
    assert sdicoop(pki, data_endpoint_url=url).data_endpoint_url == url
    assert sdicoop(pki).data_endpoint_url is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [("http://testservizi.fatturapa.it/dati-fattura", "data_endpoint_url must be an https"), (7, "string")],
)
def test_the_sdicoop_data_endpoint_must_be_https(pki, value, reason):
    with pytest.raises(ChannelConfigurationError, match=reason):
        sdicoop(pki, data_endpoint_url=value)


@pytest.mark.parametrize(
    ("ricevi_file", "sibling"),
    [
        ("http://127.0.0.1:8000/sandbox/SdIRiceviFile", "http://127.0.0.1:8000/sandbox/SdITrasmissioneFile"),
        ("http://sandbox.test/SdIRiceviFile?x=1#f", "http://sandbox.test/SdITrasmissioneFile"),
        ("http://sandbox.test/sdi/SdIRiceviFile/", "http://sandbox.test/sdi/SdITrasmissioneFile"),
    ],
)
def test_the_sandbox_channel_transmits_next_to_its_ricevi_file(ricevi_file, sibling):
    assert sandbox_data_url(ricevi_file) == sibling
    assert sandbox_sibling_url(ricevi_file, "SdITrasmissioneFile") == sibling
    assert sandbox_outcome_url(ricevi_file) == sibling.replace("SdITrasmissioneFile", "SdIRiceviNotifica")
    channel = channel_for("sandbox", {}, sandbox_url=ricevi_file, certificates_dir=Path("unused"))
    assert channel.data_endpoint_url == sibling


# end to end, against the sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    config = SandboxConfig(notifications_url="http://127.0.0.1:9/TrasmissioneFatture")
    with serving(create_sandbox_app(config)) as url:
        with httpx.Client(base_url=url) as control:
            control.put("/control/data-files/processing", json={"automatic": False}).raise_for_status()
        yield url


@pytest.fixture
def channel(sandbox: str) -> SdiCoopChannel:
    return channel_for("sandbox", {}, sandbox_url=f"{sandbox}/SdIRiceviFile", certificates_dir=Path("unused"))


def name(file_type: FileType = FileType.LIPE) -> str:
    return str(communication_file_name("01234567890", file_type, next(_names)))


def process(sandbox: str) -> None:
    httpx.post(f"{sandbox}/control/data-files/process").raise_for_status()


def test_a_lipe_file_goes_through_the_sandbox(sandbox, channel):
    receipt = transmit(channel, DataFileSubmission(name(), "LI", lipe()))
    assert receipt.received_at.tzinfo is UTC
    assert outcome(channel, receipt.id_file) == DataFileOutcome("SF01", None, None)
    process(sandbox)
    result = outcome(channel, receipt.id_file)
    assert result.state == "SF02" and result.esito_file_name.endswith("_EL_001.xml")
    esito = esiti.parse(result.esito)
    assert (esito.outcome, esito.id_file, esito.received_at) == (
        esiti.Outcome.VALIDATED,
        receipt.id_file,
        receipt.received_at,
    )


def test_a_dati_fattura_file_goes_through_the_sandbox(sandbox, channel):
    receipt = transmit(channel, DataFileSubmission(name(FileType.DATI_FATTURA), "DF", dati_fattura()))
    process(sandbox)
    result = outcome(channel, receipt.id_file)
    assert result.esito_file_name.endswith("_ED_001.xml")
    assert esiti.parse(result.esito).outcome is esiti.Outcome.VALIDATED


def test_an_invalid_lipe_file_is_rejected_by_the_sandbox(sandbox, channel):
    receipt = transmit(channel, DataFileSubmission(name(), "LI", invalid_lipe()))
    process(sandbox)
    esito = esiti.parse(outcome(channel, receipt.id_file).esito)
    assert esito.outcome is esiti.Outcome.REJECTED
    assert {e.code for e in esito.errors} == {"00200"}


@pytest.mark.parametrize(
    ("submission", "code"),
    [
        (lambda: DataFileSubmission(name(), "DF", lipe()), sdidati.WRONG_FILE_TYPE),
        (lambda: DataFileSubmission(name(), "LI", b""), sdidati.EMPTY_FILE),
    ],
)
def test_the_sandbox_refuses_at_once(channel, submission, code):
    with pytest.raises(Refused) as raised:
        transmit(channel, submission())
    assert raised.value.code == code and not raised.value.retryable
