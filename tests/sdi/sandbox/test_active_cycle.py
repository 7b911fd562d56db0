"""The active cycle end to end over real HTTP: upload by SOAP, SDI's checks, every notification
delivered by SOAP, signed, and valid against the official schemas."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.sdi.sandbox.conftest import (
    UNREACHABLE,
    Receiver,
    file_state,
    flush,
    sample,
    send,
    signed_pa_invoice,
    unique_name,
    upload,
)

from fatturahub.fatturapa.signature import Signer, sign_xades, verify_xades
from fatturahub.sdi.messages import Flow, b2b, pa, parse_message

SOAP_ACTIONS = {
    "ricevutaConsegna": "RicevutaConsegna",
    "notificaScarto": "NotificaScarto",
    "notificaMancataConsegna": "NotificaMancataConsegna",
    "notificaEsito": "NotificaEsito",
    "notificaDecorrenzaTermini": "NotificaDecorrenzaTermini",
    "attestazioneTrasmissioneFattura": "AttestazioneTrasmissioneFattura",
}


def notifications(receiver: Receiver, identificativo_sdi: int) -> list:
    """The messages delivered for one file, each checked: schema, signature, name, SOAP action."""
    assert receiver.invalid == []
    messages = []
    for delivered in receiver.of(identificativo_sdi):
        message = parse_message(delivered.file)
        assert verify_xades(delivered.file).valid
        assert (
            delivered.soap_action
            == f'"http://www.fatturapa.it/TrasmissioneFatture/{SOAP_ACTIONS[delivered.operation]}"'
        )
        assert f"_{message.TYPE_CODE}_" in delivered.file_name
        messages.append(message)
    return messages


def rejection_codes(receiver: Receiver, identificativo_sdi: int) -> list[str]:
    (message,) = notifications(receiver, identificativo_sdi)
    assert isinstance(message, pa.NotificaScarto | b2b.RicevutaScarto)
    return [error.Codice for error in message.ListaErrori.Errore]


def test_valid_b2b_invoice_gets_a_signed_delivery_receipt(client: httpx.Client, receiver: Receiver) -> None:
    name = unique_name()
    answer = upload(client, name, sample("FPR01"))
    identificativo = int(answer.text("IdentificativoSdI"))
    flush(client)

    (receipt,) = notifications(receiver, identificativo)
    assert isinstance(receipt, b2b.RicevutaConsegna)
    assert receipt.IdentificativoSdI == str(identificativo)
    assert receipt.NomeFile == name
    assert receipt.Destinatario.Codice == "ABC1234"
    assert receipt.DataOraRicezione.isoformat() == answer.text("DataOraRicezione")
    (delivered,) = receiver.of(identificativo)
    assert delivered.operation == "ricevutaConsegna"
    assert delivered.file_name == name.removesuffix(".xml") + "_RC_001.xml"
    state = file_state(client, identificativo)
    assert state["status"] == "delivered"
    assert state["flow"] == "B2B"
    assert receipt.Hash == state["hash"]
    assert state["notifications"][0]["delivered_at"] is not None


def test_the_receipt_signature_is_the_sandbox_certificate(client: httpx.Client, receiver: Receiver) -> None:
    identificativo = send(client, unique_name(), sample("FPR01"))
    (delivered,) = receiver.of(identificativo)
    report = verify_xades(delivered.file)
    pem = client.get("/control/certificate").content
    assert report.certificate.subject and "Sandbox" in report.certificate.subject
    assert b"BEGIN CERTIFICATE" in pem


@pytest.mark.parametrize(
    "broken_part",
    [rb"<Divisa>EUR</Divisa>", rb"<FatturaElettronicaHeader>.*</FatturaElettronicaHeader>"],
    ids=["no-divisa", "no-header"],
)
def test_schema_violation_is_rejected_with_00200(
    client: httpx.Client, receiver: Receiver, broken_part: bytes
) -> None:
    broken = re.sub(broken_part, b"", sample("FPR01"), flags=re.S)
    identificativo = send(client, unique_name(), broken)
    assert set(rejection_codes(receiver, identificativo)) == {"00200"}
    assert file_state(client, identificativo)["status"] == "rejected"


def test_b2b_rejection_is_a_ricevuta_scarto(client: httpx.Client, receiver: Receiver) -> None:
    broken = sample("FPR01").replace(b"<Divisa>EUR</Divisa>", b"")
    identificativo = send(client, unique_name(), broken)
    (message,) = notifications(receiver, identificativo)
    assert isinstance(message, b2b.RicevutaScarto)
    assert message.ListaErrori.Errore[0].Suggerimento


@pytest.mark.parametrize("name", ["fattura_prova.xml", "IT01234560017_1.xml", "IT01234560017_00001.pdf"])
def test_bad_file_name_is_rejected_with_00001(client: httpx.Client, receiver: Receiver, name: str) -> None:
    identificativo = send(client, name, sample("FPR01"))
    assert rejection_codes(receiver, identificativo) == ["00001"]


def test_a_file_name_is_used_once(client: httpx.Client, receiver: Receiver) -> None:
    name = unique_name()
    first = send(client, name, sample("FPR01"))
    second = send(client, name, sample("FPR01"))
    assert isinstance(notifications(receiver, first)[0], b2b.RicevutaConsegna)
    assert rejection_codes(receiver, second) == ["00002"]
    signed_variant = send(client, name + ".p7m", b"not even a signature")
    assert rejection_codes(receiver, signed_variant) == ["00002"]


def test_oversized_file_is_rejected_with_00003(client: httpx.Client, receiver: Receiver) -> None:
    padding = b"<!--" + b"x" * (5 * 1024 * 1024) + b"-->"
    identificativo = send(client, unique_name(), sample("FPR01") + padding)
    assert rejection_codes(receiver, identificativo) == ["00003"]


def test_wrong_imposta_is_rejected_with_00421(client: httpx.Client, receiver: Receiver) -> None:
    broken = sample("FPR01").replace(b"<Imposta>1.10</Imposta>", b"<Imposta>1.50</Imposta>")
    identificativo = send(client, unique_name(), broken)
    assert rejection_codes(receiver, identificativo) == ["00421"]
    errors = file_state(client, identificativo)["errors"]
    assert errors[0]["path"].endswith("DatiRiepilogo/Imposta")


def test_same_invoice_again_is_a_duplicate_00404(client: httpx.Client, receiver: Receiver) -> None:
    first = send(client, unique_name(), sample("FPR01", numero="DUP-1"))
    again = send(client, unique_name(), sample("FPR01", numero="DUP-1"))
    assert isinstance(notifications(receiver, first)[0], b2b.RicevutaConsegna)
    assert rejection_codes(receiver, again) == ["00404"]


def test_a_rejected_invoice_may_be_sent_again(client: httpx.Client, receiver: Receiver) -> None:
    broken = sample("FPR01", numero="AGAIN-1").replace(b"<Imposta>1.10</Imposta>", b"<Imposta>9.99</Imposta>")
    rejected = send(client, unique_name(), broken)
    corrected = send(client, unique_name(), sample("FPR01", numero="AGAIN-1"))
    assert rejection_codes(receiver, rejected) == ["00421"]
    assert isinstance(notifications(receiver, corrected)[0], b2b.RicevutaConsegna)


def test_unreachable_b2b_recipient_gets_a_final_mc(client: httpx.Client, receiver: Receiver) -> None:
    xml = sample("FPR01").replace(b"ABC1234", UNREACHABLE.encode())
    identificativo = send(client, unique_name(), xml)
    client.post("/control/clock/advance", json={"days": 30}).raise_for_status()
    flush(client)

    (message,) = notifications(receiver, identificativo)
    assert isinstance(message, b2b.RicevutaImpossibilitaRecapito)
    assert message.DataMessaADisposizione == message.DataOraRicezione.date()
    state = file_state(client, identificativo)
    assert state["status"] == "not_delivered"
    assert state["deadline"] is None


def test_unreachable_pa_gets_mc_then_at_after_ten_days(
    client: httpx.Client, receiver: Receiver, invoice_signer: Signer
) -> None:
    client.put("/control/unreachable", json={"codes": ["AAAAAA"]}).raise_for_status()
    identificativo = send(client, unique_name(".xml.p7m"), signed_pa_invoice(invoice_signer))
    client.post("/control/clock/advance", json={"days": 9, "hours": 23}).raise_for_status()
    flush(client)
    assert [type(m) for m in notifications(receiver, identificativo)] == [pa.NotificaMancataConsegna]

    advanced = client.post("/control/clock/advance", json={"hours": 1}).json()
    flush(client)
    assert advanced["fired"] == [{"identificativo_sdi": identificativo, "type": "AT"}]
    _, at = notifications(receiver, identificativo)
    assert isinstance(at, pa.AttestazioneTrasmissioneFattura)
    assert at.HashFileOriginale == file_state(client, identificativo)["hash"]
    assert file_state(client, identificativo)["status"] == "attested"


@pytest.mark.parametrize("esito", ["EC01", "EC02"])
def test_pa_outcome_is_forwarded_as_ne(
    client: httpx.Client, receiver: Receiver, invoice_signer: Signer, esito: str
) -> None:
    identificativo = send(client, unique_name(".xml.p7m"), signed_pa_invoice(invoice_signer))
    response = client.post(
        f"/control/files/{identificativo}/outcome", json={"esito": esito, "descrizione": "verificata"}
    )
    assert response.status_code == 202, response.text
    flush(client)

    receipt, outcome = notifications(receiver, identificativo)
    assert isinstance(receipt, pa.RicevutaConsegna)
    assert receipt.FLOW is Flow.PA and receipt.Destinatario.Codice == "AAAAAA"
    assert isinstance(outcome, pa.NotificaEsito)
    assert outcome.EsitoCommittente.Esito == esito
    assert outcome.EsitoCommittente.Descrizione == "verificata"
    assert file_state(client, identificativo)["status"] == {"EC01": "accepted", "EC02": "refused"}[esito]
    client.post("/control/clock/advance", json={"days": 20}).raise_for_status()
    flush(client)
    assert len(receiver.of(identificativo)) == 2  # no DT once the PA answered


def test_pa_silence_for_fifteen_days_gives_dt(
    client: httpx.Client, receiver: Receiver, invoice_signer: Signer
) -> None:
    identificativo = send(client, unique_name(".xml.p7m"), signed_pa_invoice(invoice_signer))
    assert file_state(client, identificativo)["deadline"]["type"] == "DT"
    client.post("/control/clock/advance", json={"days": 14}).raise_for_status()
    flush(client)
    assert len(receiver.of(identificativo)) == 1

    client.post("/control/clock/advance", json={"days": 1}).raise_for_status()
    flush(client)
    _, expiry = notifications(receiver, identificativo)
    assert isinstance(expiry, pa.NotificaDecorrenzaTermini)
    assert file_state(client, identificativo)["status"] == "terms_expired"
    late = client.post(f"/control/files/{identificativo}/outcome", json={"esito": "EC01"})
    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"


def test_refused_pa_invoice_no_longer_counts_as_duplicate(
    client: httpx.Client, receiver: Receiver, invoice_signer: Signer
) -> None:
    refused = send(client, unique_name(".xml.p7m"), signed_pa_invoice(invoice_signer, numero="PA-9"))
    client.post(f"/control/files/{refused}/outcome", json={"esito": "EC02"}).raise_for_status()
    reissued = send(client, unique_name(".xml.p7m"), signed_pa_invoice(invoice_signer, numero="PA-9"))
    assert isinstance(notifications(receiver, reissued)[0], pa.RicevutaConsegna)


def test_unsigned_pa_invoice_is_rejected_with_00102(client: httpx.Client, receiver: Receiver) -> None:
    identificativo = send(client, unique_name(), sample("FPA01"))
    assert rejection_codes(receiver, identificativo) == ["00102"]
    (message,) = notifications(receiver, identificativo)
    assert isinstance(message, pa.NotificaScarto)


def test_tampered_p7m_is_rejected(client: httpx.Client, receiver: Receiver, invoice_signer: Signer) -> None:
    signed = signed_pa_invoice(invoice_signer)
    tampered = signed.replace(b"<Divisa>EUR</Divisa>", b"<Divisa>USD</Divisa>")
    identificativo = send(client, unique_name(".xml.p7m"), tampered)
    assert "00102" in rejection_codes(receiver, identificativo)


def test_xades_signed_invoice_is_accepted(
    client: httpx.Client, receiver: Receiver, invoice_signer: Signer
) -> None:
    identificativo = send(client, unique_name(), sign_xades(sample("FPA01"), invoice_signer))
    assert isinstance(notifications(receiver, identificativo)[0], pa.RicevutaConsegna)
