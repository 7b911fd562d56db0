"""A live FatturaHub (no embedded worker: jobs are run by the tests), zeep playing SDI against
/sdi/RicezioneFatture, and tenants with companies to deliver to."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import zeep
from tests.inbox import builders
from tests.service.conftest import company_body, login, partita_iva, with_key
from tests.support.server import BACKENDS, OPERATOR_TOKEN, database, running_server

from fatturahub.db.engine import engine_for, session_factory
from fatturahub.sdi.ricezione import WSDL_PATH
from fatturahub.settings import Settings

BINDING = "{http://www.fatturapa.gov.it/sdi/ws/ricezione/v1.0}RicezioneFatture_binding"


@dataclass
class Hub:
    url: str
    settings: Settings
    sdi: Any  # zeep service proxy built from the official WSDL
    operator: httpx.Client

    def deliver(
        self,
        content: bytes,
        *,
        name: str | None = None,
        identificativo: str | None = None,
        codice_destinatario: str = "0000000",
        metadata: bytes | None = None,
    ) -> tuple[str, Any]:
        """RiceviFatture as SDI calls it; returns (IdentificativoSdI, the answer's Esito)."""
        identificativo = identificativo or builders.identificativo()
        name = name or builders.file_name()
        answer = self.sdi.RiceviFatture(
            IdentificativoSdI=int(identificativo),
            NomeFile=name,
            File=content,
            NomeFileMetadati=name.split(".")[0] + "_MT_001.xml",
            Metadati=metadata or builders.metadata(identificativo, name, codice_destinatario),
        )
        return identificativo, answer

    def db(self, work: Callable[[Any], Any]) -> Any:
        """Run `await work(session)` in a committed transaction of the test database."""

        async def run() -> Any:
            engine = engine_for(self.settings)
            try:
                async with session_factory(engine)() as session:
                    result = await work(session)
                    await session.commit()
                    return result
            finally:
                await engine.dispose()

        return asyncio.run(run())


@pytest.fixture(scope="session", params=BACKENDS)
def hub(request, tmp_path_factory) -> Iterator[Hub]:
    workdir = tmp_path_factory.mktemp(f"inbox-{request.param}")
    with database(request.param, workdir) as settings:
        settings = settings.model_copy(update={"run_worker": False, "sandbox_enabled": False})
        with (
            running_server(settings) as url,
            httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}, timeout=30
            ) as operator,
        ):
            sdi = zeep.Client(str(WSDL_PATH)).create_service(BINDING, f"{url}/sdi/RicezioneFatture")
            yield Hub(url, settings, sdi, operator)


@dataclass
class Tenant:
    account_id: str
    owner: httpx.Client
    key: httpx.Client
    company_id: str
    partita_iva: str
    codice_destinatario: str

    def received(self, **params: Any) -> list[dict]:
        response = self.key.get(f"/v1/companies/{self.company_id}/received-invoices", params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def path(self, invoice_id: str, suffix: str = "") -> str:
        return f"/v1/companies/{self.company_id}/received-invoices/{invoice_id}{suffix}"


@pytest.fixture
def make_tenant(hub: Hub) -> Iterator[Callable[..., Tenant]]:
    clients: list[httpx.Client] = []

    def make(*, vat: str | None = None, code: str | None = None, **company: Any) -> Tenant:
        email = f"owner-{uuid.uuid4().hex[:10]}@example.com"
        password = "correct horse battery " + uuid.uuid4().hex[:6]
        created = hub.operator.post("/v1/accounts", json={"name": "T", "email": email, "password": password})
        assert created.status_code == 201, created.text
        owner = login(hub.url, email, password)
        vat = vat or partita_iva()
        code = code or builders.codice_destinatario()
        body = company_body(partita_iva=vat, codice_destinatario=code, **company)
        made = owner.post("/v1/companies", json=body)
        assert made.status_code == 201, made.text
        key = owner.post("/v1/api-keys", json={"name": "erp"})
        assert key.status_code == 201, key.text
        key_client = with_key(hub.url, key.json()["token"])
        clients.extend([owner, key_client])
        return Tenant(created.json()["account"]["id"], owner, key_client, made.json()["id"], vat, code)

    yield make
    for client in clients:
        client.close()
