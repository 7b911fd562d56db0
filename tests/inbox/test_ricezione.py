"""/sdi/RicezioneFatture over real HTTP, driven by zeep built from the official WSDL."""

from __future__ import annotations

import base64

import httpx
import pytest
from lxml import etree
from tests.inbox import builders
from tests.support.cms import p7m, to_ber_indefinite

from fatturahub.sdi import soap
from fatturahub.sdi.ricezione import TYPES_XSD_PATH, WSDL_PATH


def test_the_official_wsdl_and_its_types_are_served(hub):
    assert httpx.get(f"{hub.url}/sdi/RicezioneFatture?wsdl").content == WSDL_PATH.read_bytes()
    assert httpx.get(f"{hub.url}/sdi/{TYPES_XSD_PATH.name}").content == TYPES_XSD_PATH.read_bytes()


def test_a_plain_invoice_is_taken_in_charge_and_routed(hub, make_tenant):
    tenant = make_tenant()
    identificativo, esito = hub.deliver(builders.invoice(tenant.partita_iva, numero="PLAIN-1"))

    assert esito == "ER01"
    [item] = tenant.received(numero="PLAIN-1")
    assert item["identificativo_sdi"] == identificativo
    assert item["state"] == "new" and item["readable"] is True
    assert item["signature_status"] == "unsigned"
    assert item["supplier"]["partita_iva"] == "IT01234567890"
    assert item["format"] == "FPR12"


def test_the_answer_is_schema_valid_er01(hub, make_tenant):
    tenant = make_tenant()
    identificativo, name = builders.identificativo(), builders.file_name()
    body = soap.body_element(
        soap.RICEZIONE_TYPES,
        "fileSdIConMetadati",
        [
            ("IdentificativoSdI", identificativo),
            ("NomeFile", name),
            ("File", builders.invoice(tenant.partita_iva)),
            ("NomeFileMetadati", "IT01234567890_00001_MT_001.xml"),
            ("Metadati", builders.metadata(identificativo, name)),
        ],
    )
    response = httpx.post(
        f"{hub.url}/sdi/RicezioneFatture",
        content=soap.envelope(body),
        headers={
            "Content-Type": soap.SOAP_CONTENT_TYPE,
            "SOAPAction": '"http://www.fatturapa.it/RicezioneFatture/RiceviFattureSdI"',
        },
    )
    assert response.status_code == 200
    message = soap.parse(response.content, response.headers["content-type"])  # validates the XSD
    assert message.name == "rispostaRiceviFatture" and message.text("Esito") == "ER01"


@pytest.mark.parametrize("wrap", ["p7m", "base64 p7m", "ber p7m"])
def test_signed_files_are_unwrapped_and_their_signature_verified(hub, make_tenant, wrap):
    tenant = make_tenant()
    signed = p7m(builders.invoice(tenant.partita_iva, numero=f"SIGNED-{wrap[:3]}"))
    content = {
        "p7m": signed,
        "base64 p7m": base64.encodebytes(signed),
        "ber p7m": to_ber_indefinite(signed),
    }[wrap]
    _, esito = hub.deliver(content, name=builders.file_name(".xml.p7m"))

    assert esito == "ER01"
    [item] = tenant.received(numero=f"SIGNED-{wrap[:3]}")
    assert item["signature_status"] in ("valid", "invalid")  # a self-signed throwaway certificate
    detail = tenant.key.get(tenant.path(item["id"])).json()
    assert detail["signature"]["format"].startswith("CAdES")
    assert "cades" in detail["envelopes"]
    assert tenant.key.get(tenant.path(item["id"], "/file")).content == content


def test_a_broken_signature_never_loses_the_invoice(hub, make_tenant):
    tenant = make_tenant()
    signed = bytearray(p7m(builders.invoice(tenant.partita_iva, numero="TAMPERED")))
    signed[-5] ^= 0xFF  # inside the signature value
    _, esito = hub.deliver(bytes(signed), name=builders.file_name(".xml.p7m"))

    assert esito == "ER01"
    [item] = tenant.received(numero="TAMPERED")
    assert item["signature_status"] in ("invalid", "unverifiable")
    assert item["readable"] is True


def test_windows_1252_without_declaration_is_read_and_the_repair_reported(hub, make_tenant):
    tenant = make_tenant()
    xml = builders.invoice(tenant.partita_iva, numero="CP1252", supplier_name="CAFFÈ DELL'ANGOLO SRL")
    content = xml.decode().replace("<?xml version='1.0' encoding='UTF-8'?>", "").encode("cp1252")
    _, esito = hub.deliver(content)

    assert esito == "ER01"
    [item] = tenant.received(numero="CP1252")
    assert item["supplier"]["name"] == "CAFFÈ DELL'ANGOLO SRL"
    assert tenant.key.get(tenant.path(item["id"])).json()["repairs"]


def test_a_lotto_becomes_one_received_invoice_per_body(hub, make_tenant):
    tenant = make_tenant()
    identificativo, _ = hub.deliver(builders.invoice(tenant.partita_iva, sample="FPA03", numero="LOT"))

    items = [i for i in tenant.received() if i["identificativo_sdi"] == identificativo]
    assert sorted((i["position"], i["numero"]) for i in items) == [(1, "LOT"), (2, "LOT-2")]
    assert len({i["file_id"] for i in items}) == 1
    assert all(i["format"] == "FPA12" for i in items)


def test_a_repeat_of_the_same_identificativo_answers_er01_and_creates_nothing(hub, make_tenant):
    tenant = make_tenant()
    content = builders.invoice(tenant.partita_iva, numero="REPEAT")
    identificativo, _ = hub.deliver(content)
    _, again = hub.deliver(content, identificativo=identificativo)

    assert again == "ER01"
    assert len(tenant.received(numero="REPEAT")) == 1


def test_an_xsd_invalid_request_gets_a_client_fault(hub):
    body = soap.body_element(
        soap.RICEZIONE_TYPES, "fileSdIConMetadati", [("IdentificativoSdI", "1"), ("NomeFile", "bad name!")]
    )
    response = httpx.post(
        f"{hub.url}/sdi/RicezioneFatture",
        content=soap.envelope(body),
        headers={"Content-Type": soap.SOAP_CONTENT_TYPE},
    )
    assert response.status_code == 500
    fault = etree.fromstring(response.content).find(f"{{{soap.SOAP_ENV}}}Body/{{{soap.SOAP_ENV}}}Fault")
    assert fault.findtext("faultcode") == "soapenv:Client"


def test_a_mismatched_soap_action_is_refused(hub):
    body = soap.body_element(
        soap.RICEZIONE_TYPES,
        "fileSdI",
        [("IdentificativoSdI", "1"), ("NomeFile", "IT01234567890_00001_DT_001.xml"), ("File", b"x")],
    )
    response = httpx.post(
        f"{hub.url}/sdi/RicezioneFatture",
        content=soap.envelope(body),
        headers={
            "Content-Type": soap.SOAP_CONTENT_TYPE,
            "SOAPAction": "http://www.fatturapa.it/RicezioneFatture/RiceviFattureSdI",
        },
    )
    assert response.status_code == 500


def test_concurrent_repeats_all_answer_er01_and_store_one_file(hub, make_tenant):
    from concurrent.futures import ThreadPoolExecutor

    tenant = make_tenant()
    identificativo, name = builders.identificativo(), builders.file_name()
    body = soap.body_element(
        soap.RICEZIONE_TYPES,
        "fileSdIConMetadati",
        [
            ("IdentificativoSdI", identificativo),
            ("NomeFile", name),
            ("File", builders.invoice(tenant.partita_iva, numero="RACE")),
            ("NomeFileMetadati", "IT01234567890_00001_MT_001.xml"),
            ("Metadati", builders.metadata(identificativo, name)),
        ],
    )

    envelope = soap.envelope(body)  # built once: lxml moves the body element into each envelope

    def post(_: int) -> httpx.Response:
        return httpx.post(
            f"{hub.url}/sdi/RicezioneFatture",
            content=envelope,
            headers={"Content-Type": soap.SOAP_CONTENT_TYPE},
            timeout=30,
        )

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(post, range(6)))

    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers if a.status_code != 200]
    assert len(tenant.received(numero="RACE")) == 1


def test_the_loser_of_a_repeat_race_is_told_it_is_a_repeat(hub, make_tenant, monkeypatch, tmp_path):
    """The unique constraint is what settles a race: force the pre-check to miss the first row."""
    import asyncio

    from fatturahub.db.engine import engine_for, session_factory
    from fatturahub.inbox import repository
    from fatturahub.inbox.receiving import InvoiceRecorder
    from fatturahub.storage import LocalStorage

    tenant = make_tenant()
    identificativo, name = builders.identificativo(), builders.file_name()
    delivery = {
        "operation": "RiceviFatture",
        "identificativo_sdi": identificativo,
        "file_name": name,
        "content": builders.invoice(tenant.partita_iva, numero="LOSER"),
        "metadata_file_name": "IT01234567890_00001_MT_001.xml",
        "metadata": builders.metadata(identificativo, name),
    }
    real = repository.file_by_identificativo
    misses = iter([True])

    async def racing(session, value):
        return None if next(misses, False) else await real(session, value)

    async def run() -> None:
        engine = engine_for(hub.settings)
        try:
            recorder = InvoiceRecorder(session_factory(engine), LocalStorage(tmp_path))
            await recorder(**delivery)  # the winner
            monkeypatch.setattr(repository, "file_by_identificativo", racing)
            await recorder(**delivery)  # the loser: IntegrityError, then sees the winner's row
        finally:
            await engine.dispose()

    asyncio.run(run())
    assert len(tenant.received(numero="LOSER")) == 1
