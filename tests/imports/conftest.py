"""A live FatturaHub with its embedded worker (imports run as they would in production), tenants,
and ZIPs of history built from the official samples."""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tests.inbox import builders
from tests.service.conftest import company_body, login, partita_iva, with_key
from tests.support.server import BACKENDS, OPERATOR_TOKEN, database, running_server

from fatturahub.settings import Settings


@dataclass
class Hub:
    url: str
    settings: Settings
    operator: httpx.Client


@pytest.fixture(scope="session", params=BACKENDS)
def hub(request, tmp_path_factory) -> Iterator[Hub]:
    workdir = tmp_path_factory.mktemp(f"imports-{request.param}")
    with database(request.param, workdir) as settings:
        settings = settings.model_copy(update={"run_worker": True, "sandbox_enabled": False})
        with (
            running_server(settings) as url,
            httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}, timeout=30
            ) as operator,
        ):
            yield Hub(url, settings, operator)


@dataclass
class Tenant:
    account_id: str
    owner: httpx.Client
    key: httpx.Client
    token: str
    company_id: str
    partita_iva: str

    @property
    def imports(self) -> str:
        return f"/v1/companies/{self.company_id}/imports"

    def upload(self, direction: str, *files: tuple[str, bytes]) -> httpx.Response:
        parts = [("files", (name, content, "application/octet-stream")) for name, content in files]
        return self.key.post(self.imports, params={"direction": direction}, files=parts)

    def imported(self, direction: str, *files: tuple[str, bytes]) -> dict[str, Any]:
        """Upload and wait for the job to end; the import as GET shows it then."""
        created = self.upload(direction, *files)
        assert created.status_code == 202, created.text
        return self.wait(created.json()["id"])

    def wait(self, import_id: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.key.get(f"{self.imports}/{import_id}")
            assert found.status_code == 200, found.text
            if found.json()["state"] in ("done", "failed"):
                return found.json()
            time.sleep(0.1)
        raise AssertionError(f"import {import_id} did not end: {found.json()}")


@pytest.fixture
def make_tenant(hub: Hub) -> Iterator[Callable[..., Tenant]]:
    clients: list[httpx.Client] = []

    def make() -> Tenant:
        email = f"owner-{uuid.uuid4().hex[:10]}@example.com"
        password = "correct horse battery " + uuid.uuid4().hex[:6]
        created = hub.operator.post("/v1/accounts", json={"name": "T", "email": email, "password": password})
        assert created.status_code == 201, created.text
        owner = login(hub.url, email, password)
        vat = partita_iva()
        made = owner.post("/v1/companies", json=company_body(partita_iva=vat))
        assert made.status_code == 201, made.text
        key = owner.post("/v1/api-keys", json={"name": "erp"})
        assert key.status_code == 201, key.text
        token = key.json()["token"]
        key_client = with_key(hub.url, token)
        clients.extend([owner, key_client])
        return Tenant(created.json()["account"]["id"], owner, key_client, token, made.json()["id"], vat)

    yield make
    for client in clients:
        client.close()


def zipped(members: dict[str, bytes | None]) -> bytes:
    """A ZIP of `members` (path -> content; None makes a directory entry)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if content is None:
                archive.writestr(zipfile.ZipInfo(name), b"")
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


received = builders.invoice  # a supplier's invoice (the official sample's) to the given P.IVA


def issued(
    company_vat: str, *, numero: str, sample: str = "FPR01", customer_vat: str = "09876543217"
) -> bytes:
    """An invoice the company issued: an official sample with the company as cedente."""
    from lxml import etree

    root = etree.fromstring(builders.invoice(customer_vat, sample=sample, numero=numero))
    cedente = root.find("FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA")
    cedente.find("IdPaese").text = "IT"
    cedente.find("IdCodice").text = company_vat
    transmitter = root.find("FatturaElettronicaHeader/DatiTrasmissione/IdTrasmittente/IdCodice")
    transmitter.text = company_vat
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
