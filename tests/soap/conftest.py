"""A real server (its worker and the SDI sandbox in process, so invoices get notifications) on each
database, tenants made through REST, and zeep clients built offline from the committed WSDL.
Received invoices arrive as SDI delivers them: RiceviFatture on /sdi/RicezioneFatture (zeep from
the official WSDL, the files from tests/inbox/builders.py)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import zeep
from lxml import etree
from tests.inbox import builders
from tests.service.conftest import company_body, login, with_key
from tests.service.test_invoices import minimal_invoice
from tests.support.server import BACKENDS, OPERATOR_TOKEN, database, free_port, running_server
from zeep import Client
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from fatturahub.sdi.ricezione import WSDL_PATH as RICEZIONE_WSDL

WSDL = Path(__file__).parents[2] / "wsdl" / "fatturahub-v1.wsdl"
NS = "urn:fatturahub:soap:v1"
BINDING = f"{{{NS}}}FatturaHub"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
RICEZIONE_BINDING = "{http://www.fatturapa.gov.it/sdi/ws/ricezione/v1.0}RicezioneFatture_binding"


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    with database(request.param, tmp_path_factory.mktemp("soap")) as base:
        settings = base.model_copy(
            update={"public_url": f"http://127.0.0.1:{port}", "sandbox_enabled": True, "run_worker": True}
        )
        with running_server(settings, port=port) as url:
            yield url


@dataclass
class Tenant:
    url: str
    token: str  # an unrestricted API key
    rest: httpx.Client
    owner: httpx.Client
    company_id: str
    template: bytes = field(repr=False)  # a ready FatturaPA XML of this company, Numero "1"
    partita_iva: str = ""

    def invoice_xml(self, numero: str, *, attachment: bytes = b"") -> bytes:
        xml = self.template.replace(b"<Numero>1</Numero>", f"<Numero>{numero}</Numero>".encode())
        if attachment:
            allegati = (
                b"<Allegati><NomeAttachment>big.pdf</NomeAttachment><Attachment>%s</Attachment></Allegati>"
            )
            xml = xml.replace(
                b"</FatturaElettronicaBody>",
                allegati % base64.b64encode(attachment) + b"</FatturaElettronicaBody>",
            )
        return xml

    def soap(self, *, auth: str = "wsse", token: str | None = None) -> Any:
        return soap_client(self.url, token or self.token, auth=auth)

    def rest_invoices(self) -> str:
        return f"/v1/companies/{self.company_id}/invoices"

    def rest_received(self, invoice_id: str = "", suffix: str = "") -> str:
        one = f"/{invoice_id}{suffix}" if invoice_id else ""
        return f"/v1/companies/{self.company_id}/received-invoices{one}"

    def receive(self, content: bytes | None = None, *, name: str | None = None, **invoice: Any) -> dict:
        """SDI delivers a file addressed to this company (`invoice` goes to builders.invoice);
        returns REST's view of its first invoice."""
        content = content if content is not None else builders.invoice(self.partita_iva, **invoice)
        identificativo = deliver(self.url, content, name=name)
        items = self.rest.get(self.rest_received(), params={"limit": 200}).json()["items"]
        return next(i for i in items if i["identificativo_sdi"] == identificativo and i["position"] == 1)


@pytest.fixture(scope="module")
def make_tenant(server) -> Iterator:
    clients: list[httpx.Client] = []

    def make() -> Tenant:
        operator = httpx.Client(base_url=server, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
        email = f"soap-{uuid.uuid4().hex[:10]}@example.com"
        created = operator.post(
            "/v1/accounts", json={"name": "ERP", "email": email, "password": "password password"}
        )
        assert created.status_code == 201, created.text
        owner = login(server, email, "password password")
        company = owner.post("/v1/companies", json=company_body()).json()
        token = owner.post("/v1/api-keys", json={"name": "erp"}).json()["token"]
        rest = with_key(server, token)
        draft = rest.post(
            f"/v1/companies/{company['id']}/invoices", params={"send": "false"}, json=minimal_invoice()
        ).json()
        template = rest.get(f"/v1/companies/{company['id']}/invoices/{draft['id']}/file").content
        clients.extend([operator, owner, rest])
        return Tenant(server, token, rest, owner, company["id"], template, company["partita_iva"])

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="module")
def tenant(make_tenant) -> Tenant:
    return make_tenant()


class Soap:
    """A zeep service proxy, and the last envelope it received (to validate it ourselves)."""

    def __init__(self, client: Client, service: Any, history: HistoryPlugin) -> None:
        self.client, self.service, self.history = client, service, history

    def last_body(self) -> etree._Element:
        envelope = self.history.last_received["envelope"]
        return envelope.find(f"{{{SOAP_ENV}}}Body")[0]


def soap_client(url: str, token: str, *, auth: str = "wsse") -> Soap:
    session = requests.Session()
    wsse = None
    if auth == "wsse":
        wsse = UsernameToken(token.split("_")[1] if token.count("_") >= 2 else "erp", token)
    elif auth == "basic":
        session.auth = ("erp", token)
    history = HistoryPlugin()
    client = Client(str(WSDL), wsse=wsse, transport=Transport(session=session, timeout=60), plugins=[history])
    return Soap(client, client.create_service(BINDING, f"{url}/soap/v1"), history)


def deliver(url: str, content: bytes, *, name: str | None = None) -> str:
    """RiceviFatture as SDI calls it, with SDI's metadata file; returns the IdentificativoSdI."""
    identificativo, name = builders.identificativo(), name or builders.file_name()
    sdi = zeep.Client(str(RICEZIONE_WSDL)).create_service(RICEZIONE_BINDING, f"{url}/sdi/RicezioneFatture")
    answer = sdi.RiceviFatture(
        IdentificativoSdI=int(identificativo),
        NomeFile=name,
        File=content,
        NomeFileMetadati=metadata_file_name(name),
        Metadati=builders.metadata(identificativo, name),
    )
    assert answer == "ER01", answer
    return identificativo


def metadata_file_name(name: str) -> str:
    return name.split(".")[0] + "_MT_001.xml"


def wsdl_schema() -> etree.XMLSchema:
    """The xs:schema inside the committed WSDL, on its own (serialized with the prefixes it inherits)."""
    wsdl = etree.parse(str(WSDL))
    schema = wsdl.find("{http://schemas.xmlsoap.org/wsdl/}types/{http://www.w3.org/2001/XMLSchema}schema")
    return etree.XMLSchema(etree.fromstring(etree.tostring(schema)))


SCHEMA = wsdl_schema()


def assert_valid(element: etree._Element) -> None:
    """Our message, as received, validates against the WSDL's own schema."""
    if not SCHEMA.validate(etree.fromstring(etree.tostring(element))):
        raise AssertionError(str(SCHEMA.error_log))
