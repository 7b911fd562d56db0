from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from tests.support.server import BACKENDS, OPERATOR_TOKEN, database, running_server


@pytest.fixture(scope="session", params=BACKENDS)
def service(request, tmp_path_factory) -> Iterator[str]:
    """Base URL of a live server, once per database backend."""
    workdir = tmp_path_factory.mktemp(request.param)
    with database(request.param, workdir) as settings, running_server(settings) as base_url:
        yield base_url


@pytest.fixture
def anonymous(service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service, timeout=30) as client:
        yield client


@pytest.fixture
def operator(service) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    with httpx.Client(base_url=service, headers=headers, timeout=30) as client:
        yield client


@dataclass
class Tenant:
    """An account created through the API, its owner logged in, a company, a full API key."""

    account_id: str
    owner: httpx.Client  # authenticated with the owner's access token
    key: httpx.Client  # authenticated with an unrestricted API key
    company_id: str
    email: str
    password: str


PARTITE_IVA = iter(f"{n:07d}001" for n in range(1_000_001, 9_999_999, 7919))


def partita_iva() -> str:
    from stdnum import luhn

    base = next(PARTITE_IVA)
    return base + luhn.calc_check_digit(base)


def company_body(**overrides) -> dict:
    body = {
        "partita_iva": partita_iva(),
        "denominazione": "ACME SRL",
        "sede": {
            "Indirizzo": "VIA ROMA 1",
            "CAP": "00100",
            "Comune": "ROMA",
            "Provincia": "RM",
            "Nazione": "IT",
        },
    }
    body.update(overrides)
    return body


def login(service: str, email: str, password: str) -> httpx.Client:
    response = httpx.post(f"{service}/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    return httpx.Client(base_url=service, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def with_key(service: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=service, headers={"Authorization": f"Bearer {token}"}, timeout=30)


@pytest.fixture
def make_tenant(service, operator) -> Iterator:
    clients: list[httpx.Client] = []

    def make(name: str = "Tenant") -> Tenant:
        email = f"owner-{uuid.uuid4().hex[:10]}@example.com"
        password = "correct horse battery " + uuid.uuid4().hex[:6]
        created = operator.post("/v1/accounts", json={"name": name, "email": email, "password": password})
        assert created.status_code == 201, created.text
        owner = login(service, email, password)
        company = owner.post("/v1/companies", json=company_body())
        assert company.status_code == 201, company.text
        key = owner.post("/v1/api-keys", json={"name": "erp"})
        assert key.status_code == 201, key.text
        key_client = with_key(service, key.json()["token"])
        clients.extend([owner, key_client])
        return Tenant(
            created.json()["account"]["id"],
            owner,
            key_client,
            company.json()["id"],
            email,
            password,
        )

    yield make
    for client in clients:
        client.close()
