"""LIPE over real HTTP: a quarterly filer's 2026 from invoices of both cycles, every VP field
checked against amounts worked out by hand; adjustments recompute; the IVP18 file validates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from tests.reports.documents import Line
from tests.reports.scenario import Company, build_year, issue, new_company

from fatturahub.fiscal.lipe import ivp18
from fatturahub.fiscal.periods import Period

FIELDS = (
    "VP2",
    "VP3",
    "VP4",
    "VP5",
    "VP6",
    "VP6cr",
    "VP7",
    "VP8",
    "VP9",
    "VP10",
    "VP11",
    "VP12",
    "VP13",
    "VP14",
    "VP14cr",
)


@pytest.fixture(scope="module")
def year(hub) -> Company:
    return build_year(hub)


def figures(company: Company, period: str) -> dict[str, D]:
    answer = company.key.get(company.path(f"/lipe/2026/{period}"))
    assert answer.status_code == 200, answer.text
    return as_fields(answer.json())


def as_fields(settlement: dict) -> dict[str, D]:
    return {
        f["code"] + ("cr" if f["column"] == "credit" else ""): D(f["amount"]) for f in settlement["figures"]
    }


def by_hand(**given: str) -> dict[str, D]:
    return {name: D(given.get(name, "0.00")) for name in FIELDS}


def adjust(company: Company, period: str, **amounts) -> dict:
    body = {name: str(value) for name, value in amounts.items()} | {"reason": "dichiarazione IVA 2025"}
    answer = company.key.put(company.path(f"/lipe/2026/{period}/adjustments"), json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_first_quarter_every_field_and_adjustments_recompute(year):
    before = by_hand(
        # 10,000 + 4,000 (split payment) + 3,000 (deferred) − 1,000 (TD04); FT 5 rejected, FT 6 not sent
        VP2="16000.00",
        # 2,000 + 5,000 + 1,200 (TD16) − 100 (TD04); FT 77 recorded in April
        VP3="8100.00",
        # 2,200 − 220 (credit note) + 264 (TD16); split payment never, deferred when collected
        VP4="2244.00",
        # 440 + 40 % of 1,100 + 264 (TD16) − 22 (TD04)
        VP5="1122.00",
        VP6="1122.00",
        VP12="11.22",  # 1 % of 1,122
        VP14="1133.22",
    )
    assert figures(year, "Q1") == before
    after = adjust(year, "Q1", previous_year_credit="300.00")
    assert as_fields(after) == before | {
        "VP9": D("300.00"),
        "VP12": D("8.22"),
        "VP14": D("830.22"),  # 1 % of (1,122 − 300); 1,122 + 8.22 − 300
    }
    assert after["adjustments"]["previous_year_credit"] == "300.00"


def test_deferred_vat_collected_later_and_a_credit_carried_to_the_next_quarter(year):
    collected = year.key.put(
        year.path(f"/invoices/{year.invoices['3']}/vat"),
        json={"collected_on": "2026-04-15", "reason": "bonifico ricevuto"},
    )
    assert collected.status_code == 200, collected.text
    assert figures(year, "Q2") == by_hand(
        VP2="2000.00",  # FT 7
        VP3="21000.00",  # FT 77 recorded 2 April + MACCHINE
        VP4="1100.00",  # 440 (FT 7) + 660 (FT 3 collected 15 April)
        VP5="4620.00",  # 220 + 4,400
        VP6cr="3520.00",
        VP14cr="3520.00",
    )
    vp4 = year.key.get(year.path("/lipe/2026/Q2/figures/VP4")).json()["items"]
    assert [(i["entry"]["numero"], D(i["amount"])) for i in vp4] == [("3", D("660.00")), ("7", D("440.00"))]
    assert figures(year, "Q3") == by_hand(
        VP2="10000.00",
        VP4="2200.00",
        VP6="2200.00",
        VP8="3520.00",  # Q2's credit, carried
        VP14cr="1320.00",  # 2,200 − 3,520; no interest on a credit
    )


def test_a_figure_lists_its_documents_page_by_page(year):
    path = year.path("/lipe/2026/Q1/figures/VP5")
    first = year.key.get(path, params={"limit": 2})
    assert first.status_code == 200, first.text
    items, cursor = first.json()["items"], first.json()["next_cursor"]
    while cursor:
        page = year.key.get(path, params={"limit": 2, "cursor": cursor}).json()
        items, cursor = items + page["items"], page["next_cursor"]
    assert sorted((i["entry"]["numero"], D(i["amount"])) for i in items) == [
        ("55", D("440.00")),
        ("A/10", D("440.00")),
        ("NC12", D("-22.00")),
        ("RC1", D("264.00")),
    ]
    assert sum(D(i["amount"]) for i in items) == D("1122.00")
    assert year.key.get(year.path("/lipe/2026/Q1/figures/VP14")).status_code == 404


def test_the_ivp18_file_validates_and_carries_the_quarter(year):
    answer = year.key.get(year.path("/lipe/2026/xml"), params={"quarter": 1})
    assert answer.status_code == 200, answer.text
    assert ivp18.check(ivp18.build(ivp18.parse(answer.content))) == []
    parsed = ivp18.parse(answer.content)
    (module,) = parsed.modules
    assert module.period == Period(2026, quarter=1)
    assert (parsed.vat_number, parsed.intermediary) == (year.partita_iva, None)
    assert (module.total_active, module.vat_chargeable, module.vat_deducted) == (
        D("16000.00"),
        D("2244.00"),
        D("1122.00"),
    )


def test_a_monthly_period_of_a_quarterly_filer_is_refused(year):
    answer = year.key.get(year.path("/lipe/2026/01"))
    assert answer.status_code == 422
    assert year.key.get(year.path("/lipe/2026/Q5")).status_code == 422


def test_a_monthly_filer_gets_a_module_per_month_and_by_law_filers_owe_no_interest(hub):
    company = new_company(hub)
    settings = company.path("/lipe/settings/2026")
    assert company.key.put(settings, json={"periodicity": "monthly"}).status_code == 200
    issue(hub, company, "1", date(2026, 1, 20), Line("1000.00"))
    issue(hub, company, "2", date(2026, 3, 20), Line("500.00"))
    answer = company.key.get(company.path("/lipe/2026/xml"), params={"quarter": 1})
    assert answer.status_code == 200, answer.text
    modules = ivp18.parse(answer.content).modules
    assert [(m.period.month, m.vat_chargeable) for m in modules] == [
        (1, D("220.00")),
        (2, D("0.00")),
        (3, D("110.00")),
    ]
    assert company.key.get(company.path("/lipe/2026/Q1")).status_code == 422
    quarterly = {"periodicity": "quarterly", "quarterly_by_law": True}
    assert company.key.put(settings, json=quarterly).status_code == 200
    assert figures(company, "Q1") == by_hand(VP2="1500.00", VP4="330.00", VP6="330.00", VP14="330.00")
