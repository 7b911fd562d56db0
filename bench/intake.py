"""Intake rate of RiceviFatture (signed invoices) next to bare lxml parsing of the same files.

    make bench-intake   (or: .venv/bin/python bench/intake.py [--invoices 300] [--concurrency 8]
                         [--database-url postgresql+asyncpg://user@host/db])

Runs, on this machine and in the same run:
- intake: N distinct CAdES-signed FatturaPA files (.xml.p7m, each with its own IdentificativoSdI
  and SDI's metadata file) delivered as RiceviFatture SOAP requests over real HTTP to a running
  `fatturahub serve` at `--concurrency` connections; each request is unwrapped, its signature
  verified, parsed, stored, routed to the bench company and committed before the ER01 answer.
  Every answer must be ER01 and every invoice must be listed afterwards;
- baseline: `lxml.etree.fromstring` of the same files' unwrapped XML, in this process (best of 5).
Prints invoices/s for both and the ratio. Database: PostgreSQL (a fresh schema, dropped after)
when --database-url or FATTURAHUB_TEST_DATABASE_URL is given, else SQLite in a temporary folder.
Server and load generator share the machine: absolute figures are floors; compare the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
from asn1crypto import cms
from lxml import etree

from fatturahub.sdi import soap
from fatturahub.sdi.sandbox.certificate import throwaway_signer
from fatturahub.sdi.sandbox.generate import InvoiceSpec, generate
from fatturahub.sdi.sandbox.passive import InvoiceFacts, metadata
from service import OPERATOR, create_schema, free_port, process

RICEVI_FATTURE_ACTION = '"http://www.fatturapa.it/RicezioneFatture/RiceviFattureSdI"'
COMPANY_VAT = "07654320014"  # not the demo company's, which an embedded first start creates
CODE = "ABC1234"
WARMUP = 20
BASELINE_ROUNDS = 5


@dataclass(frozen=True)
class Delivery:
    identificativo_sdi: int
    envelope: bytes
    xml: bytes  # the invoice inside the .p7m


def deliveries(count: int, first_identificativo: int) -> list[Delivery]:
    """`count` signed invoices to the bench company, as SDI's RiceviFatture requests."""
    signer = throwaway_signer()
    spec = InvoiceSpec(
        formato="FPR12",
        codice_destinatario=CODE,
        cessionario_partita_iva=COMPANY_VAT,
        cessionario_codice_fiscale=None,
        cessionario_denominazione="BENCH SRL",
        lines=5,
        signed=True,
    )
    facts = InvoiceFacts("FPR12", CODE)
    made = []
    for n in range(count):
        identificativo = first_identificativo + n
        invoice = generate(spec, serial=identificativo % 10**7, today=date.today(), signer=signer)
        digest = hashlib.sha256(invoice.content).hexdigest()
        metadata_name, metadata_file = metadata(identificativo, invoice.file_name, digest, facts, str(n + 1))
        body = soap.body_element(
            soap.RICEZIONE_TYPES,
            "fileSdIConMetadati",
            [
                ("IdentificativoSdI", str(identificativo)),
                ("NomeFile", invoice.file_name),
                ("File", invoice.content),
                ("NomeFileMetadati", metadata_name),
                ("Metadati", metadata_file),
            ],
        )
        signed = cms.ContentInfo.load(invoice.content)
        xml = signed["content"]["encap_content_info"]["content"].native
        made.append(Delivery(identificativo, soap.envelope(body), xml))
    return made


async def deliver(url: str, batch: list[Delivery], concurrency: int) -> tuple[float, list[float], int]:
    """Every request once, `concurrency` at a time: (seconds, latencies in ms, failures)."""
    queue: asyncio.Queue[Delivery] = asyncio.Queue()
    for item in batch:
        queue.put_nowait(item)
    latencies: list[float] = []
    failures = 0
    headers = {"Content-Type": soap.SOAP_CONTENT_TYPE, "SOAPAction": RICEVI_FATTURE_ACTION}

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        while not queue.empty():
            item = queue.get_nowait()
            start = time.perf_counter()
            response = await client.post(url, content=item.envelope, headers=headers)
            latencies.append((time.perf_counter() - start) * 1000)
            try:
                taken = soap.parse(response.content, response.headers.get("content-type")).text("Esito")
            except soap.SoapError:
                taken = None
            failures += response.status_code != 200 or taken != "ER01"

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, failures


def bare_parse_rate(batch: list[Delivery]) -> float:
    """invoices/s of `etree.fromstring` on the unwrapped XML, best of BASELINE_ROUNDS."""
    best = float("inf")
    for _ in range(BASELINE_ROUNDS):
        started = time.perf_counter()
        for item in batch:
            etree.fromstring(item.xml)
        best = min(best, time.perf_counter() - started)
    return len(batch) / best


def tenant(base: str) -> tuple[dict[str, str], str]:
    """An account, its company (the recipient of every bench invoice) and an API key."""
    operator = {"Authorization": f"Bearer {OPERATOR}"}
    account = {"name": "Intake", "email": "intake@example.com", "password": "bench password"}
    httpx.post(f"{base}/v1/accounts", headers=operator, json=account).raise_for_status()
    login = {"username": account["email"], "password": account["password"]}
    token = httpx.post(f"{base}/v1/auth/token", data=login).json()["access_token"]
    owner = {"Authorization": f"Bearer {token}"}
    sede = {"Indirizzo": "VIA ROMA 1", "CAP": "00100", "Comune": "ROMA", "Nazione": "IT"}
    company = {"partita_iva": COMPANY_VAT, "denominazione": "BENCH SRL", "sede": sede}
    made = httpx.post(f"{base}/v1/companies", headers=owner, json=company)
    made.raise_for_status()
    key = httpx.post(f"{base}/v1/api-keys", headers=owner, json={"name": "intake"}).json()["token"]
    return {"Authorization": f"Bearer {key}"}, made.json()["id"]


def received_count(base: str, headers: dict[str, str], company_id: str) -> int:
    url, count, cursor = f"{base}/v1/companies/{company_id}/received-invoices", 0, None
    while True:
        params = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = httpx.get(url, headers=headers, params=params, timeout=60).json()
        count += len(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return count


def server_env(database_url: str | None, workdir: Path, port: int, schema: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FATTURAHUB_")}
    env.update(
        {
            "FATTURAHUB_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{workdir}/intake.db",
            "FATTURAHUB_SECRET_KEY": uuid.uuid4().hex * 2,
            "FATTURAHUB_OPERATOR_TOKEN": OPERATOR,
            "FATTURAHUB_STORAGE_PATH": str(workdir / "blobs"),
            "FATTURAHUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "FATTURAHUB_SANDBOX_ENABLED": "false",
            "FATTURAHUB_RUN_WORKER": "false",
            "FATTURAHUB_LOG_LEVEL": "WARNING",
        }
    )
    if schema:
        env["FATTURAHUB_DATABASE_SCHEMA"] = schema
    return env


def run(args: argparse.Namespace, workdir: Path, schema: str | None) -> dict:
    first = 10**9 + int(time.time()) % 10**6 * 1000
    warmup = deliveries(WARMUP, first)
    batch = deliveries(args.invoices, first + WARMUP)
    port = free_port()
    env = server_env(args.database_url, workdir, port, schema)
    python = sys.executable
    subprocess.run(
        [python, "-m", "fatturahub.cli", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    base = f"http://127.0.0.1:{port}"
    with process([python, "-m", "fatturahub.cli", "serve", "--port", str(port)], env, f"{base}/readyz"):
        headers, company_id = tenant(base)
        url = f"{base}/sdi/RicezioneFatture"
        asyncio.run(deliver(url, warmup, args.concurrency))
        seconds, latencies, failures = asyncio.run(deliver(url, batch, args.concurrency))
        stored = received_count(base, headers, company_id)
    lxml_rate = bare_parse_rate(batch)
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "database": "PostgreSQL" if args.database_url else "SQLite",
        "invoices": args.invoices,
        "concurrency": args.concurrency,
        "intake_per_s": args.invoices / seconds,
        "p50_ms": cuts[49],
        "p99_ms": cuts[98],
        "failures": failures,
        "stored": stored - WARMUP,
        "lxml_per_s": lxml_rate,
        "mean_file_bytes": sum(len(d.envelope) for d in batch) // len(batch),
    }


def report(figures: dict) -> None:
    print(
        f"database: {figures['database']}; {figures['invoices']} signed invoices (.xml.p7m),"
        f" {figures['concurrency']} connections, mean SOAP request {figures['mean_file_bytes']:,} bytes"
    )
    print(f"{'measure':<58} {'invoices/s':>11}")
    print(
        f"{'RiceviFatture intake (unwrap+verify+parse+store+route)':<58} {figures['intake_per_s']:>11.1f}"
        f"   p50 {figures['p50_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms"
    )
    print(f"{'bare lxml etree.fromstring of the same XML (baseline)':<58} {figures['lxml_per_s']:>11.1f}")
    ratio = figures["intake_per_s"] / figures["lxml_per_s"]
    print(f"intake / bare parse: {ratio:.4f} (bare parsing is {1 / ratio:,.0f}× faster)")
    if figures["failures"] or figures["stored"] != figures["invoices"]:
        print(f"WARNING: {figures['failures']} answers not ER01; {figures['stored']} invoices stored")
    print(json.dumps({"intake_to_lxml": round(ratio, 5)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=300, help="distinct signed invoices to deliver")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent RiceviFatture requests")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("FATTURAHUB_TEST_DATABASE_URL"),
        help="PostgreSQL URL (a fresh schema is made and dropped); default SQLite",
    )
    args = parser.parse_args()
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url takes a postgresql+asyncpg:// URL (SQLite is the default)")
    with tempfile.TemporaryDirectory() as tmp:
        schema = f"bench_{uuid.uuid4().hex[:12]}" if args.database_url else None
        if schema:
            asyncio.run(create_schema(args.database_url, schema))
        try:
            figures = run(args, Path(tmp), schema)
        finally:
            if schema:
                asyncio.run(create_schema(args.database_url, schema, drop=True))
    report(figures)
    if figures["failures"] or figures["stored"] != figures["invoices"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
