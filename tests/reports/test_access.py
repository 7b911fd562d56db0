"""Who may see and change a company's LIPE: the reports area, its levels, tenants, delegates."""

from __future__ import annotations

import pytest
from tests.reports.scenario import Company, build_year, new_company
from tests.service.conftest import with_key

from fatturahub.fiscal.lipe import ivp18

INTERMEDIARY = "BNCGNN70B02L219Y"


@pytest.fixture(scope="module")
def year(hub) -> Company:
    return build_year(hub)


def key_with(hub, company: Company, levels: dict[str, str]):
    made = company.owner.post("/v1/api-keys", json={"name": "limited", "levels": levels})
    assert made.status_code == 201, made.text
    return with_key(hub.url, made.json()["token"])


ADJUST = {"tax_credits": "10.00", "reason": "r"}


def test_a_read_only_key_reads_but_cannot_adjust(hub, year):
    reader = key_with(hub, year, {"reports": "read"})
    assert reader.get(year.path("/lipe/2026/Q1")).status_code == 200
    assert reader.put(year.path("/lipe/2026/Q1/adjustments"), json=ADJUST).status_code == 403
    received = year.path(f"/received-invoices/{year.purchases['55']}/vat")
    assert reader.put(received, json={"deductible_percent": "50", "reason": "r"}).status_code == 403
    assert reader.post(year.path("/lipe/2026/submissions"), json={"quarter": 1}).status_code == 403


def test_a_key_without_the_reports_area_sees_nothing_of_it(hub, year):
    invoicing = key_with(hub, year, {"active_invoices": "write", "received_invoices": "write"})
    assert invoicing.get(year.path("/lipe/2026/Q1")).status_code == 403
    assert invoicing.get(year.path("/lipe/submissions")).status_code == 403


def test_another_tenant_gets_404_everywhere(hub, year):
    stranger = new_company(hub).key
    for path in ("/lipe/2026/Q1", "/lipe/2026/Q1/figures/VP2", "/lipe/submissions", "/lipe/settings/2026"):
        assert stranger.get(year.path(path)).status_code == 404, path
    assert stranger.get(year.path("/lipe/2026/xml"), params={"quarter": 1}).status_code == 404
    assert stranger.put(year.path("/lipe/2026/Q1/adjustments"), json=ADJUST).status_code == 404
    assert (
        stranger.put(
            year.path(f"/invoices/{year.invoices['3']}/vat"), json={"collected_on": None, "reason": "r"}
        ).status_code
        == 404
    )


def test_a_delegate_sends_as_intermediary(hub, year):
    firm = new_company(hub)
    granted = year.owner.post(
        "/v1/delegations",
        json={
            "company_id": year.company_id,
            "grantee_account_id": firm.account_id,
            "levels": {"reports": "write"},
        },
    )
    assert granted.status_code == 201, granted.text
    xml = year.path("/lipe/2026/xml")
    assert firm.key.get(xml, params={"quarter": 1}).status_code == 422
    answer = firm.key.get(xml, params={"quarter": 1, "intermediary_tax_code": INTERMEDIARY})
    assert answer.status_code == 200, answer.text
    assert ivp18.parse(answer.content).intermediary.tax_code == INTERMEDIARY
    own = year.key.get(xml, params={"quarter": 1})
    assert ivp18.parse(own.content).intermediary is None


def test_adjustments_are_in_the_audit_log_with_who_and_why(year):
    answer = year.owner.put(year.path("/lipe/2026/Q1/adjustments"), json=ADJUST)
    assert answer.status_code == 200, answer.text
    log = year.owner.get("/v1/audit-log", params={"action": "lipe.adjusted", "limit": 50})
    assert log.status_code == 200, log.text
    (entry, *_) = [e for e in log.json()["items"] if e["details"]["reason"] == "r"]
    assert entry["details"]["adjustments"] == {
        "tax_credits": "10.00",
        "subcontracting": False,
        "extraordinary_operations": False,
    }
    assert entry["user_id"] is not None


@pytest.mark.parametrize("path", ["/lipe/99999/Q1", "/lipe/2016/Q1", "/lipe/settings/0", "/lipe/99999/xml"])
def test_a_tax_year_out_of_range_is_a_clear_422(year, path):
    answer = year.owner.get(year.path(path), params={"quarter": 1})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert any(error["path"] == "year" for error in answer.json()["errors"])
