"""A sandbox and a notification receiver, both real servers on loopback, and the invoices to send.

The receiver plays the sender's TrasmissioneFatture endpoint: it checks every request against
the official schema and records it; it can be told to answer 503 for a while.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from lxml import etree
from tests.support.cms import throwaway_signer
from tests.support.samples import OFFICIAL
from tests.support.server import serving

from fatturahub.fatturapa import schemas
from fatturahub.fatturapa.naming import progressive
from fatturahub.fatturapa.signature import Signer, sign_cades
from fatturahub.sdi import soap
from fatturahub.sdi.sandbox import SandboxConfig, create_sandbox_app

# The official samples carry identifiers with wrong check digits (SDI 00300/00301/00306).
VALID_IDENTIFIERS = {b"01234567890": b"01234560017", b"09876543210": b"09876540015"}
SENDER = "IT01234560017"
UNREACHABLE = "UNR0000"
RICEVI_FILE_ACTION = '"http://www.fatturapa.it/SdIRiceviFile/RiceviFile"'
_names = itertools.count(1)
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Received:
    soap_action: str
    operation: str  # the body element, e.g. ricevutaConsegna
    identificativo_sdi: int
    file_name: str
    file: bytes


@dataclass
class Receiver:
    received: list[Received] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # requests the official schema refused
    refused: int = 0  # requests answered 503 while down
    down: bool = False

    def clear(self) -> None:
        self.received.clear()
        self.invalid.clear()
        self.refused = 0
        self.down = False

    def of(self, identificativo_sdi: int) -> list[Received]:
        return [r for r in self.received if r.identificativo_sdi == identificativo_sdi]


def receiver_app(receiver: Receiver) -> FastAPI:
    app = FastAPI()

    @app.post("/TrasmissioneFatture")
    async def trasmissione(request: Request) -> Response:
        if receiver.down:
            receiver.refused += 1
            return Response(status_code=503)
        try:
            message = soap.parse(await request.body(), request.headers.get("content-type"))
        except soap.SoapError as exc:
            receiver.invalid.append(str(exc))
            return Response(status_code=202)  # recorded; retrying would not make it valid
        receiver.received.append(
            Received(
                request.headers.get("soapaction", ""),
                message.name,
                int(message.text("IdentificativoSdI") or 0),
                message.text("NomeFile") or "",
                message.binary("File"),
            )
        )
        return Response(status_code=202)

    return app


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    yield Receiver()


@pytest.fixture(scope="session")
def receiver_url(receiver: Receiver) -> Iterator[str]:
    with serving(receiver_app(receiver)) as url:
        yield f"{url}/TrasmissioneFatture"


@pytest.fixture(scope="session")
def sandbox_url(receiver_url: str) -> Iterator[str]:
    config = SandboxConfig(
        notifications_url=receiver_url,
        unreachable=frozenset({UNREACHABLE}),
        retry_initial_seconds=0.05,
        retry_max_seconds=0.2,
    )
    with serving(create_sandbox_app(config)) as url:
        yield url


@pytest.fixture
def client(sandbox_url: str, receiver: Receiver) -> Iterator[httpx.Client]:
    """A client of a sandbox just reset, and an empty receiver."""
    with httpx.Client(base_url=sandbox_url, timeout=30) as http:
        http.post("/control/reset").raise_for_status()
        receiver.clear()
        yield http


@pytest.fixture(scope="session")
def invoice_signer() -> Signer:
    certificate, key = throwaway_signer()
    return Signer(certificate, key)


def unique_name(extension: str = ".xml") -> str:
    return f"{SENDER}_{progressive(next(_names) + 7_000_000)}{extension}"


def sample(name: str, *, numero: str | None = None) -> bytes:
    """An official sample with valid identifiers and, by default, a Numero never sent before."""
    xml = (OFFICIAL / "v1.2" / f"IT01234567890_{name}.xml").read_bytes()
    for wrong, right in VALID_IDENTIFIERS.items():
        xml = xml.replace(wrong, right)
    number = numero or f"SBX{next(_numbers)}"
    return xml.replace(b"<Numero>123</Numero>", f"<Numero>{number}</Numero>".encode(), 1)


def signed_pa_invoice(signer: Signer, **changes: Any) -> bytes:
    return sign_cades(sample("FPA01", **changes), signer)


def ricevi_file_request(file_name: str, content: bytes) -> dict[str, Any]:
    """The httpx arguments of a plain (base64) RiceviFile request."""
    children = [("NomeFile", file_name), ("File", content)]
    body = soap.body_element(soap.TRASMISSIONE_TYPES, "fileSdIAccoglienza", children)
    headers = {"Content-Type": soap.SOAP_CONTENT_TYPE, "SOAPAction": RICEVI_FILE_ACTION}
    return {"url": "/SdIRiceviFile", "content": soap.envelope(body), "headers": headers}


def answer_of(response: httpx.Response) -> soap.Message:
    """The rispostaSdIRiceviFile, checked against the schema of the SdIRiceviFile WSDL (v1.0)."""
    assert response.status_code == 200, response.text
    answer = soap.parse(response.content, response.headers["content-type"])
    assert answer.name == "rispostaSdIRiceviFile"
    body = etree.ElementTree(etree.fromstring(etree.tostring(answer.body)))
    assert schemas.validate(body, schemas.schema("sdicoop/TrasmissioneTypes_v1.0.xsd")) == []
    return answer


def upload(client: httpx.Client, file_name: str, content: bytes) -> soap.Message:
    return answer_of(client.post(**ricevi_file_request(file_name, content)))


def upload_id(client: httpx.Client, file_name: str, content: bytes) -> int:
    """Upload without waiting for the processing; the IdentificativoSdI."""
    return int(upload(client, file_name, content).text("IdentificativoSdI"))


def send(client: httpx.Client, file_name: str, content: bytes) -> int:
    """Upload, wait for every notification to be delivered; the IdentificativoSdI."""
    answer = upload(client, file_name, content)
    assert answer.text("Errore") is None
    flush(client)
    return int(answer.text("IdentificativoSdI"))


def flush(client: httpx.Client) -> None:
    response = client.post("/control/deliveries/flush", params={"timeout": 20})
    assert response.status_code == 200, response.text


def file_state(client: httpx.Client, identificativo_sdi: int) -> dict[str, Any]:
    response = client.get(f"/control/files/{identificativo_sdi}")
    response.raise_for_status()
    return response.json()
