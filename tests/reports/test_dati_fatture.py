"""Dati Fattura of a 2022 quarter from the ledger: DTE and DTR validate, are submitted and tracked;
periods after June 2022 are refused."""

from __future__ import annotations

from datetime import date

from lxml import etree
from tests.reports.documents import Line
from tests.reports.scenario import ENERGIA, issue, new_company, purchase, record
from tests.reports.test_submissions import FakeChannel, processed, run_jobs

from fatturahub.fiscal.datifatture import check


def test_issued_and_received_data_of_a_quarter_validate_and_are_sent(hub):
    c = new_company(hub)
    issue(hub, c, "1", date(2022, 1, 15), Line("1000.00"))
    issue(hub, c, "2", date(2022, 2, 10), Line("500.00"), Line("200.00", rate="10.00"))
    issue(hub, c, "3", date(2022, 4, 1), Line("900.00"))  # next quarter
    purchase(hub, c, "ENERGIA SPA", ENERGIA, "E1", date(2022, 2, 1), Line("300.00"))
    record(c, "E1", recorded_on=date(2022, 2, 3), deductible_percent="50")
    dte = c.key.get(c.path("/dati-fatture/2022/Q1/DTE/xml"))
    assert dte.status_code == 200, dte.text
    tree = etree.fromstring(dte.content)
    assert check(tree) == []
    assert sorted(tree.xpath("//DatiGenerali/Numero/text()")) == ["1", "2"]
    dtr = c.key.get(c.path("/dati-fatture/2022/Q1/DTR/xml"))
    assert dtr.status_code == 200, dtr.text
    received = etree.fromstring(dtr.content)
    assert check(received) == []
    assert received.xpath("//Detraibile/text()") == ["50.00"]
    assert received.xpath("//DataRegistrazione/text()") == ["2022-02-03"]
    sent = c.key.post(c.path("/dati-fatture/2022/Q1/submissions"), json={"kind": "DTE"})
    assert sent.status_code == 201, sent.text
    (submission,) = sent.json()
    assert "_DF_" in submission["file_name"]
    run_jobs(hub, FakeChannel())
    run_jobs(hub, FakeChannel(processed("ES01")))
    listed = c.key.get(c.path("/dati-fatture/submissions"), params={"year": 2022}).json()["items"]
    assert [(s["id"], s["state"]) for s in listed] == [(submission["id"], "accepted")]
    assert c.key.get(c.path("/lipe/submissions")).json()["items"] == []


def test_periods_after_june_2022_and_empty_ones_are_refused(hub):
    c = new_company(hub)
    assert c.key.get(c.path("/dati-fatture/2022/Q3/DTE/xml")).status_code == 422
    assert c.key.get(c.path("/dati-fatture/2021/H1/DTE/xml")).status_code == 422  # nothing in it
