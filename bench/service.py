"""FatturaHub service benchmark: invoice ingest over HTTP and the full trip through the sandbox.

    make bench-service   (or: .venv/bin/python bench/service.py [--seconds 10] [--invoices 1000])

Runs, on this machine and in the same run:
- baseline: a trivial FastAPI endpoint (POST, returns a small JSON) under uvicorn (uvloop + httptools);
- ingest: POST /v1/companies/{id}/invoices with FatturaPA JSON, and with a ready XML file
  (send=false: validation, numbering, totals, SDI's controls, storage), at 32 connections;
  each with req/s, p50 and p99 latency, and the ratio to the baseline;
- the floor of that ingest on this stack (PostgreSQL only): `bench/floor_app.py`, the same XML
  through FastAPI, the core's read + SDI controls and one raw asyncpg transaction, nothing else;
- end to end: N invoices posted with send=true and followed until SDI's RC (sandbox in-process,
  one worker in the server), invoices/s from the first POST to the last RC, and the server's
  peak memory (VmHWM).
Database: PostgreSQL at FATTURAHUB_BENCH_DATABASE_URL (default the local test server) in a fresh
schema, or SQLite with --sqlite.

The load generator is wrk (Debian package `wrk`; `apt-get install -y wrk`), 2 threads and 32
connections for --seconds each, with a Lua script that gives every request its own invoice number;
it is C and cheap, so the baseline measures the trivial endpoint rather than the generator (the
former Python generator capped it at ~340 req/s). Without wrk, --python-load falls back to that
generator (httpx, --requests per measure). Server and generator share the machine: absolute
figures are floors; the ratios against the same-run baseline are what to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
CONNECTIONS = 32
OPERATOR = "bench-operator-" + uuid.uuid4().hex
TRIVIAL_APP = """
from fastapi import FastAPI
app = FastAPI()
@app.post("/ping")
async def ping(body: dict) -> dict:
    return {"ok": True, "size": len(body)}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def process(args: list[str], env: dict[str, str], ready_url: str):
    """A server process for the duration of the block; if the block fails, its log's tail."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_ready(ready_url)
            yield proc
        except BaseException:
            log.seek(0)
            tail = log.read().decode(errors="replace").splitlines()[-40:]
            print(f"--- {' '.join(args[1:4])}: last lines of its log", *tail, sep="\n", file=sys.stderr)
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=30)


async def load(url: str, bodies: list[tuple[bytes, dict[str, str]]], headers: dict[str, str]) -> dict:
    """Send every body once, 32 at a time; req/s and latency percentiles (ms)."""
    latencies: list[float] = []
    queue: asyncio.Queue = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    failures = 0

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal failures
        while not queue.empty():
            content, extra = queue.get_nowait()
            start = time.perf_counter()
            response = await client.post(url, content=content, headers={**headers, **extra})
            latencies.append((time.perf_counter() - start) * 1000)
            failures += response.status_code >= 300

    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"rps": len(bodies) / elapsed, "p50": cuts[49], "p99": cuts[98], "failures": failures}


WRK_SCRIPT = """
local counter, thread_id = 0, 0
local template = {template}
local headers = {headers}
function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end
function request()
  counter = counter + 1
  local body = template:gsub("{marker}", "W" .. tid .. "x" .. counter, 1)
  return wrk.format("POST", nil, headers, body)
end
"""
WRK_MARKER = "@NUMERO@"  # where each request's own number goes (%-free: it is a Lua pattern)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def wrk_load(url: str, body: str, headers: dict[str, str], seconds: int, workdir: Path) -> dict:
    """wrk, 2 threads, 32 connections for `seconds`; `body` holds WRK_MARKER where every request
    gets a number of its own. req/s and latency percentiles (ms)."""
    # a space inside the brackets: "[[" would open a Lua long string
    pairs = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items())
    lua_headers = "{" + pairs + "}"
    script = workdir / f"wrk-{uuid.uuid4().hex[:8]}.lua"
    script.write_text(
        WRK_SCRIPT.replace("{template}", _lua_string(body))
        .replace("{headers}", lua_headers)
        .replace("{marker}", WRK_MARKER)
    )
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    output = subprocess.run(
        [*command, "-s", str(script), url], capture_output=True, text=True, check=True
    ).stdout
    latency = {
        percent: float(value) * UNITS[unit]
        for percent, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    }
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency["50"],
        "p99": latency["99"],
        "failures": (int(failures.group(1)) if failures else 0)
        + (sum(map(int, errors.groups())) if errors else 0),
    }


def invoice_json(n: int | str) -> dict:
    return {
        "FatturaElettronicaHeader": {
            "CessionarioCommittente": {
                "DatiAnagrafici": {
                    "IdFiscaleIVA": {"IdPaese": "IT", "IdCodice": "01234560017"},
                    "Anagrafica": {"Denominazione": "CLIENTE SPA"},
                },
                "Sede": {"Indirizzo": "VIA VERDI 2", "CAP": "20100", "Comune": "MILANO", "Nazione": "IT"},
            }
        },
        "FatturaElettronicaBody": [
            {
                "DatiGenerali": {"DatiGeneraliDocumento": {"Numero": f"B{n}"}},
                "DatiBeniServizi": {
                    "DettaglioLinee": [
                        {
                            "NumeroLinea": 1,
                            "Descrizione": "Consulenza",
                            "Quantita": "2.00",
                            "PrezzoUnitario": "100.00",
                            "PrezzoTotale": "200.00",
                            "AliquotaIVA": "22.00",
                        }
                    ]
                },
            }
        ],
    }


async def create_schema(url: str, schema: str, drop: bool = False) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(f"DROP SCHEMA {schema} CASCADE" if drop else f"CREATE SCHEMA {schema}")
    finally:
        await connection.close()


def service_env(args: argparse.Namespace, workdir: Path, port: int, schema: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FATTURAHUB_")}
    env.update(
        {
            "FATTURAHUB_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db"
            if args.sqlite
            else args.database_url,
            "FATTURAHUB_SECRET_KEY": uuid.uuid4().hex * 2,
            "FATTURAHUB_OPERATOR_TOKEN": OPERATOR,
            "FATTURAHUB_STORAGE_PATH": str(workdir / "blobs"),
            "FATTURAHUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "FATTURAHUB_SANDBOX_ENABLED": "true",
            "FATTURAHUB_RUN_WORKER": "true",
            "FATTURAHUB_LOG_LEVEL": "WARNING",
        }
    )
    if schema:
        env["FATTURAHUB_DATABASE_SCHEMA"] = schema
    return env


def tenant(base: str, email: str = "bench@example.com") -> tuple[dict[str, str], str]:
    operator = {"Authorization": f"Bearer {OPERATOR}"}
    httpx.post(
        f"{base}/v1/accounts",
        headers=operator,
        json={"name": "Bench", "email": email, "password": "bench password"},
    ).raise_for_status()
    token = httpx.post(f"{base}/v1/auth/token", data={"username": email, "password": "bench password"})
    owner = {"Authorization": f"Bearer {token.json()['access_token']}"}
    company = httpx.post(
        f"{base}/v1/companies",
        headers=owner,
        json={
            "partita_iva": "12345670017",
            "denominazione": "BENCH SRL",
            "sede": {"Indirizzo": "VIA ROMA 1", "CAP": "00100", "Comune": "ROMA", "Nazione": "IT"},
        },
    ).json()
    key = httpx.post(f"{base}/v1/api-keys", headers=owner, json={"name": "bench"}).json()["token"]
    return {"Authorization": f"Bearer {key}"}, company["id"]


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def end_to_end(base: str, headers: dict[str, str], company_id: str, count: int) -> float:
    """Post `count` invoices to send, then wait until every one is delivered; invoices/s."""
    url = f"{base}/v1/companies/{company_id}/invoices"
    bodies = [
        (json.dumps(invoice_json(100_000 + n)).encode(), {"content-type": "application/json"})
        for n in range(count)
    ]
    started = time.perf_counter()
    await load(url, bodies, headers)
    deadline = time.monotonic() + 60 + count / 2  # slower than 2 invoices/s: something is stuck
    async with httpx.AsyncClient(timeout=60) as client:
        while True:  # until no invoice is still on its way
            pending = [
                (await client.get(url, headers=headers, params={"state": state, "limit": 1})).json()["items"]
                for state in ("queued", "sending", "sent")
            ]
            if not any(pending):
                break
            if time.monotonic() > deadline:
                stuck = [items[0]["id"] for items in pending if items]
                raise RuntimeError(f"invoices still on their way after the deadline, e.g. {stuck}")
            await asyncio.sleep(0.25)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk measure")
    parser.add_argument("--requests", type=int, default=2000, help="requests per measure (--python-load)")
    parser.add_argument(
        "--python-load", action="store_true", help="the former Python load generator instead of wrk"
    )
    parser.add_argument("--invoices", type=int, default=1000, help="invoices for the end-to-end run")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of PostgreSQL")
    parser.add_argument("--database-url", default=os.environ.get("FATTURAHUB_BENCH_DATABASE_URL", PG_DEFAULT))
    args = parser.parse_args()
    if not args.python_load and shutil.which("wrk") is None:
        parser.error("wrk not found: apt-get install -y wrk (or run with --python-load)")
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        schema = None if args.sqlite else f"bench_{uuid.uuid4().hex[:12]}"
        if schema:
            asyncio.run(create_schema(args.database_url, schema))
        try:
            run(args, python, workdir, schema)
        finally:
            if schema:
                asyncio.run(create_schema(args.database_url, schema, drop=True))


def run(args: argparse.Namespace, python: str, workdir: Path, schema: str | None) -> None:
    (workdir / "trivial.py").write_text(TRIVIAL_APP)
    trivial_port, port = free_port(), free_port()
    uvicorn_args = uvicorn_command(python, "trivial:app", trivial_port, str(workdir))
    ping = json.dumps({"a": 1}).encode()
    with process(uvicorn_args, dict(os.environ), f"http://127.0.0.1:{trivial_port}/docs"):
        ping_url = f"http://127.0.0.1:{trivial_port}/ping"
        if args.python_load:
            baseline = asyncio.run(
                load(ping_url, [(ping, {"content-type": "application/json"})] * args.requests, {})
            )
        else:
            body = json.dumps({"a": WRK_MARKER})
            baseline = wrk_load(ping_url, body, {"content-type": "application/json"}, args.seconds, workdir)
    env = service_env(args, workdir, port, schema)
    subprocess.run(
        [python, "-m", "fatturahub.cli", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    base = f"http://127.0.0.1:{port}"
    with process(
        [python, "-m", "fatturahub.cli", "serve", "--port", str(port)], env, f"{base}/readyz"
    ) as server:
        headers, company_id = tenant(base)
        url = f"{base}/v1/companies/{company_id}/invoices?send=false"
        if args.python_load:
            as_json = [
                (json.dumps(invoice_json(n)).encode(), {"content-type": "application/json"})
                for n in range(args.requests)
            ]
            ingest_json = asyncio.run(load(url, as_json, headers))
        else:
            httpx.post(url, headers=headers, json=invoice_json("0")).raise_for_status()
            json_headers = {**headers, "content-type": "application/json"}
            body = json.dumps(invoice_json(WRK_MARKER))
            ingest_json = wrk_load(url, body, json_headers, args.seconds, workdir)
        sample = httpx.get(
            f"{base}/v1/companies/{company_id}/invoices", headers=headers, params={"limit": 1}
        ).json()["items"][0]
        xml = httpx.get(
            f"{base}/v1/companies/{company_id}/invoices/{sample['id']}/file", headers=headers
        ).content
        numero = f"<Numero>{sample['numero']}</Numero>".encode()
        if args.python_load:
            as_xml = [
                (xml.replace(numero, f"<Numero>X{n}</Numero>".encode()), {"content-type": "application/xml"})
                for n in range(args.requests)
            ]
            ingest_xml = asyncio.run(load(url, as_xml, headers))
        else:
            body = xml.replace(numero, f"<Numero>X{WRK_MARKER}</Numero>".encode()).decode()
            xml_headers = {**headers, "content-type": "application/xml"}
            ingest_xml = wrk_load(url, body, xml_headers, args.seconds, workdir)
            floor = None if args.sqlite else floor_load(args, python, body, workdir, schema)
        report_ingest(args, baseline, ingest_json, ingest_xml, floor)  # now: the end-to-end run is long
        e2e_rate = asyncio.run(end_to_end(base, headers, company_id, args.invoices))
        memory = peak_memory_mb(server.pid)
    print(
        f"end to end, one process (API, worker, sandbox), {args.invoices} invoices to RC:"
        f" {e2e_rate:.1f} invoices/s; server peak memory {memory:.0f} MB"
    )
    sys.stdout.flush()
    if not args.sqlite:  # SQLite is the embedded default: one process by design
        rate, memory = end_to_end_scaled_out(args, python, workdir, schema)
        print(
            f"end to end, API + worker + sandbox in three processes, {args.invoices} invoices to RC:"
            f" {rate:.1f} invoices/s; peak memory API {memory['api']:.0f} MB,"
            f" worker {memory['worker']:.0f} MB"
        )


def end_to_end_scaled_out(
    args: argparse.Namespace, python: str, workdir: Path, schema: str | None
) -> tuple[float, dict[str, float]]:
    """The production shape: the API server, `fatturahub worker` and the sandbox (standing in for
    SDI, which is another machine) each in its own process, so the two cores are both used."""
    port, sandbox_port = free_port(), free_port()
    base, sandbox = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sandbox_port}"
    env = service_env(args, workdir, port, schema)
    env.update(
        {
            "FATTURAHUB_SANDBOX_ENABLED": "false",
            "FATTURAHUB_RUN_WORKER": "false",
            "FATTURAHUB_SANDBOX_URL": f"{sandbox}/SdIRiceviFile",
        }
    )
    cli = [python, "-m", "fatturahub.cli"]
    notify = f"--notify-url={base}/sdi/TrasmissioneFatture"
    sandbox_args = [*cli, "sandbox", "--port", str(sandbox_port), notify]
    with (
        process(sandbox_args, env, f"{sandbox}/control/clock"),
        process([*cli, "serve", "--port", str(port)], env, f"{base}/readyz") as server,
        process([*cli, "worker"], env, f"{base}/readyz") as worker,
    ):
        headers, company_id = tenant(base, email=f"bench-{uuid.uuid4().hex[:8]}@example.com")
        rate = asyncio.run(end_to_end(base, headers, company_id, args.invoices))
        return rate, {"api": peak_memory_mb(server.pid), "worker": peak_memory_mb(worker.pid)}


def uvicorn_command(python: str, app: str, port: int, app_dir: str) -> list[str]:
    """uvicorn as the service runs it (uvloop + httptools): the baseline and the floor alike."""
    return [
        *(python, "-m", "uvicorn", app, "--app-dir", app_dir, "--port", str(port)),
        *("--loop", "uvloop", "--http", "httptools", "--log-level", "warning"),
    ]


def floor_load(args: argparse.Namespace, python: str, body: str, workdir: Path, schema: str) -> dict:
    """wrk against bench/floor_app.py with the XML the service took (see its docstring)."""
    port, token = free_port(), uuid.uuid4().hex
    env = {
        **os.environ,
        "FLOOR_DSN": args.database_url.replace("postgresql+asyncpg://", "postgresql://"),
        "FLOOR_SCHEMA": schema,
        "FLOOR_TOKEN": token,
    }
    command = uvicorn_command(python, "floor_app:app", port, str(Path(__file__).resolve().parent))
    base = f"http://127.0.0.1:{port}"
    with process(command, env, f"{base}/docs"):
        headers = {"Authorization": f"Bearer {token}", "content-type": "application/xml"}
        return wrk_load(f"{base}/invoices", body, headers, args.seconds, workdir)


def report_ingest(
    args: argparse.Namespace, baseline: dict, ingest_json: dict, ingest_xml: dict, floor: dict | None
) -> None:
    database = "SQLite" if args.sqlite else "PostgreSQL"
    generator = (
        f"Python httpx, {args.requests} requests per measure"
        if args.python_load
        else f"wrk -t2 -c{CONNECTIONS}, {args.seconds} s per measure"
    )
    print(f"database: {database}; {CONNECTIONS} connections; load: {generator}")
    print(f"{'measure':<40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'× baseline':>11}")
    rows = [
        ("trivial FastAPI endpoint (baseline)", baseline),
        ("POST invoice, FatturaPA JSON", ingest_json),
        ("POST invoice, ready XML", ingest_xml),
    ]
    if floor is not None:
        rows.append(("floor: read + controls + asyncpg insert", floor))
    for label, figures in rows:
        ratio = figures["rps"] / baseline["rps"]
        print(
            f"{label:<40} {figures['rps']:>9.1f} {figures['p50']:>8.1f} {figures['p99']:>8.1f}"
            f" {ratio:>10.3f}×" + (f"  ({figures['failures']} failed)" if figures["failures"] else "")
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
