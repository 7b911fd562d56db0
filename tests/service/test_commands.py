"""`fatturahub serve`, `db upgrade` and `admin create-account` as real processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


def test_db_upgrade_and_create_account(tmp_path):
    env = _env(tmp_path, OWNER_PASSWORD="a long enough password")
    assert _fatturahub("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    created = _fatturahub(
        "admin",
        "create-account",
        "--name",
        "Studio",
        "--email",
        "studio@example.com",
        "--password-env",
        "OWNER_PASSWORD",
        env=env,
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    ids = json.loads(created.stdout)
    assert set(ids) == {"account_id", "user_id", "api_key"} and ids["api_key"].startswith("fh_")
    again = _fatturahub(
        "admin",
        "create-account",
        "--name",
        "Studio",
        "--email",
        "studio@example.com",
        "--password-env",
        "OWNER_PASSWORD",
        env=env,
        cwd=tmp_path,
    )
    assert again.returncode == 1 and "already exists" in again.stderr and "Traceback" not in again.stderr
    missing = _fatturahub(
        "admin",
        "create-account",
        "--name",
        "X",
        "--email",
        "x@example.com",
        "--password-env",
        "NOT_SET",
        env=env,
        cwd=tmp_path,
    )
    assert missing.returncode == 2


def test_serve_prints_demo_credentials_once_and_they_work(tmp_path):
    port = _free_port()
    env = _env(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "fatturahub.cli", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    key = next(line.split()[-1] for line in stderr.splitlines() if line.strip().startswith("API key"))
    assert f"curl -H 'Authorization: Bearer {key}' {base}/v1/me" in stderr
    # a graceful stop (uvicorn then re-raises SIGTERM, so the exit status is the signal's)
    assert "Finished server process" in stderr and process.returncode in (0, -signal.SIGTERM)
    assert any(
        json.loads(line).get("logger", "").startswith("uvicorn")
        for line in stderr.splitlines()
        if line.startswith("{")
    )

    second = subprocess.Popen(
        [sys.executable, "-m", "fatturahub.cli", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        me = None
        while time.monotonic() < deadline:
            try:
                me = httpx.get(f"http://127.0.0.1:{port}/v1/me", headers={"Authorization": f"Bearer {key}"})
                break
            except httpx.TransportError:
                time.sleep(0.2)
        second.send_signal(signal.SIGTERM)
        _, stderr_again = second.communicate(timeout=30)
    finally:
        second.kill()
    assert me is not None and me.status_code == 200
    assert me.json()["companies"][0]["denominazione"] == "DEMO SRL"
    assert "API key" not in stderr_again  # shown once
