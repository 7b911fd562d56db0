"""End to end through the built-in sandbox's SdITrasmissioneFile: the server's worker sends the LIPE
file over SOAP, the sandbox checks it against the schema, the outcome job collects the EsitoFile."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import update
from tests.inbox.conftest import Hub
from tests.reports.documents import Line
from tests.reports.scenario import Company, issue, new_company
from tests.support.cms import pkcs12_bundle
from tests.support.server import BACKENDS, OPERATOR_TOKEN, database, free_port, running_server

from fatturahub.reports.submissions import OUTCOME_JOB
from fatturahub.worker.models import Job


@pytest.fixture(scope="module", params=BACKENDS)
def stack(request, tmp_path_factory):
    port = free_port()
    with database(request.param, tmp_path_factory.mktemp("lipe-sandbox")) as base:
        settings = base.model_copy(
            update={"public_url": f"http://127.0.0.1:{port}", "sandbox_enabled": True, "run_worker": True}
        )
        with (
            running_server(settings, port=port) as url,
            httpx.Client(base_url=url, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}) as operator,
            httpx.Client(base_url=f"{url}/sandbox", timeout=30) as sandbox,
        ):
            yield Hub(url, settings, None, operator), sandbox


def until(check: Callable[[], dict], state: str) -> dict:
    deadline = time.monotonic() + 30
    while (current := check())["state"] != state:
        assert time.monotonic() < deadline, current
        time.sleep(0.1)
    return current


def outcome_polls_now(hub: Hub) -> None:
    async def due(session):
        await session.execute(update(Job).where(Job.kind == OUTCOME_JOB).values(run_at=datetime.now(UTC)))

    hub.db(due)


def send_and_follow(hub: Hub, sandbox: httpx.Client, company: Company, final: str) -> dict:
    made = company.key.post(company.path("/lipe/2026/submissions"), json={"quarter": 1})
    assert made.status_code == 201, made.text
    path = company.path(f"/lipe/submissions/{made.json()['id']}")
    until(lambda: company.key.get(path).json(), "sent")
    assert sandbox.post("/control/data-files/process").status_code == 200
    outcome_polls_now(hub)
    return until(lambda: company.key.get(path).json(), final)


def test_a_lipe_file_reaches_its_outcome_through_the_sandbox(stack):
    hub, sandbox = stack
    company = new_company(hub)
    certificate = {"pkcs12": base64.b64encode(pkcs12_bundle(None)).decode()}
    assert company.owner.put(company.path("/signing-certificate"), json=certificate).status_code == 200
    issue(hub, company, "1", date(2026, 1, 15), Line("1000.00"))
    accepted = send_and_follow(hub, sandbox, company, "accepted")
    assert accepted["file_name"].endswith(".xml.p7m")  # CAdES, checked by the sandbox
    assert accepted["id_file"] and accepted["outcome_file_name"].endswith(".xml")
    assert sandbox.put("/control/data-files/reject-next", json={}).status_code == 200
    rejected = send_and_follow(hub, sandbox, company, "rejected")
    assert rejected["errors"] and rejected["file_name"] != accepted["file_name"]
