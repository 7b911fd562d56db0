"""SIGTERM stops `fatturahub serve` within seconds while SOAP calls keep coming."""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
import threading
import time

import httpx
from tests.soap.conftest import NS, SOAP_ENV
from tests.support.samples import OFFICIAL
from tests.support.server import free_port

CLIENTS = 8


def _envelope() -> bytes:
    sample = base64.b64encode((OFFICIAL / "v1.2" / "IT01234567890_FPR01.xml").read_bytes()).decode()
    return (
        f'<e:Envelope xmlns:e="{SOAP_ENV}" xmlns:f="{NS}"><e:Body>'
        f"<f:ValidateInvoice><f:File>{sample}</f:File></f:ValidateInvoice></e:Body></e:Envelope>"
    ).encode()


def _start(tmp_path) -> tuple[subprocess.Popen[str], str, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FATTURAHUB_")}
    env["FATTURAHUB_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/fatturahub.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "fatturahub.cli", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stderr:  # the first run prints the demo API key, then serves
        if key := re.search(r"API key\s+(fh_\S+)", line):
            break
    # keep reading its logs, or a full pipe would stall the server
    threading.Thread(target=process.stderr.read, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return process, url, key.group(1)


def test_sigterm_under_soap_load_stops_the_server_within_seconds(tmp_path):
    process, url, key = _start(tmp_path)
    stop, answered = threading.Event(), []
    body = _envelope()

    def load() -> None:
        with httpx.Client(auth=("erp", key), timeout=30) as client:
            while not stop.is_set():
                try:
                    answered.append(client.post(f"{url}/soap/v1", content=body).status_code)
                except httpx.TransportError:
                    return

    threads = [threading.Thread(target=load, daemon=True) for _ in range(CLIENTS)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        assert answered and set(answered) == {200}
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        process.wait(timeout=15)
        stopped_in = time.monotonic() - started
        assert stopped_in < 5, f"{stopped_in:.1f}s after SIGTERM, {len(answered)} calls answered"
        assert process.returncode in (0, -signal.SIGTERM)
    finally:
        stop.set()
        process.kill()
        for thread in threads:
            thread.join(timeout=5)
