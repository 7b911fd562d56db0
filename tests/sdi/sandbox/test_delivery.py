"""Delivery of notifications: nothing lost and nothing out of order while the receiver is down,
and many senders at once."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable

import httpx
from tests.sdi.sandbox.conftest import (
    RICEVI_FILE_ACTION,
    Receiver,
    answer_of,
    file_state,
    flush,
    ricevi_file_request,
    sample,
    signed_pa_invoice,
    unique_name,
    upload_id,
)

from fatturahub.fatturapa.signature import Signer
from fatturahub.sdi import soap

XOP = "http://www.w3.org/2004/08/xop/include"


def test_notifications_wait_for_the_receiver_and_arrive_in_order(
    client: httpx.Client, receiver: Receiver, invoice_signer: Signer
) -> None:
    receiver.down = True
    pa_file = upload_id(client, unique_name(".xml.p7m"), signed_pa_invoice(invoice_signer))
    b2b_files = [upload_id(client, unique_name(), sample("FPR01")) for _ in range(3)]
    rejected = upload_id(client, "no_valid_name.xml", sample("FPR01"))
    _wait_for(lambda: file_state(client, pa_file)["status"] == "delivered")
    client.post(f"/control/files/{pa_file}/outcome", json={"esito": "EC01"}).raise_for_status()
    client.post("/control/clock/advance", json={"days": 30}).raise_for_status()  # no DT: answered

    stuck = client.post("/control/deliveries/flush", params={"timeout": 0.5})
    assert stuck.status_code == 504
    assert stuck.headers["content-type"] == "application/problem+json"
    assert receiver.received == []
    waiting = file_state(client, pa_file)["notifications"][0]
    assert waiting["delivered_at"] is None and waiting["last_error"] == "HTTP 503"

    receiver.down = False
    flush(client)
    assert receiver.refused >= 2
    assert [r.operation for r in receiver.of(pa_file)] == ["ricevutaConsegna", "notificaEsito"]
    assert [r.file_name[-10:] for r in receiver.of(pa_file)] == ["RC_001.xml", "NE_002.xml"]
    for identificativo in b2b_files:
        assert [r.operation for r in receiver.of(identificativo)] == ["ricevutaConsegna"]
    assert [r.operation for r in receiver.of(rejected)] == ["notificaScarto"]
    delivered_order = [r.identificativo_sdi for r in receiver.received if r.operation != "notificaEsito"]
    assert delivered_order == [pa_file, *b2b_files, rejected]
    assert file_state(client, pa_file)["notifications"][0]["attempts"] > 1


def test_unreachable_receiver_host_is_retried(client: httpx.Client, receiver: Receiver) -> None:
    """A refused connection is a failed attempt like a 5xx; the sandbox keeps the notification."""
    receiver.down = True
    identificativo = upload_id(client, unique_name(), sample("FPR01"))
    _wait_for(lambda: receiver.refused >= 2)
    receiver.down = False
    flush(client)
    assert len(receiver.of(identificativo)) == 1


def test_concurrent_uploads_get_distinct_identifiers(
    sandbox_url: str, client: httpx.Client, receiver: Receiver
) -> None:
    async def send_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as http:
            requests = [ricevi_file_request(unique_name(), sample("FPR01")) for _ in range(20)]
            return await asyncio.gather(*(http.post(**request) for request in requests))

    identificativi = [int(answer_of(r).text("IdentificativoSdI")) for r in asyncio.run(send_all())]
    flush(client)
    assert len(set(identificativi)) == 20
    assert sorted(r.identificativo_sdi for r in receiver.received) == sorted(identificativi)
    assert {r.operation for r in receiver.received} == {"ricevutaConsegna"}


def test_mtom_upload_is_accepted(client: httpx.Client, receiver: Receiver) -> None:
    boundary = "MIMEBoundary_sandbox"
    invoice = sample("FPR01")
    root = (
        f'<soapenv:Envelope xmlns:soapenv="{soap.SOAP_ENV}"><soapenv:Body>'
        f'<types:fileSdIAccoglienza xmlns:types="{soap.TRASMISSIONE_TYPES}">'
        f"<NomeFile>{unique_name()}</NomeFile>"
        f'<File><xop:Include xmlns:xop="{XOP}" href="cid:invoice@sandbox"/></File>'
        "</types:fileSdIAccoglienza></soapenv:Body></soapenv:Envelope>"
    ).encode()
    body = (
        (
            f'--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="text/xml"\r\n'
            f"Content-ID: <root@sandbox>\r\n\r\n"
        ).encode()
        + root
        + (
            f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            f"Content-ID: <invoice@sandbox>\r\n\r\n"
        ).encode()
        + invoice
        + f"\r\n--{boundary}--\r\n".encode()
    )
    content_type = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
        f'start="<root@sandbox>"; start-info="text/xml"'
    )
    headers = {"Content-Type": content_type, "SOAPAction": RICEVI_FILE_ACTION}
    response = client.post("/SdIRiceviFile", content=body, headers=headers)
    identificativo = int(answer_of(response).text("IdentificativoSdI"))
    flush(client)
    assert file_state(client, identificativo)["hash"] == hashlib.sha256(invoice).hexdigest()
    assert [r.operation for r in receiver.of(identificativo)] == ["ricevutaConsegna"]


def _wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)
