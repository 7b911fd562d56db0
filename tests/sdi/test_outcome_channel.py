"""The SdIRiceviNotifica client (NotificaEsito) against a small real server, plain and over mutual
TLS: the request follows the official contract, every answer SDI may give is read (plain or MTOM),
and whatever is not an answer is a TransportError."""

from __future__ import annotations

import asyncio
import base64
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import Response
from lxml import etree
from tests.sdi.conftest import CannedPeer

from fatturahub.fatturapa import schemas
from fatturahub.sdi import soap
from fatturahub.sdi.channels import (
    ChannelConfigurationError,
    OutcomeAnswer,
    OutcomeSubmission,
    SdiCoopChannel,
    TransportError,
    channel_for,
    sandbox_outcome_url,
)

RICEZIONE_XSD = "sdicoop/RicezioneTypes_v1.0.xsd"  # the one SdIRiceviNotifica_v1.0.wsdl imports
NOTIFICA_ESITO_ACTION = '"http://www.fatturapa.it/SdIRicezioneNotifiche/NotificaEsito"'
OUTCOME = OutcomeSubmission("IT01234567890_00001_EC_001.xml", "4321", b"<NotificaEsitoCommittente/>\x00\xff")
SCARTO_NAME = "IT01234567890_00001_SE_001.xml"
SCARTO = b"<?xml version='1.0'?><types:ScartoEsitoCommittente>\xc3\xa8</types:ScartoEsitoCommittente>"
ROOT_ID = "<root.message@cxf.apache.org>"
SCARTO_ID = "se-1@sdi.example"
XOP = "http://www.w3.org/2004/08/xop/include"


def risposta(esito: str, *, scarto: bool = False) -> bytes:
    body = soap.body_element(soap.RICEZIONE_TYPES, "rispostaSdINotificaEsito", [("Esito", esito)])
    if scarto:
        element = etree.SubElement(body, "ScartoEsito")
        etree.SubElement(element, "NomeFile").text = SCARTO_NAME
        etree.SubElement(element, "File").text = base64.b64encode(SCARTO).decode()
    return soap.envelope(body)


def xml(content: bytes, status: int = 200) -> Response:
    return Response(content, status_code=status, media_type=soap.SOAP_CONTENT_TYPE)


def mtom_with_attachment() -> Response:
    """ES00 as SDI's stack sends it: the SE file as a separate MIME part referenced by xop:Include."""
    envelope = risposta("ES00", scarto=True)
    root = etree.fromstring(envelope)
    file = next(root.iter("File"))
    file.text = None
    include = etree.SubElement(file, f"{{{XOP}}}Include", nsmap={"xop": XOP})
    include.set("href", f"cid:{SCARTO_ID}")
    boundary = "uuid:7a1e-sdi"
    part = (
        f"--{boundary}\r\nContent-Type: {{}}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: {{}}\r\n\r\n"
    )
    body = (
        part.format('application/xop+xml; charset=UTF-8; type="text/xml"', ROOT_ID).encode()
        + etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        + b"\r\n"
        + part.format("application/octet-stream", f"<{SCARTO_ID}>").encode()
        + SCARTO
        + f"\r\n--{boundary}--\r\n".encode()
    )
    content_type = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
        f'start="{ROOT_ID}"; start-info="text/xml"'
    )
    return Response(body, media_type=content_type)


ANSWERS: dict[str, Callable[[], Response]] = {
    "ES01": lambda: xml(risposta("ES01")),
    "ES00": lambda: xml(risposta("ES00", scarto=True)),
    "ES00 mtom": mtom_with_attachment,
    "ES02": lambda: xml(risposta("ES02")),
    "ES00 without SE": lambda: xml(risposta("ES00")),
    "fault": lambda: xml(soap.fault("sistema in manutenzione", client=False), 500),
    "html 503": lambda: Response("<html>down</html>", 503, media_type="text/html"),
    "invalid": lambda: xml(risposta("ES09")),
    "wrong element": lambda: xml(
        soap.envelope(soap.body_element(soap.RICEZIONE_TYPES, "rispostaRiceviFatture", [("Esito", "ER01")]))
    ),
}


def peer() -> CannedPeer:
    return CannedPeer("/ricevi_notifica", ANSWERS, "ES01")


@pytest.fixture(scope="module")
def plain(serve) -> Iterator[CannedPeer]:
    served = peer()
    with serve(served.app()) as base_url:
        served.url = f"{base_url}{served.path}"
        yield served


@pytest.fixture
def server(plain: CannedPeer) -> CannedPeer:
    return plain.reset()


def send(channel: SdiCoopChannel, outcome: OutcomeSubmission = OUTCOME) -> OutcomeAnswer:
    return asyncio.run(channel.send_outcome(outcome))


def client_of(url: str, **options: Any) -> SdiCoopChannel:
    return SdiCoopChannel("http://unused.test/SdIRiceviFile", outcome_endpoint_url=url, **options)


def test_an_accepted_outcome(server):
    assert send(client_of(server.url)) == OutcomeAnswer("ES01", None, None)


def test_the_request_follows_the_official_contract(server):
    send(client_of(server.url))

    ((headers, body),) = server.requests
    assert headers["soapaction"] == NOTIFICA_ESITO_ACTION
    assert headers["content-type"].startswith("text/xml")
    message = soap.parse(body, headers["content-type"], validate=False)
    assert (message.namespace, message.name) == (
        "http://www.fatturapa.gov.it/sdi/ws/ricezione/v1.0/types",
        "fileSdI",
    )
    detached = etree.ElementTree(etree.fromstring(etree.tostring(message.body)))
    assert schemas.validate(detached, schemas.schema(RICEZIONE_XSD)) == []
    assert (message.text("IdentificativoSdI"), message.text("NomeFile")) == ("4321", OUTCOME.file_name)
    assert message.binary("File") == OUTCOME.content


@pytest.mark.parametrize("answer", ["ES00", "ES00 mtom"])
def test_a_refusal_carries_the_scarto_file_verbatim(server, answer):
    server.answer = answer
    assert send(client_of(server.url)) == OutcomeAnswer("ES00", SCARTO_NAME, SCARTO)


def test_service_unavailable_is_an_answer(server):
    server.answer = "ES02"
    assert send(client_of(server.url)) == OutcomeAnswer("ES02", None, None)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("fault", "sistema in manutenzione"),
        ("html 503", "HTTP 503"),
        ("invalid", "Esito"),
        ("wrong element", "rispostaRiceviFatture"),
        ("ES00 without SE", "without the ScartoEsito"),
    ],
)
def test_answers_that_are_not_an_outcome_answer_are_transport_errors(server, answer, reason):
    server.answer = answer
    with pytest.raises(TransportError, match=reason):
        send(client_of(server.url))


def test_a_closed_port_is_a_transport_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransportError, match=f"127.0.0.1:{port}"):
        send(client_of(f"http://127.0.0.1:{port}/ricevi_notifica", timeout=2))


def test_mutual_tls_presents_our_client_certificate(serve, pki):
    served = peer()
    with serve(served.app(), **pki.server_options()) as base_url:
        channel = client_of(
            f"{base_url}/ricevi_notifica",
            client_cert=pki.client_cert,
            client_key=pki.client_key,
            ca_bundle=pki.ca,
        )
        assert send(channel).esito == "ES01"
        stranger = client_of(
            f"{base_url}/ricevi_notifica",
            client_cert=pki.stranger_cert,
            client_key=pki.stranger_key,
            ca_bundle=pki.ca,
        )
        with pytest.raises(TransportError):
            send(stranger)
    assert len(served.requests) == 1


def test_without_an_outcome_endpoint_the_channel_cannot_send_outcomes():
    with pytest.raises(ChannelConfigurationError, match="outcome_endpoint_url"):
        send(SdiCoopChannel("https://testservizi.fatturapa.it/ricevi_file"))


@pytest.mark.parametrize(
    ("ricevi_file", "ricevi_notifica"),
    [
        ("http://127.0.0.1:8000/sandbox/SdIRiceviFile", "http://127.0.0.1:8000/sandbox/SdIRiceviNotifica"),
        ("http://sandbox.test/SdIRiceviFile?x=1", "http://sandbox.test/SdIRiceviNotifica"),
        ("http://sandbox.test/sdi/SdIRiceviFile/", "http://sandbox.test/sdi/SdIRiceviNotifica"),
    ],
)
def test_the_sandbox_channel_sends_outcomes_next_to_its_ricevi_file(ricevi_file, ricevi_notifica):
    assert sandbox_outcome_url(ricevi_file) == ricevi_notifica
    channel = channel_for("sandbox", {}, sandbox_url=ricevi_file, certificates_dir=Path("unused"))
    assert channel.outcome_endpoint_url == ricevi_notifica


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


def test_the_sdicoop_outcome_endpoint_is_a_setting(pki):
    url = "https://testservizi.fatturapa.it/ricevi_notifica"
    assert sdicoop(pki, outcome_endpoint_url=url).outcome_endpoint_url == url
    assert sdicoop(pki).outcome_endpoint_url is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("http://testservizi.fatturapa.it/ricevi_notifica", "outcome_endpoint_url must be an https"),
        (7, "string"),
    ],
)
def test_the_sdicoop_outcome_endpoint_must_be_https(pki, value, reason):
    with pytest.raises(ChannelConfigurationError, match=reason):
        sdicoop(pki, outcome_endpoint_url=value)
