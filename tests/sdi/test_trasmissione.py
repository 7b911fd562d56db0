"""TrasmissioneFatture over real HTTP: zeep, built from the official WSDL, plays SDI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import zeep
from fastapi import FastAPI
from lxml import etree
from zeep.exceptions import Fault

from fatturahub.sdi import soap
from fatturahub.sdi.messages import notification_type, parse_message
from fatturahub.sdi.trasmissione import OPERATION_BY_ELEMENT, WSDL_PATH, router

OFFICIAL = Path(__file__).parents[1] / "data" / "official" / "messaggi"
BINDING = "{http://www.fatturapa.gov.it/sdi/ws/trasmissione/v1.0}TrasmissioneFatture_binding"
SAMPLE_BY_OPERATION = {
    "RicevutaConsegna": "RC",
    "NotificaMancataConsegna": "MC",
    "NotificaScarto": "NS",
    "NotificaEsito": "NE",
    "NotificaDecorrenzaTermini": "DT",
    "AttestazioneTrasmissioneFattura": "AT",
}
IDENTIFICATIVO = "111"
XML_HEADERS = {"Content-Type": soap.SOAP_CONTENT_TYPE}


def sample(type_code: str) -> tuple[str, bytes]:
    name = f"IT01234567890_11111_{type_code}_001.xml"
    return name, (OFFICIAL / name).read_bytes()


@dataclass
class RecordingSink:
    received: list[dict[str, Any]] = field(default_factory=list)
    failure: Exception | None = None

    async def __call__(
        self, *, operation: str, identificativo_sdi: str, file_name: str, content: bytes
    ) -> None:
        if self.failure is not None:
            raise self.failure
        self.received.append(
            {
                "operation": operation,
                "identificativo_sdi": identificativo_sdi,
                "file_name": file_name,
                "content": content,
            }
        )


@dataclass
class Endpoint:
    base_url: str
    sink: RecordingSink

    @property
    def url(self) -> str:
        return f"{self.base_url}/sdi/TrasmissioneFatture"

    def post(self, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.post(self.url, content=content, headers=headers or XML_HEADERS, timeout=10)


@pytest.fixture(scope="module")
def server(serve) -> Iterator[Endpoint]:
    app = FastAPI()
    app.include_router(router)
    app.state.notification_sink = RecordingSink()
    with serve(app) as base_url:
        yield Endpoint(base_url, app.state.notification_sink)


@pytest.fixture
def endpoint(server: Endpoint) -> Endpoint:
    server.sink.received.clear()
    server.sink.failure = None
    return server


@pytest.fixture(scope="module")
def sdi(server: Endpoint) -> Any:
    """zeep, from the vendored official WSDL, pointed at our endpoint."""
    return zeep.Client(str(WSDL_PATH)).create_service(BINDING, server.url)


def notification_envelope(element: str = "ricevutaConsegna", **overrides: str | bytes | None) -> bytes:
    name, content = sample("RC")
    children = {"IdentificativoSdI": IDENTIFICATIVO, "NomeFile": name, "File": content} | overrides
    pairs = [(child, value) for child, value in children.items() if value is not None]
    return soap.envelope(soap.body_element(soap.TRASMISSIONE_TYPES, element, pairs))


def fault_of(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/xml")
    fault = etree.fromstring(response.content).find(f"{{{soap.SOAP_ENV}}}Body/{{{soap.SOAP_ENV}}}Fault")
    return fault.findtext("faultcode"), fault.findtext("faultstring")


@pytest.mark.parametrize("operation", SAMPLE_BY_OPERATION)
def test_every_notification_sent_by_zeep_reaches_the_sink_verbatim(sdi, endpoint, operation):
    type_code = SAMPLE_BY_OPERATION[operation]
    name, content = sample(type_code)

    answer = getattr(sdi, operation)(IdentificativoSdI=int(IDENTIFICATIVO), NomeFile=name, File=content)

    assert answer is None  # a one-way operation: 202, empty body
    assert endpoint.sink.received == [
        {"operation": operation, "identificativo_sdi": IDENTIFICATIVO, "file_name": name, "content": content}
    ]
    assert notification_type(parse_message(endpoint.sink.received[0]["content"])) == type_code


def test_the_answer_is_202_with_an_empty_body(endpoint):
    headers = {**XML_HEADERS, "SOAPAction": '"http://www.fatturapa.it/TrasmissioneFatture/RicevutaConsegna"'}
    response = endpoint.post(notification_envelope(), headers)
    assert (response.status_code, response.content) == (202, b"")


def test_the_identificativo_reaches_the_sink_in_canonical_form(endpoint):
    assert endpoint.post(notification_envelope(IdentificativoSdI="000000000111")).status_code == 202
    assert endpoint.sink.received[0]["identificativo_sdi"] == IDENTIFICATIVO


def test_mtom_requests_are_read(endpoint):
    name, content = sample("NS")
    binary = content + bytes(range(256))  # bytes that must survive the multipart untouched
    include = '<xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:file-1%40sdi.test"/>'
    root = (
        f'<s:Envelope xmlns:s="{soap.SOAP_ENV}"><s:Body>'
        f'<t:notificaScarto xmlns:t="{soap.TRASMISSIONE_TYPES}">'
        f"<IdentificativoSdI>{IDENTIFICATIVO}</IdentificativoSdI><NomeFile>{name}</NomeFile>"
        f"<File>{include}</File></t:notificaScarto></s:Body></s:Envelope>"
    ).encode()
    body = (
        b'--MIMEBoundary\r\nContent-Type: application/xop+xml; charset=UTF-8; type="text/xml"\r\n'
        b"Content-Transfer-Encoding: binary\r\nContent-ID: <root@sdi.test>\r\n\r\n" + root + b"\r\n"
        b"--MIMEBoundary\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n"
        b"Content-ID: <file-1@sdi.test>\r\n\r\n" + binary + b"\r\n--MIMEBoundary--\r\n"
    )
    content_type = (
        'multipart/related; type="application/xop+xml"; boundary="MIMEBoundary"; '
        'start="<root@sdi.test>"; start-info="text/xml"'
    )

    response = endpoint.post(body, {"Content-Type": content_type})

    assert response.status_code == 202, response.text
    assert endpoint.sink.received[0]["operation"] == "NotificaScarto"
    assert endpoint.sink.received[0]["content"] == binary


def test_the_wsdl_is_served_as_is_and_usable_by_url(endpoint):
    response = httpx.get(endpoint.url, params={"wsdl": ""})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.content == WSDL_PATH.read_bytes()

    # zeep follows the WSDL's relative schemaLocation to our copy of the types XSD
    service = zeep.Client(f"{endpoint.url}?wsdl").create_service(BINDING, endpoint.url)
    name, content = sample("DT")
    service.NotificaDecorrenzaTermini(IdentificativoSdI=7, NomeFile=name, File=content)
    assert endpoint.sink.received[0]["operation"] == "NotificaDecorrenzaTermini"


def test_get_without_wsdl_is_not_found(endpoint):
    assert httpx.get(endpoint.url).status_code == 404


def test_each_body_element_maps_to_its_wsdl_operation():
    wsdl = etree.parse(str(WSDL_PATH))
    ns = {"wsdl": "http://schemas.xmlsoap.org/wsdl/"}
    parts = {
        message.get("name"): message.find("wsdl:part", ns).get("element").split(":")[1]
        for message in wsdl.iterfind("wsdl:message", ns)
    }
    operations = {
        parts[op.find("wsdl:input", ns).get("message").split(":")[1]]: op.get("name")
        for op in wsdl.iterfind("wsdl:portType/wsdl:operation", ns)
    }
    assert operations == OPERATION_BY_ELEMENT


BROKEN_REQUESTS = {
    "not xml": (b"<s:Envelope", "not well-formed"),
    "not an envelope": (b"<ricevutaConsegna/>", "not a SOAP 1.1 envelope"),
    "soap 1.2 envelope": (
        notification_envelope().replace(soap.SOAP_ENV.encode(), b"http://www.w3.org/2003/05/soap-envelope"),
        "not a SOAP 1.1 envelope",
    ),
    "empty body": (
        f'<s:Envelope xmlns:s="{soap.SOAP_ENV}"><s:Body/></s:Envelope>'.encode(),
        "exactly one element",
    ),
    "wrong namespace": (
        notification_envelope().replace(soap.TRASMISSIONE_TYPES.encode(), soap.RICEZIONE_TYPES.encode()),
        "not an operation of TrasmissioneFatture",
    ),
    "other operation": (notification_envelope("fileSdIAccoglienza"), "not an operation"),
    "missing element": (notification_envelope(File=None), "File"),
    "non-base64 file": (notification_envelope(File="not base64!"), "base64"),
    "identificativo too long": (
        notification_envelope(IdentificativoSdI="1234567890123"),
        "IdentificativoSdI",
    ),
    "bad file name": (notification_envelope(NomeFile="a b"), "NomeFile"),
    "entities": (
        b'<!DOCTYPE s [<!ENTITY x "y">]><s:Envelope xmlns:s="' + soap.SOAP_ENV.encode() + b'"/>',
        "DTDs",
    ),
}


@pytest.mark.parametrize("case", BROKEN_REQUESTS)
def test_broken_requests_get_a_client_fault(endpoint, case):
    body, reason = BROKEN_REQUESTS[case]
    code, message = fault_of(endpoint.post(body))
    assert code == "soapenv:Client"
    assert reason in message
    assert "Traceback" not in message
    assert endpoint.sink.received == []


MTOM_ROOT = b'--B\r\nContent-Type: application/xop+xml; type="text/xml"\r\nContent-ID: <root>\r\n\r\n'
BROKEN_MTOM = {
    "no boundary": ("multipart/related", b"anything", "without parts"),
    "root part not xml": (
        'multipart/related; boundary="B"',
        MTOM_ROOT + b"<oops\r\n--B--\r\n",
        "well-formed",
    ),
    "missing attachment": (
        'multipart/related; boundary="B"; start="<root>"',
        MTOM_ROOT
        + notification_envelope(File="").replace(
            b"<File></File>",
            b'<File><x:Include xmlns:x="http://www.w3.org/2004/08/xop/include" href="cid:gone"/></File>',
        )
        + b"\r\n--B--\r\n",
        "MTOM part 'cid:gone' is missing",
    ),
}


@pytest.mark.parametrize("case", BROKEN_MTOM)
def test_broken_mtom_requests_get_a_client_fault(endpoint, case):
    content_type, body, reason = BROKEN_MTOM[case]
    code, message = fault_of(endpoint.post(body, {"Content-Type": content_type}))
    assert code == "soapenv:Client"
    assert reason in message
    assert endpoint.sink.received == []


def test_a_soap_action_naming_another_operation_gets_a_client_fault(endpoint):
    headers = {**XML_HEADERS, "SOAPAction": '"http://www.fatturapa.it/TrasmissioneFatture/NotificaScarto"'}
    code, message = fault_of(endpoint.post(notification_envelope(), headers))
    assert code == "soapenv:Client"
    assert "RicevutaConsegna" in message
    assert endpoint.sink.received == []


def test_oversized_bodies_are_refused_unread(endpoint):
    body = b" " * (soap.MAX_MESSAGE_BYTES + 1)
    code, message = fault_of(endpoint.post(body))
    assert code == "soapenv:Client"
    assert "larger than" in message


def test_oversized_bodies_without_a_length_are_refused_while_streaming(endpoint):
    def chunks() -> Iterator[bytes]:
        for _ in range(soap.MAX_MESSAGE_BYTES // 65536 + 2):
            yield b" " * 65536

    code, message = fault_of(endpoint.post(chunks()))
    assert code == "soapenv:Client"
    assert "larger than" in message


def test_a_failing_sink_gets_a_server_fault_so_sdi_retries(sdi, endpoint):
    endpoint.sink.failure = RuntimeError("database is down")
    name, content = sample("RC")

    with pytest.raises(Fault) as fault:
        sdi.RicevutaConsegna(IdentificativoSdI=1, NomeFile=name, File=content)

    assert fault.value.code == "soapenv:Server"
    assert "database" not in fault.value.message  # internals stay in our log


def test_without_a_sink_the_answer_is_a_server_fault(serve):
    app = FastAPI()
    app.include_router(router)
    with serve(app) as base_url:
        response = httpx.post(
            f"{base_url}/sdi/TrasmissioneFatture", content=notification_envelope(), headers=XML_HEADERS
        )
    assert fault_of(response)[0] == "soapenv:Server"
