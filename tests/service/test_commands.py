"""`fatturahub serve`, `db upgrade` and `admin create-account` as real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from tests.support.server import free_port


def _env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FATTURAHUB_")}
    env["FATTURAHUB_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/var/fatturahub.db"
    env.update(extra)
    return env


def _fatturahub(*args: str, env: dict[str, str], cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fatturahub.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _create_account(
    name: str, email: str, password_env: str, *, env, cwd
) -> subprocess.CompletedProcess[str]:
    return _fatturahub(
        "admin",
        "create-account",
        "--name",
        name,
        "--email",
        email,
        "--password-env",
        password_env,
        env=env,
        cwd=cwd,
    )


def test_db_upgrade_and_create_account(tmp_path):
    env = _env(tmp_path, OWNER_PASSWORD="a long enough password")
    assert _fatturahub("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    created = _create_account("Studio", "studio@example.com", "OWNER_PASSWORD", env=env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    ids = json.loads(created.stdout)
    assert set(ids) == {"account_id", "user_id", "api_key"} and ids["api_key"].startswith("fh_")
    again = _create_account("Studio", "studio@example.com", "OWNER_PASSWORD", env=env, cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr and "Traceback" not in again.stderr
    missing = _create_account("X", "x@example.com", "NOT_SET", env=env, cwd=tmp_path)
    assert missing.returncode == 2


@contextmanager
def _serving(env: dict[str, str], cwd, port: int) -> Iterator[dict[str, str]]:
    """`fatturahub serve` until ready; stopped with SIGTERM on exit, its stderr in the dict."""
    process = subprocess.Popen(
        [sys.executable, "-m", "fatturahub.cli", "serve", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    output: dict[str, str] = {}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield output
    finally:
        process.send_signal(signal.SIGTERM)
        _, output["stderr"] = process.communicate(timeout=30)
        output["returncode"] = str(process.returncode)
        process.kill()


def test_serve_prints_demo_credentials_once_and_they_work(tmp_path):
    port, env = free_port(), _env(tmp_path)
    base = f"http://127.0.0.1:{port}"
    with _serving(env, tmp_path, port) as first:
        pass
    stderr = first["stderr"]
    key = next(line.split()[-1] for line in stderr.splitlines() if line.strip().startswith("API key"))
    assert f"curl -H 'Authorization: Bearer {key}' {base}/v1/me" in stderr
    # a graceful stop (uvicorn then re-raises SIGTERM, so the exit status is the signal's)
    assert "Finished server process" in stderr and int(first["returncode"]) in (0, -signal.SIGTERM)
    logs = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert any(entry.get("logger", "").startswith("uvicorn") for entry in logs)

    with _serving(env, tmp_path, port) as second:
        me = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200
    assert me.json()["companies"][0]["denominazione"] == "DEMO SRL"
    assert "API key" not in second["stderr"]  # shown once
