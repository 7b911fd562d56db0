"""The SdIRiceviFile client against a small real SdIRiceviFile server, over HTTP and mutual TLS."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI, Request, Response
from lxml import etree
from uvicorn.protocols.http.h11_impl import H11Protocol

from fatturahub.fatturapa import schemas
from fatturahub.sdi import soap
from fatturahub.sdi.channels import (
    Acceptance,
    ChannelConfigurationError,
    Refused,
    SdiCoopChannel,
    Submission,
    TransportError,
    channel_for,
)

RICEVI_FILE_XSD = "sdicoop/TrasmissioneTypes_v1.0.xsd"  # the one SdIRiceviFile_v1.0.wsdl imports
SUBMISSION = Submission("IT01234567890_FPA01.xml", b"<p:FatturaElettronica>\x00\xff</p:FatturaElettronica>")
RECEIVED_AT = "2026-11-23T10:15:30.000+01:00"
CXF_ROOT_ID = "<root.message@cxf.apache.org>"


@dataclass
class FakeSdi:
    """SdIRiceviFile per its contract; `answer` picks what the next request gets."""

    answer: str = "accept"
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    peers: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()
        app.post("/SdIRiceviFile")(self.receive)
        return app

    def protocol(self) -> type[H11Protocol]:
        """uvicorn's HTTP protocol, recording the client certificate of each TLS connection: uvicorn
        puts no TLS details in the ASGI scope, but the transport has them after the handshake."""
        peers = self.peers

        class PeerRecordingProtocol(H11Protocol):
            def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
                peers.append(transport.get_extra_info("peercert") or {})
                super().connection_made(transport)

        return PeerRecordingProtocol

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        self.requests.append((dict(request.headers), body))
        message = soap.parse(body, request.headers.get("content-type"))
        assert message.name == "fileSdIAccoglienza"
        while self.answer == "slow" and not await request.is_disconnected():
            await asyncio.sleep(0.05)  # never answers: waits for the client to give up
        return ANSWERS[self.answer]()


def risposta(*children: tuple[str, str]) -> bytes:
    return soap.envelope(soap.body_element(soap.TRASMISSIONE_TYPES, "rispostaSdIRiceviFile", list(children)))


def xml(content: bytes, status: int = 200) -> Response:
    return Response(content, status_code=status, media_type=soap.SOAP_CONTENT_TYPE)


def mtom(envelope: bytes) -> Response:
    """The answer wrapped as SDI's SOAP stack sends it: multipart/related with an XOP root part."""
    boundary = "uuid:4f1b2a6c-sdi"
    body = (
        (
            f'--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="text/xml"\r\n'
            f"Content-Transfer-Encoding: binary\r\nContent-ID: {CXF_ROOT_ID}\r\n\r\n"
        ).encode()
        + envelope
        + f"\r\n--{boundary}--\r\n".encode()
    )
    content_type = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
        f'start="{CXF_ROOT_ID}"; start-info="text/xml"'
    )
    return Response(body, media_type=content_type)


ACCEPTED = risposta(("IdentificativoSdI", "000004321"), ("DataOraRicezione", RECEIVED_AT))


def refusal(code: str) -> Response:
    return xml(risposta(("IdentificativoSdI", "0"), ("DataOraRicezione", RECEIVED_AT), ("Errore", code)))


ANSWERS: dict[str, Callable[[], Response]] = {
    "accept": lambda: xml(ACCEPTED),
    "accept mtom": lambda: mtom(ACCEPTED),
    "accept without offset": lambda: xml(
        risposta(("IdentificativoSdI", "9"), ("DataOraRicezione", "2026-07-01T12:00:00"))
    ),
    "EI01": lambda: refusal("EI01"),
    "EI02": lambda: refusal("EI02"),
    "EI03": lambda: refusal("EI03"),
    "slow": lambda: xml(ACCEPTED),  # never sent: the client has hung up
    "fault": lambda: xml(soap.fault("sistema in manutenzione", client=False), 500),
    "html 503": lambda: Response("<html>down</html>", 503, media_type="text/html"),
    "invalid": lambda: xml(risposta(("IdentificativoSdI", "1"))),
    "wrong element": lambda: xml(soap.envelope(soap.body_element(soap.TRASMISSIONE_TYPES, "fileSdI", []))),
}


@dataclass
class Server:
    url: str
    sdi: FakeSdi


@pytest.fixture(scope="module")
def plain(serve) -> Iterator[Server]:
    sdi = FakeSdi()
    with serve(sdi.app()) as base_url:
        yield Server(f"{base_url}/SdIRiceviFile", sdi)


@pytest.fixture(scope="module")
def mutual_tls(serve, pki) -> Iterator[Server]:
    sdi = FakeSdi()
    with serve(sdi.app(), http=sdi.protocol(), **pki.server_options()) as base_url:
        yield Server(f"{base_url}/SdIRiceviFile", sdi)


@pytest.fixture
def server(plain: Server) -> Server:
    plain.sdi.answer = "accept"
    plain.sdi.requests.clear()
    return plain


def submit(channel: SdiCoopChannel, submission: Submission = SUBMISSION) -> Acceptance:
    return asyncio.run(channel.submit(submission))


def test_an_accepted_file_gives_its_identificativo_and_reception_time_in_utc(server):
    acceptance = submit(SdiCoopChannel(server.url))

    assert acceptance == Acceptance("4321", datetime(2026, 11, 23, 9, 15, 30, tzinfo=UTC))


def test_the_request_follows_the_contract(server):
    submit(SdiCoopChannel(server.url))

    [(headers, body)] = server.sdi.requests
    assert headers["soapaction"] == '"http://www.fatturapa.it/SdIRiceviFile/RiceviFile"'
    assert headers["content-type"].startswith("text/xml")
    envelope = etree.fromstring(body)
    assert envelope.tag == f"{{{soap.SOAP_ENV}}}Envelope"
    [request] = envelope.find(f"{{{soap.SOAP_ENV}}}Body")
    assert schemas.schema(RICEVI_FILE_XSD).validate(etree.ElementTree(request))
    assert request.tag == f"{{{soap.TRASMISSIONE_TYPES}}}fileSdIAccoglienza"
    assert soap.Message(request).text("NomeFile") == SUBMISSION.file_name
    assert soap.Message(request).binary("File") == SUBMISSION.content


def test_an_mtom_answer_is_read(server):
    server.sdi.answer = "accept mtom"
    assert submit(SdiCoopChannel(server.url)).identificativo_sdi == "4321"


def test_a_reception_time_without_offset_is_italian_time(server):
    server.sdi.answer = "accept without offset"
    assert submit(SdiCoopChannel(server.url)).received_at == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("code", "retryable"), [("EI01", False), ("EI02", True), ("EI03", False)])
def test_sdi_errors_are_refusals(server, code, retryable):
    server.sdi.answer = code

    with pytest.raises(Refused) as refusal:
        submit(SdiCoopChannel(server.url))

    assert refusal.value.code == code
    assert refusal.value.retryable is retryable
    assert code in str(refusal.value)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("fault", "sistema in manutenzione"),
        ("html 503", "HTTP 503"),
        ("invalid", "DataOraRicezione"),
        ("wrong element", "fileSdI"),
    ],
)
def test_answers_that_are_not_an_outcome_are_transport_errors(server, answer, reason):
    server.sdi.answer = answer

    with pytest.raises(TransportError, match=reason):
        submit(SdiCoopChannel(server.url))


def test_a_timeout_is_a_transport_error(server):
    server.sdi.answer = "slow"

    with pytest.raises(TransportError, match=r"no answer within 0\.3s"):
        submit(SdiCoopChannel(server.url, timeout=0.3))


def test_a_closed_port_is_a_transport_error():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(TransportError, match="ConnectError"):
        submit(SdiCoopChannel(f"http://127.0.0.1:{port}/SdIRiceviFile"))


def mutual_tls_channel(server: Server, pki) -> SdiCoopChannel:
    return channel_for(
        "sdicoop",
        {
            "endpoint_url": server.url,
            "client_cert": pki.client_cert.name,
            "client_key": pki.client_key.name,
            "ca_bundle": pki.ca.name,
        },
        sandbox_url="http://unused.invalid/",
        certificates_dir=pki.client_cert.parent,
    )


def test_mutual_tls_presents_our_client_certificate(mutual_tls, pki):
    channel = mutual_tls_channel(mutual_tls, pki)

    assert submit(channel).identificativo_sdi == "4321"
    subjects = [dict(attribute[0] for attribute in peer.get("subject", ())) for peer in mutual_tls.sdi.peers]
    assert {"commonName": pki.client_name} in subjects
    [(_, body)] = mutual_tls.sdi.requests[-1:]
    assert soap.parse(body, "text/xml").name == "fileSdIAccoglienza"


def test_submissions_reuse_one_mutual_tls_connection(mutual_tls, pki):
    channel = mutual_tls_channel(mutual_tls, pki)

    async def three() -> list[Acceptance]:
        return [await channel.submit(SUBMISSION) for _ in range(3)]

    connections_before, requests_before = len(mutual_tls.sdi.peers), len(mutual_tls.sdi.requests)
    assert len(asyncio.run(three())) == 3
    assert len(mutual_tls.sdi.requests) - requests_before == 3
    assert len(mutual_tls.sdi.peers) - connections_before == 1  # one handshake for the three


@pytest.mark.parametrize("certificate", ["none", "stranger"])
def test_without_an_accepted_client_certificate_the_handshake_fails(mutual_tls, pki, certificate):
    cert, key = {"none": (None, None), "stranger": (pki.stranger_cert, pki.stranger_key)}[certificate]
    seen = len(mutual_tls.sdi.requests)

    with pytest.raises(TransportError):
        submit(SdiCoopChannel(mutual_tls.url, client_cert=cert, client_key=key, ca_bundle=pki.ca))

    assert len(mutual_tls.sdi.requests) == seen


def test_a_server_certificate_from_an_unknown_ca_is_refused(mutual_tls, pki):
    with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"):
        submit(SdiCoopChannel(mutual_tls.url, client_cert=pki.client_cert, client_key=pki.client_key))


def test_the_sandbox_channel_is_the_same_client_without_tls(server):
    channel = channel_for("sandbox", {}, sandbox_url=server.url, certificates_dir=Path("unused"))
    assert isinstance(channel, SdiCoopChannel)
    assert submit(channel).identificativo_sdi == "4321"


def sdicoop_settings(pki, **changes: Any) -> dict[str, Any]:
    settings = {
        "endpoint_url": "https://testservizi.fatturapa.it/ricevi_file",
        "client_cert": pki.client_cert.name,
        "client_key": pki.client_key.name,
    }
    return {key: value for key, value in (settings | changes).items() if value is not None}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"endpoint_url": None, "client_key": None}, "lack endpoint_url, client_key"),
        ({"endpoint_url": "http://testservizi.fatturapa.it/ricevi_file"}, "https"),
        ({"client_cert": "missing.pem"}, "client_cert: .*missing.pem is not a readable file"),
        ({"client_cert": "/etc/ssl/private/other.key"}, "inside the account's certificates folder"),
        ({"client_key": "../other-account/client.key"}, "inside the account's certificates folder"),
        ({"ca_bundle": "missing-ca.pem"}, "ca_bundle"),
        ({"client_certificate": "x"}, "unknown sdicoop channel settings: client_certificate"),
        ({"client_cert": 42}, "must be a string"),
        ({"timeout": "soon"}, "timeout must be a number"),
        ({"timeout": 0}, "timeout must be positive"),
    ],
)
def test_sdicoop_settings_errors_are_explained(pki, changes, reason):
    with pytest.raises(ChannelConfigurationError, match=reason):
        channel_for(
            "sdicoop",
            sdicoop_settings(pki, **changes),
            sandbox_url="http://sandbox.test/",
            certificates_dir=pki.client_cert.parent,
        )


def test_a_key_that_does_not_match_the_certificate_is_a_configuration_error(pki):
    settings = sdicoop_settings(pki, client_key=pki.stranger_key.name)
    with pytest.raises(ChannelConfigurationError, match="cannot load the TLS certificates"):
        channel_for(
            "sdicoop", settings, sandbox_url="http://sandbox.test/", certificates_dir=pki.stranger_key.parent
        )


def test_an_encrypted_key_is_refused_without_prompting(pki, tmp_path):
    key = serialization.load_pem_private_key(pki.client_key.read_bytes(), password=None)
    encrypted = tmp_path / "encrypted.key"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    with pytest.raises(ChannelConfigurationError, match="encrypted"):
        SdiCoopChannel("https://sdi.test/", client_cert=pki.client_cert, client_key=Path(encrypted))


def test_an_unknown_channel_kind_is_a_configuration_error():
    with pytest.raises(ChannelConfigurationError, match="unknown channel 'pec'"):
        channel_for("pec", {}, sandbox_url="http://sandbox.test/", certificates_dir=Path("unused"))


@pytest.mark.parametrize("url", ["ftp://sdi.test/", "not a url", "https://"])
def test_an_endpoint_that_is_not_http_is_a_configuration_error(url):
    with pytest.raises(ChannelConfigurationError, match="not an http"):
        SdiCoopChannel(url)


@pytest.mark.parametrize("name", ["a.xml", "IT01234567890 FPA01.xml", "IT01234567890_FPA01.xml/../x"])
def test_a_file_name_sdi_would_not_take_is_refused_before_sending(name):
    with pytest.raises(ValueError, match="is not 9-50 characters"):
        Submission(name, b"<x/>")
