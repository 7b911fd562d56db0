"""Several worker processes, one of them killed mid-send: nothing lost, nothing sent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict

import httpx
import pytest
from tests.e2e.test_active_cycle import _wait
from tests.service.conftest import company_body, login, with_key
from tests.service.test_invoices import minimal_invoice
from tests.support.server import BACKENDS, OPERATOR_TOKEN, database, free_port, running_server

INVOICES = 24


@pytest.fixture(params=BACKENDS)
def deployment(request, tmp_path):
    """A server that runs no worker itself (as in production), its sandbox, and a worker command."""
    port = free_port()
    with database(request.param, tmp_path) as base:
        settings = base.model_copy(
            update={
                "public_url": f"http://127.0.0.1:{port}",
                "sandbox_enabled": True,
                "run_worker": False,
            }
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("FATTURAHUB_")}
        env.update(
            {
                "FATTURAHUB_DATABASE_URL": settings.database_url,
                "FATTURAHUB_SECRET_KEY": settings.secret_key.get_secret_value(),
                "FATTURAHUB_STORAGE_PATH": str(settings.storage_path),
                "FATTURAHUB_SANDBOX_URL": settings.sandbox_endpoint,
                "FATTURAHUB_JOB_LEASE_SECONDS": "2",
                "FATTURAHUB_LOG_LEVEL": "WARNING",
            }
        )
        if settings.database_schema:
            env["FATTURAHUB_DATABASE_SCHEMA"] = settings.database_schema

        def start_worker() -> subprocess.Popen:
            return subprocess.Popen(
                [sys.executable, "-m", "fatturahub.cli", "worker", "--concurrency", "4"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        with running_server(settings, port=port) as url:
            yield url, start_worker


def _queue_invoices(url: str) -> tuple[httpx.Client, str, list[dict]]:
    operator = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
    operator.post(
        "/v1/accounts", json={"name": "W", "email": "w@example.com", "password": "password password"}
    )
    owner = login(url, "w@example.com", "password password")
    company = owner.post("/v1/companies", json=company_body()).json()
    key = with_key(url, owner.post("/v1/api-keys", json={"name": "erp"}).json()["token"])
    invoices = []
    for _ in range(INVOICES):
        created = key.post(f"/v1/companies/{company['id']}/invoices", json=minimal_invoice())
        assert created.status_code == 201, created.text
        invoices.append(created.json())
    assert {i["state"] for i in invoices} == {"queued"}
    return key, company["id"], invoices


def _sandbox_uploads(url: str) -> dict[str, list[dict]]:
    files = httpx.get(f"{url}/sandbox/control/files", timeout=30).json()
    by_name = defaultdict(list)
    for file in files:
        by_name[file["file_name"].split(".")[0]].append(file)
    return by_name


def test_two_workers_and_a_killed_one_lose_nothing_and_send_nothing_twice(deployment):
    url, start_worker = deployment
    key, company_id, invoices = _queue_invoices(url)
    doomed = start_worker()
    time.sleep(1.5)  # let it claim and start sending
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    workers = [start_worker(), start_worker()]
    try:
        finals = [_wait((key, company_id), invoice, "delivered", timeout=120) for invoice in invoices]
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            assert worker.wait(timeout=30) == 0  # a clean stop
    uploads = _sandbox_uploads(url)
    for invoice in finals:
        stem = invoice["file_name"].split(".")[0]
        same_name = uploads[stem]
        assert {f["file_name"] for f in same_name} == {invoice["file_name"]}  # one file, one name
        taken = [f for f in same_name if f["status"] != "rejected"]
        assert len(taken) == 1, same_name  # SDI took it exactly once
        assert invoice["identificativo_sdi"] == str(taken[0]["identificativo_sdi"])
