"""SendInvoice over SOAP next to the REST ingest of the same ready XML, in the same run.

    make bench-soap   (or: .venv/bin/python bench/soap.py [--requests 1000] [--sqlite])

One `fatturahub serve`; a tenant made through REST; then, at 32 connections, N invoices posted
as application/xml to POST /v1/companies/{id}/invoices?send=false and N sent as base64 in a
SendInvoice envelope (Send=false, HTTP Basic with the API key): req/s, p50, p99 and SOAP's rate
as a fraction of REST's. Same database choice as bench/service.py (PostgreSQL at
FATTURAHUB_BENCH_DATABASE_URL in a fresh schema, or SQLite with --sqlite).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import httpx

from service import (
    CONNECTIONS,
    PG_DEFAULT,
    create_schema,
    free_port,
    invoice_json,
    load,
    process,
    service_env,
    tenant,
)

NS = "urn:fatturahub:soap:v1"
ENVELOPE = (
    '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:f="{ns}"><e:Body>'
    "<f:SendInvoice><f:CompanyId>{company}</f:CompanyId><f:File>{file}</f:File><f:Send>false</f:Send>"
    "</f:SendInvoice></e:Body></e:Envelope>"
)


def template(base: str, headers: dict[str, str], company_id: str) -> bytes:
    """A ready XML of the bench company, numbered "T1"."""
    invoices = f"{base}/v1/companies/{company_id}/invoices"
    draft = httpx.post(invoices, headers=headers, params={"send": "false"}, json=invoice_json(0)).json()
    xml = httpx.get(f"{invoices}/{draft['id']}/file", headers=headers).content
    return xml.replace(b"<Numero>B0</Numero>", b"<Numero>T1</Numero>")


def numbered(xml: bytes, numero: str) -> bytes:
    return xml.replace(b"<Numero>T1</Numero>", f"<Numero>{numero}</Numero>".encode())


def soap_body(company_id: str, xml: bytes) -> bytes:
    return ENVELOPE.format(ns=NS, company=company_id, file=base64.b64encode(xml).decode()).encode()


def measure(base: str, requests: int) -> tuple[dict, dict]:
    headers, company_id = tenant(base)
    xml = template(base, headers, company_id)
    rest = [(numbered(xml, f"R{n}"), {"content-type": "application/xml"}) for n in range(requests)]
    rest_url = f"{base}/v1/companies/{company_id}/invoices?send=false"
    rest_figures = asyncio.run(load(rest_url, rest, headers))
    key = headers["Authorization"].removeprefix("Bearer ")
    basic = {"Authorization": "Basic " + base64.b64encode(f"erp:{key}".encode()).decode()}
    soap = [
        (soap_body(company_id, numbered(xml, f"S{n}")), {"content-type": "text/xml; charset=utf-8"})
        for n in range(requests)
    ]
    soap_figures = asyncio.run(load(f"{base}/soap/v1", soap, basic))
    return rest_figures, soap_figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="invoices per measure")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of PostgreSQL")
    parser.add_argument("--database-url", default=os.environ.get("FATTURAHUB_BENCH_DATABASE_URL", PG_DEFAULT))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        schema = None if args.sqlite else f"bench_{uuid.uuid4().hex[:12]}"
        if schema:
            asyncio.run(create_schema(args.database_url, schema))
        try:
            rest, soap = run(args, Path(tmp), schema)
        finally:
            if schema:
                asyncio.run(create_schema(args.database_url, schema, drop=True))
    report(args, rest, soap)


def run(args: argparse.Namespace, workdir: Path, schema: str | None) -> tuple[dict, dict]:
    port = free_port()
    env = service_env(args, workdir, port, schema)
    python = sys.executable
    subprocess.run(
        [python, "-m", "fatturahub.cli", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    base = f"http://127.0.0.1:{port}"
    with process([python, "-m", "fatturahub.cli", "serve", "--port", str(port)], env, f"{base}/readyz"):
        return measure(base, args.requests)


def report(args: argparse.Namespace, rest: dict, soap: dict) -> None:
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"database: {database}; {CONNECTIONS} connections; {args.requests} invoices per measure")
    print(f"{'measure':<40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'× REST':>8}")
    for label, figures in (("REST POST invoice, ready XML", rest), ("SOAP SendInvoice, same XML", soap)):
        failed = f"  ({figures['failures']} failed)" if figures["failures"] else ""
        print(
            f"{label:<40} {figures['rps']:>9.1f} {figures['p50']:>8.1f} {figures['p99']:>8.1f}"
            f" {figures['rps'] / rest['rps']:>7.2f}×{failed}"
        )
    print(json.dumps({"soap_to_rest": round(soap["rps"] / rest["rps"], 3)}))


if __name__ == "__main__":
    main()
