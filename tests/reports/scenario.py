"""A quarterly filer's 2026 built through the API: invoices posted and delivered, purchases
delivered by SDI, recording dates and deductibility set as an accountant would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

import httpx
from sqlalchemy import update
from tests.inbox import builders
from tests.inbox.conftest import Hub
from tests.reports.documents import Line, active, received
from tests.service.conftest import company_body, login, partita_iva, with_key

from fatturahub.invoices.models import Invoice

SPLIT, DEFERRED = "S", "D"


@dataclass
class Company:
    owner: httpx.Client
    key: httpx.Client
    account_id: str
    company_id: str
    partita_iva: str
    codice_destinatario: str
    invoices: dict[str, str] = field(default_factory=dict)  # numero -> id
    purchases: dict[str, str] = field(default_factory=dict)  # numero -> received invoice id

    def path(self, suffix: str) -> str:
        return f"/v1/companies/{self.company_id}{suffix}"


def new_company(hub: Hub) -> Company:
    email = f"owner-{uuid.uuid4().hex[:10]}@example.com"
    password = "correct horse battery " + uuid.uuid4().hex[:6]
    created = hub.operator.post("/v1/accounts", json={"name": "T", "email": email, "password": password})
    assert created.status_code == 201, created.text
    owner = login(hub.url, email, password)
    vat, code = partita_iva(), builders.codice_destinatario()
    made = owner.post("/v1/companies", json=company_body(partita_iva=vat, codice_destinatario=code))
    assert made.status_code == 201, made.text
    key = owner.post("/v1/api-keys", json={"name": "erp"})
    assert key.status_code == 201, key.text
    return Company(
        owner,
        with_key(hub.url, key.json()["token"]),
        created.json()["account"]["id"],
        made.json()["id"],
        vat,
        code,
    )


def issue(
    hub: Hub,
    company: Company,
    numero: str,
    day: date,
    *lines: Line,
    tipo: str = "TD01",
    state: str = "delivered",
) -> str:
    """Post the invoice, then give it the state SDI's notifications would have given it."""
    made = company.key.post(company.path("/invoices"), json=active(numero, day, *lines, tipo=tipo))
    assert made.status_code == 201, made.text
    invoice_id = made.json()["id"]

    async def move(session):
        await session.execute(update(Invoice).where(Invoice.id == uuid.UUID(invoice_id)).values(state=state))

    hub.db(move)
    company.invoices[numero] = invoice_id
    return invoice_id


def purchase(
    hub: Hub,
    company: Company,
    supplier: str,
    supplier_vat: str,
    numero: str,
    day: date,
    *lines: Line,
    tipo: str = "TD01",
) -> str:
    content = received(company.partita_iva, supplier_vat, supplier, numero, day, *lines, tipo=tipo)
    hub.deliver(content, codice_destinatario=company.codice_destinatario)
    listed = company.key.get(company.path("/received-invoices"), params={"limit": 200})
    assert listed.status_code == 200, listed.text
    (found,) = [i["id"] for i in listed.json()["items"] if i["numero"] == numero]
    company.purchases[numero] = found
    return found


def record(company: Company, numero: str, **changes) -> None:
    body = {key: str(value) for key, value in changes.items()} | {"reason": "registro acquisti"}
    answer = company.key.put(company.path(f"/received-invoices/{company.purchases[numero]}/vat"), json=body)
    assert answer.status_code == 200, answer.text


ENERGIA, AUTO, EDILE, CARTA, MACCHINE = (partita_iva() for _ in range(5))


def build_year(hub: Hub) -> Company:
    c = new_company(hub)
    assert c.key.put(c.path("/lipe/settings/2026"), json={"periodicity": "quarterly"}).status_code == 200
    issue(hub, c, "1", date(2026, 1, 15), Line("10000.00"))
    issue(hub, c, "2", date(2026, 2, 10), Line("4000.00", esigibilita=SPLIT))
    issue(hub, c, "3", date(2026, 2, 20), Line("3000.00", esigibilita=DEFERRED))
    issue(hub, c, "4", date(2026, 3, 5), Line("1000.00"), tipo="TD04")
    issue(hub, c, "5", date(2026, 3, 10), Line("5000.00"), state="rejected")  # NS: never issued
    issue(hub, c, "6", date(2026, 3, 12), Line("700.00"), state="queued")  # not sent yet
    issue(hub, c, "7", date(2026, 4, 10), Line("2000.00"))
    issue(hub, c, "8", date(2026, 7, 15), Line("10000.00"))
    purchase(hub, c, "ENERGIA SPA", ENERGIA, "A/10", date(2026, 1, 20), Line("2000.00"))
    purchase(hub, c, "AUTO SRL", AUTO, "55", date(2026, 2, 3), Line("5000.00"))
    purchase(hub, c, "EDILE SRL", EDILE, "RC1", date(2026, 2, 18), Line("1200.00"), tipo="TD16")
    purchase(hub, c, "ENERGIA SPA", ENERGIA, "NC12", date(2026, 3, 15), Line("100.00"), tipo="TD04")
    purchase(hub, c, "CARTA SRL", CARTA, "77", date(2026, 3, 28), Line("1000.00"))
    purchase(hub, c, "MACCHINE SPA", MACCHINE, "300", date(2026, 5, 5), Line("20000.00"))
    # received today (November): the accountant records them on the days they entered the register
    for numero, day in (
        ("A/10", date(2026, 1, 25)),
        ("55", date(2026, 2, 5)),
        ("RC1", date(2026, 2, 18)),
        ("NC12", date(2026, 3, 16)),
        ("77", date(2026, 4, 2)),
        ("300", date(2026, 5, 6)),
    ):
        record(c, numero, recorded_on=day)
    # a car: 40 % deductible (art. 19-bis.1), set once for the supplier
    answer = c.key.put(
        c.path(f"/lipe/suppliers/IT{AUTO}/deductibility"), json={"percent": "40", "reason": "auto"}
    )
    assert answer.status_code == 200, answer.text
    return c
