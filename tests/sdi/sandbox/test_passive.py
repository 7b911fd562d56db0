"""The sandbox's passive cycle over real HTTP: it delivers supplier invoices to a recipient's
RicezioneFatture (a small test receiver that checks every request against the official schema),
takes the recipient's outcome (EC) on SdIRiceviNotifica through our SDICoop client, and sends DT
after 15 virtual days."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from lxml import etree
from tests.sdi.sandbox.conftest import sample
from tests.support.server import serving

from fatturahub.fatturapa import document
from fatturahub.fatturapa.controls import check
from fatturahub.fatturapa.signature import sign_cades, verify_cades
from fatturahub.sdi import soap
from fatturahub.sdi.channels import OutcomeAnswer, OutcomeSubmission, channel_for
from fatturahub.sdi.messages import EsitoCommittenteType, b2b, build_message, pa, parse_message
from fatturahub.sdi.messages import notification_file_name as message_file_name
from fatturahub.sdi.sandbox import SandboxConfig, create_sandbox_app

RICEVI_FATTURE_ACTION = '"http://www.fatturapa.it/RicezioneFatture/RiceviFattureSdI"'
DT_ACTION = '"http://www.fatturapa.it/RicezioneFatture/NotificaDecorrenzaTermini"'
PA_CODE = "UFABCD"
PA_CF = "80188230587"  # a PA's numeric codice fiscale (valid check digit)
B2B_CODE = "ABC1234"
B2B_PIVA = "01234560017"


@dataclass(frozen=True)
class Delivered:
    soap_action: str
    operation: str
    identificativo_sdi: int
    file_name: str
    file: bytes
    metadata_name: str | None = None
    metadata: bytes | None = None


@dataclass
class Recipient:
    """A RicezioneFatture endpoint per the official WSDL: ER01 to RiceviFatture, 2xx to DT; it can
    be down (503) or answer SOAP faults for a number of requests."""

    delivered: list[Delivered] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    failures: int = 0  # requests to fail before answering normally
    failure: str = "down"  # or "fault"
    refused: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()
        app.post("/RicezioneFatture")(self.receive)
        return app

    async def receive(self, request: Request) -> Response:
        if self.failures > 0:
            self.failures -= 1
            self.refused += 1
            if self.failure == "down":
                return Response(status_code=503)
            return Response(
                soap.fault("in manutenzione", client=False), 500, media_type=soap.SOAP_CONTENT_TYPE
            )
        try:
            message = soap.parse(await request.body(), request.headers.get("content-type"))  # XSD-validated
        except soap.SoapError as exc:
            self.invalid.append(str(exc))
            return Response(soap.fault(str(exc)), 500, media_type=soap.SOAP_CONTENT_TYPE)
        self.delivered.append(_delivered(request.headers.get("soapaction", ""), message))
        if message.name == "fileSdI":
            return Response(status_code=202)  # one-way NotificaDecorrenzaTermini
        answer = soap.body_element(soap.RICEZIONE_TYPES, "rispostaRiceviFatture", [("Esito", "ER01")])
        return Response(soap.envelope(answer), media_type=soap.SOAP_CONTENT_TYPE)

    def of(self, identificativo_sdi: int) -> list[Delivered]:
        return [d for d in self.delivered if d.identificativo_sdi == identificativo_sdi]


def _delivered(action: str, message: soap.Message) -> Delivered:
    has_metadata = message.name == "fileSdIConMetadati"
    return Delivered(
        action,
        message.name,
        int(message.text("IdentificativoSdI") or 0),
        message.text("NomeFile") or "",
        message.binary("File"),
        message.text("NomeFileMetadati") if has_metadata else None,
        message.binary("Metadati") if has_metadata else None,
    )


@pytest.fixture(scope="module")
def recipient() -> Recipient:
    return Recipient()


@pytest.fixture(scope="module")
def passive_url(recipient: Recipient, receiver_url: str) -> Iterator[str]:
    with serving(recipient.app()) as recipient_base:
        config = SandboxConfig(
            notifications_url=receiver_url,
            invoices_url=f"{recipient_base}/RicezioneFatture",
            retry_initial_seconds=0.05,
            retry_max_seconds=0.2,
        )
        with serving(create_sandbox_app(config)) as url:
            yield url


@pytest.fixture
def sandbox(passive_url: str, recipient: Recipient) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=passive_url, timeout=30) as client:
        client.post("/control/reset").raise_for_status()
        recipient.delivered.clear()
        recipient.invalid.clear()
        recipient.failures = recipient.refused = 0
        yield client


def deliver(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/control/deliveries", json=body)
    assert response.status_code == 202, response.text
    flush = client.post("/control/deliveries/flush", params={"timeout": 20})
    assert flush.status_code == 200, flush.text
    return state(client, response.json()["identificativo_sdi"])


def state(client: httpx.Client, identificativo_sdi: int) -> dict[str, Any]:
    response = client.get(f"/control/deliveries/{identificativo_sdi}")
    response.raise_for_status()
    return response.json()


def to_pa(**changes: Any) -> dict[str, Any]:
    spec = {"formato": "FPA12", "codice_destinatario": PA_CODE, "cessionario_codice_fiscale": PA_CF}
    return {"generate": spec | changes}


def to_company(**changes: Any) -> dict[str, Any]:
    spec = {"formato": "FPR12", "codice_destinatario": B2B_CODE, "cessionario_partita_iva": B2B_PIVA}
    return {"generate": spec | changes}


def outcome_file(delivery: dict[str, Any], esito: str = "EC01", **changes: Any) -> OutcomeSubmission:
    ec = pa.NotificaEsitoCommittente(
        IdentificativoSdI=delivery["identificativo_sdi"],
        Esito=EsitoCommittenteType(esito),
        Descrizione=None if esito == "EC01" else "CIG mancante",
        MessageIdCommittente="42",
    )
    fields = {
        "file_name": message_file_name(delivery["file_name"], "EC", 1),
        "identificativo_sdi": str(delivery["identificativo_sdi"]),
        "content": build_message(ec),
    }
    return OutcomeSubmission(**fields | changes)


def send_outcome(sandbox_url: str, outcome: OutcomeSubmission) -> OutcomeAnswer:
    channel = channel_for(
        "sandbox", {}, sandbox_url=f"{sandbox_url}/SdIRiceviFile", certificates_dir=Path("unused")
    )
    return asyncio.run(channel.send_outcome(outcome))


# delivering invoices


def test_generated_b2b_invoice_arrives_with_its_file_metadati(
    sandbox: httpx.Client, recipient: Recipient
) -> None:
    delivery = deliver(sandbox, to_company(lines=4))

    (delivered,) = recipient.of(delivery["identificativo_sdi"])
    assert (delivered.soap_action, delivered.operation) == (RICEVI_FATTURE_ACTION, "fileSdIConMetadati")
    assert delivered.file_name == delivery["file_name"]
    stem = delivery["file_name"].removesuffix(".xml")
    assert delivered.metadata_name == f"{stem}_MT_001.xml"
    metadata = parse_message(delivered.metadata)  # against MessaggiFatturaTypes_v1.0
    assert isinstance(metadata, b2b.FileMetadati)
    assert metadata.IdentificativoSdI == str(delivery["identificativo_sdi"])
    assert (metadata.NomeFile, metadata.CodiceDestinatario, metadata.Formato) == (
        delivered.file_name,
        B2B_CODE,
        "FPR12",
    )
    assert metadata.Hash == hashlib.sha256(delivered.file).hexdigest()
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1
    assert delivery["delivered_at"] is not None and delivery["outcome_deadline"] is None  # no DT for B2B


def test_a_generated_invoice_is_realistic_and_passes_sdi_checks(
    sandbox: httpx.Client, recipient: Recipient
) -> None:
    delivery = deliver(sandbox, to_company(lines=5))

    reading = document.read(recipient.of(delivery["identificativo_sdi"])[0].file)
    assert reading.errors == []
    invoice = reading.document
    transmission = invoice.FatturaElettronicaHeader.DatiTrasmissione
    assert (transmission.CodiceDestinatario, reading.format) == (B2B_CODE, "FPR12")
    customer = invoice.FatturaElettronicaHeader.CessionarioCommittente.DatiAnagrafici
    assert customer.IdFiscaleIVA.IdCodice == B2B_PIVA
    (body,) = invoice.FatturaElettronicaBody
    assert len(body.DatiBeniServizi.DettaglioLinee) == 5
    assert body.DatiBeniServizi.DatiRiepilogo and body.DatiPagamento
    assert check(invoice, receipt_date=date.today(), schema_valid=True).issues == []


def test_signed_base64_lotto_to_a_pa_with_metadati_invio_file(
    sandbox: httpx.Client, recipient: Recipient
) -> None:
    delivery = deliver(sandbox, to_pa(signed=True, base64=True, bodies=3))

    (delivered,) = recipient.of(delivery["identificativo_sdi"])
    assert delivered.file_name.endswith(".xml.p7m")
    reading = document.read(delivered.file)
    assert reading.envelopes == ["base64", "cades"] and reading.errors == []
    assert len(reading.document.FatturaElettronicaBody) == 3
    assert verify_cades(base64.b64decode(delivered.file)).valid
    assert check(reading.document, receipt_date=date.today(), schema_valid=True).issues == []
    metadata = parse_message(delivered.metadata)
    assert isinstance(metadata, pa.MetadatiInvioFile)
    assert (metadata.Formato, metadata.CodiceDestinatario, metadata.TentativiInvio) == ("FPA12", PA_CODE, 1)
    assert delivered.metadata_name == delivered.file_name.removesuffix(".xml.p7m") + "_MT_001.xml"
    assert delivery["outcome_deadline"] is not None


def test_windows_1252_invoice(sandbox: httpx.Client, recipient: Recipient) -> None:
    delivery = deliver(sandbox, to_company(encoding="windows-1252", lines=20))

    file = recipient.of(delivery["identificativo_sdi"])[0].file
    assert file.startswith(b"<?xml version='1.0' encoding='windows-1252'?>")
    assert "à".encode("cp1252") in file or "è".encode("cp1252") in file
    assert document.read(file).errors == []


@pytest.mark.parametrize("form", ["plain", "p7m", "base64 p7m"])
def test_a_given_file_is_delivered_as_given(
    sandbox: httpx.Client, recipient: Recipient, invoice_signer: Any, form: str
) -> None:
    xml = sample("FPA01")
    content = {
        "plain": xml,
        "p7m": sign_cades(xml, invoice_signer),
        "base64 p7m": base64.b64encode(sign_cades(xml, invoice_signer)),
    }[form]
    name = "IT01234560017_GIVEN.xml" if form == "plain" else "IT01234560017_GIVEN.xml.p7m"
    given = {"file_name": name, "content_base64": base64.b64encode(content).decode()}

    delivery = deliver(sandbox, {"file": given})

    (delivered,) = recipient.of(delivery["identificativo_sdi"])
    assert (delivered.file_name, delivered.file) == (name, content)
    metadata = parse_message(delivered.metadata)
    assert isinstance(metadata, pa.MetadatiInvioFile)
    assert (metadata.Formato, metadata.CodiceDestinatario) == ("FPA12", "AAAAAA")  # read from the file


def test_a_given_file_may_say_its_format_and_recipient(sandbox: httpx.Client, recipient: Recipient) -> None:
    given = {
        "file_name": "IT01234560017_OPAQ1.xml",
        "content_base64": base64.b64encode(b"not an invoice at all").decode(),
        "formato": "FPR12",
        "codice_destinatario": B2B_CODE,
    }
    delivery = deliver(sandbox, {"file": given})

    metadata = parse_message(recipient.of(delivery["identificativo_sdi"])[0].metadata)
    assert (metadata.Formato, metadata.CodiceDestinatario) == ("FPR12", B2B_CODE)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"file": {"file_name": "IT01234560017_BAD01.xml", "content_base64": "bm9wZQ=="}}, "not a readable"),
        ({"file": {"file_name": "x.xml", "content_base64": "bm9wZQ=="}}, "file_name"),
        ({"generate": {"formato": "FPR12", "codice_destinatario": B2B_CODE}}, "cessionario"),
        (to_company(cessionario_partita_iva="01234560018"), "check digit"),
        (to_pa(codice_destinatario=B2B_CODE), "6 characters"),
        ({**to_company(), "file": {"file_name": "IT01234560017_X.xml", "content_base64": ""}}, "exactly one"),
    ],
)
def test_bad_delivery_requests_are_422_problems(
    sandbox: httpx.Client, body: dict[str, Any], reason: str
) -> None:
    response = sandbox.post("/control/deliveries", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert reason in response.text


@pytest.mark.parametrize("failure", ["down", "fault"])
def test_delivery_is_retried_until_the_recipient_takes_it(
    sandbox: httpx.Client, recipient: Recipient, failure: str
) -> None:
    recipient.failure, recipient.failures = failure, 3
    identificativo = sandbox.post("/control/deliveries", json=to_company()).json()["identificativo_sdi"]

    pending = state(sandbox, identificativo)
    assert pending["status"] == "pending" or pending["attempts"] >= 4
    sandbox.post("/control/deliveries/flush", params={"timeout": 20}).raise_for_status()

    delivery = state(sandbox, identificativo)
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 4 and recipient.refused == 3
    assert delivery["last_error"] is None
    assert len(recipient.of(identificativo)) == 1


def test_deliveries_list_and_files(sandbox: httpx.Client, recipient: Recipient) -> None:
    first, second = deliver(sandbox, to_company()), deliver(sandbox, to_pa())

    listed = sandbox.get("/control/deliveries").json()
    assert [d["identificativo_sdi"] for d in listed] == [
        first["identificativo_sdi"],
        second["identificativo_sdi"],
    ]
    metadata = sandbox.get(
        f"/control/deliveries/{second['identificativo_sdi']}/files/{second['metadata_file_name']}"
    )
    assert metadata.content == recipient.of(second["identificativo_sdi"])[0].metadata
    assert sandbox.get("/control/deliveries/999999").status_code == 404


# the recipient's outcome (EC) and SDI's answer


@pytest.mark.parametrize(("esito", "status"), [("EC01", "accepted"), ("EC02", "refused")])
def test_an_outcome_in_time_is_taken_and_forwarded_to_the_supplier(
    sandbox: httpx.Client, passive_url: str, esito: str, status: str
) -> None:
    delivery = deliver(sandbox, to_pa())

    answer = send_outcome(passive_url, outcome_file(delivery, esito))

    assert answer == OutcomeAnswer("ES01", None, None)
    after = state(sandbox, delivery["identificativo_sdi"])
    assert after["status"] == status and after["outcome_deadline"] is None
    assert [(o["esito"], o["answer"], o["scarto"]) for o in after["outcomes"]] == [(esito, "ES01", None)]
    (ne,) = after["to_supplier"]
    assert (
        ne["type"] == "NE" and ne["file_name"] == delivery["file_name"].removesuffix(".xml") + "_NE_001.xml"
    )
    sent = sandbox.get(
        f"/control/deliveries/{delivery['identificativo_sdi']}/files/{ne['file_name']}"
    ).content
    message = parse_message(sent)  # schema-valid, so signed: the schema requires ds:Signature
    assert isinstance(message, pa.NotificaEsito)
    assert message.EsitoCommittente.Esito == esito and message.NomeFile == delivery["file_name"]


def test_a_malformed_outcome_gets_se_en00(sandbox: httpx.Client, passive_url: str) -> None:
    delivery = deliver(sandbox, to_pa())
    broken = outcome_file(delivery, content=b"<NotificaEsitoCommittente>oops</NotificaEsitoCommittente>")

    answer = send_outcome(passive_url, broken)

    assert answer.esito == "ES00"
    scarto = parse_message(answer.scarto)
    assert isinstance(scarto, pa.ScartoEsitoCommittente) and scarto.Scarto == "EN00"
    assert scarto.IdentificativoSdI == delivery["identificativo_sdi"]
    assert answer.scarto_file_name == delivery["file_name"].removesuffix(".xml") + "_SE_001.xml"
    after = state(sandbox, delivery["identificativo_sdi"])
    assert after["status"] == "delivered"  # the term is still open: the PA may answer again
    assert [(o["answer"], o["scarto"]) for o in after["outcomes"]] == [("ES00", "EN00")]
    assert send_outcome(passive_url, outcome_file(delivery)).esito == "ES01"


def test_an_outcome_on_an_unknown_invoice_gets_se_en00(sandbox: httpx.Client, passive_url: str) -> None:
    delivery = deliver(sandbox, to_pa())
    unknown = {**delivery, "identificativo_sdi": 987654}

    answer = send_outcome(passive_url, outcome_file(unknown))

    assert answer.esito == "ES00"
    assert parse_message(answer.scarto).Scarto == "EN00"
    assert answer.scarto_file_name.endswith("_SE_001.xml")


def test_a_second_outcome_and_one_on_a_b2b_invoice_are_not_admissible(
    sandbox: httpx.Client, passive_url: str
) -> None:
    to_a_pa, to_a_company = deliver(sandbox, to_pa()), deliver(sandbox, to_company())
    assert send_outcome(passive_url, outcome_file(to_a_pa)).esito == "ES01"

    for delivery in (to_a_pa, to_a_company):
        answer = send_outcome(passive_url, outcome_file(delivery, "EC02"))
        assert answer.esito == "ES00" and parse_message(answer.scarto).Scarto == "EN01"
    assert state(sandbox, to_a_pa["identificativo_sdi"])["status"] == "accepted"


def test_each_body_of_a_lotto_may_be_answered_on_its_own(sandbox: httpx.Client, passive_url: str) -> None:
    lotto = deliver(sandbox, to_pa(bodies=2, lines=1))
    content = sandbox.get(f"/control/deliveries/{lotto['identificativo_sdi']}/files/{lotto['file_name']}")
    bodies = document.read(content.content).document.FatturaElettronicaBody

    def on_body(position: int, esito: str, sequence: int) -> OutcomeAnswer:
        general = bodies[position - 1].DatiGenerali.DatiGeneraliDocumento
        reference = pa.RiferimentoFatturaType(
            NumeroFattura=general.Numero, AnnoFattura=general.Data.year, PosizioneFattura=position
        )
        ec = pa.NotificaEsitoCommittente(
            IdentificativoSdI=lotto["identificativo_sdi"],
            RiferimentoFattura=reference,
            Esito=EsitoCommittenteType(esito),
            Descrizione=None if esito == "EC01" else "CIG mancante",
        )
        name = message_file_name(lotto["file_name"], "EC", sequence)
        return send_outcome(passive_url, outcome_file(lotto, file_name=name, content=build_message(ec)))

    assert on_body(2, "EC02", 1).esito == "ES01"
    again = on_body(2, "EC01", 2)
    assert again.esito == "ES00" and parse_message(again.scarto).Scarto == "EN01"
    assert state(sandbox, lotto["identificativo_sdi"])["status"] == "delivered"  # body 1 is open
    assert on_body(1, "EC01", 3).esito == "ES01"
    whole = send_outcome(
        passive_url, outcome_file(lotto, file_name=message_file_name(lotto["file_name"], "EC", 4))
    )
    assert whole.esito == "ES00" and parse_message(whole.scarto).Scarto == "EN01"
    taken = state(sandbox, lotto["identificativo_sdi"])
    assert [n["type"] for n in taken["to_supplier"]] == ["NE", "NE"]


def test_dt_after_fifteen_days_and_a_late_outcome_gets_se_en01(
    sandbox: httpx.Client, recipient: Recipient, passive_url: str
) -> None:
    delivery = deliver(sandbox, to_pa())
    identificativo = delivery["identificativo_sdi"]
    sandbox.post("/control/clock/advance", json={"days": 14}).raise_for_status()
    assert state(sandbox, identificativo)["status"] == "delivered"

    advanced = sandbox.post("/control/clock/advance", json={"days": 1, "hours": 1}).json()
    sandbox.post("/control/deliveries/flush", params={"timeout": 20}).raise_for_status()

    assert {"identificativo_sdi": identificativo, "type": "DT"} in advanced["fired"]
    dt = recipient.of(identificativo)[-1]
    assert (dt.soap_action, dt.operation) == (DT_ACTION, "fileSdI")
    message = parse_message(dt.file)
    assert isinstance(message, pa.NotificaDecorrenzaTermini) and message.IdentificativoSdI == identificativo
    after = state(sandbox, identificativo)
    assert after["status"] == "terms_expired"
    assert [n["type"] for n in after["to_recipient"]] == ["DT"] and after["to_recipient"][0]["delivered_at"]
    assert [n["type"] for n in after["to_supplier"]] == ["DT"]

    answer = send_outcome(passive_url, outcome_file(delivery))
    assert answer.esito == "ES00" and parse_message(answer.scarto).Scarto == "EN01"


def test_dt_waits_while_the_recipient_is_down(sandbox: httpx.Client, recipient: Recipient) -> None:
    identificativo = deliver(sandbox, to_pa())["identificativo_sdi"]
    recipient.failure, recipient.failures = "down", 2

    sandbox.post("/control/clock/advance", json={"days": 16}).raise_for_status()
    sandbox.post("/control/deliveries/flush", params={"timeout": 20}).raise_for_status()

    (dt,) = state(sandbox, identificativo)["to_recipient"]
    assert dt["attempts"] == 3 and dt["delivered_at"] is not None
    assert [d.operation for d in recipient.of(identificativo)] == ["fileSdIConMetadati", "fileSdI"]


# the SdIRiceviNotifica endpoint itself


def test_notifica_wsdl_points_at_the_sandbox(sandbox: httpx.Client, passive_url: str) -> None:
    wsdl = etree.fromstring(sandbox.get("/SdIRiceviNotifica?wsdl").content)
    (address,) = wsdl.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address.get("location") == f"{passive_url}/SdIRiceviNotifica"
    assert sandbox.get("/RicezioneTypes_v1.0.xsd").status_code == 200


def test_a_request_that_is_not_notifica_esito_gets_a_fault(sandbox: httpx.Client) -> None:
    body = soap.body_element(soap.RICEZIONE_TYPES, "fileSdI", [("NomeFile", "IT01234560017_X_EC_001.xml")])
    response = sandbox.post("/SdIRiceviNotifica", content=soap.envelope(body))
    assert response.status_code == 500
    with pytest.raises(soap.SoapError, match="SOAP fault"):
        soap.parse(response.content, response.headers["content-type"])


def test_without_invoices_url_deliveries_are_a_conflict(receiver_url: str) -> None:
    with (
        serving(create_sandbox_app(SandboxConfig(notifications_url=receiver_url))) as url,
        httpx.Client(base_url=url) as client,
    ):
        response = client.post("/control/deliveries", json=to_company())
    assert response.status_code == 409 and "invoices_url" in response.text


def test_openapi_documents_the_passive_routes(sandbox: httpx.Client) -> None:
    paths = sandbox.get("/openapi.json").json()["paths"]
    for path in (
        "/control/deliveries",
        "/control/deliveries/{identificativo_sdi}",
        "/control/deliveries/{identificativo_sdi}/files/{file_name}",
        "/SdIRiceviNotifica",
    ):
        assert path in paths
