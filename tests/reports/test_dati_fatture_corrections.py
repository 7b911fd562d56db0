"""Dati Fattura after SDI accepted them: ANN of a whole file or of one document, Rettifica of a
document from the ledger's current data, the refusals (not accepted, foreign, already cancelled),
permissions, and the search, through a fake SDI and through the sandbox's SdITrasmissioneFile."""

from __future__ import annotations

import base64
import itertools
import time
import uuid
from datetime import UTC, date, datetime

import pytest
from lxml import etree
from sqlalchemy import update
from tests.reports.documents import Line
from tests.reports.scenario import ENERGIA, Company, issue, new_company, purchase, record
from tests.reports.test_access import key_with
from tests.reports.test_sandbox import outcome_polls_now, stack
from tests.reports.test_submissions import REJECTION, processed, run_jobs
from tests.support.cms import pkcs12_bundle

from fatturahub.fatturapa import p7m
from fatturahub.fiscal.datifatture import check
from fatturahub.reports.models import DataSubmission
from fatturahub.sdi.channels import DataFileReceipt, DataFileSubmission

__all__ = ["stack"]  # the sandbox fixture, used here too

ID_FILES = itertools.count(770000001)


class Sdi:
    """SDI's data service: an IdFile per file, then ES01 (ES03 for the file names told to reject)."""

    def __init__(self, *reject: str) -> None:
        self.reject = set(reject)
        self.names: dict[str, str] = {}

    async def transmit_file(self, submission: DataFileSubmission) -> DataFileReceipt:
        id_file = str(next(ID_FILES))
        self.names[id_file] = submission.file_name
        return DataFileReceipt(id_file, datetime.now(UTC))

    async def file_outcome(self, id_file: str):
        if self.names.get(id_file) in self.reject:
            return processed("ES03", REJECTION)
        return processed("ES01")


def settle(hub, sdi: Sdi | None = None) -> None:
    """Send what is queued, then collect the outcomes."""
    sdi = sdi or Sdi()
    run_jobs(hub, sdi)
    run_jobs(hub, sdi)


def quarter(hub) -> Company:
    c = new_company(hub)
    issue(hub, c, "1", date(2022, 1, 15), Line("1000.00"))
    issue(hub, c, "2", date(2022, 2, 10), Line("500.00"), Line("200.00", rate="10.00"))
    issue(hub, c, "3", date(2022, 3, 1), Line("300.00"))
    purchase(hub, c, "ENERGIA SPA", ENERGIA, "E1", date(2022, 2, 1), Line("300.00"))
    record(c, "E1", recorded_on=date(2022, 2, 3), deductible_percent="50")
    return c


def submit(c: Company, kind: str = "DTE") -> dict:
    answer = c.key.post(c.path("/dati-fatture/2022/Q1/submissions"), json={"kind": kind})
    assert answer.status_code == 201, answer.text
    (submission,) = answer.json()
    return submission


def accepted(hub, c: Company, kind: str = "DTE") -> dict:
    submission = submit(c, kind)
    settle(hub)
    done = get(c, submission)
    assert done["state"] == "accepted", done
    return done


def get(c: Company, submission: dict) -> dict:
    answer = c.key.get(c.path(f"/dati-fatture/submissions/{submission['id']}"))
    assert answer.status_code == 200, answer.text
    return answer.json()


def cancel(c: Company, submission: dict, body: dict | None = None, status: int = 201):
    path = c.path(f"/dati-fatture/submissions/{submission['id']}/cancellation")
    answer = c.key.post(path, json=body) if body is not None else c.key.post(path)
    assert answer.status_code == status, answer.text
    return answer.json()


def stored(c: Company, submission: dict) -> etree._Element:
    answer = c.key.get(c.path(f"/dati-fatture/submissions/{submission['id']}/file"))
    assert answer.status_code == 200, answer.text
    content = answer.content
    if submission["file_name"].endswith(".p7m"):  # CAdES: the file inside the envelope
        content = p7m.signed_content(p7m.load_signed_data(content))
    tree = etree.fromstring(content)
    assert check(tree) == []
    return tree


@pytest.fixture(scope="module")
def company(hub) -> Company:
    return quarter(hub)


def test_a_whole_file_is_cancelled_once_sdi_accepts_the_ann(hub, company):
    original = accepted(hub, company)
    (ann,) = cancel(company, original, {"reason": "sent twice"})
    assert (ann["document_kind"], ann["cancels_id"], ann["position"]) == ("ANN", original["id"], None)
    assert (ann["year"], ann["period"], ann["state"]) == (2022, "Q1", "queued")
    assert "_DF_" in ann["file_name"] and ann["file_name"] != original["file_name"]
    tree = stored(company, ann)
    assert tree.xpath("/*/ANN/IdFile/text()") == [original["id_file"]]
    assert tree.xpath("/*/ANN/Posizione") == [] and tree.xpath("/*/DTE") == []
    cancel(company, original, status=409)  # being cancelled already
    assert get(company, original)["cancelled_by_id"] is None
    settle(hub)
    assert get(company, ann)["state"] == "accepted"
    assert get(company, original)["cancelled_by_id"] == ann["id"]
    cancel(company, original, status=409)
    cancel(company, original, {"positions": [1]}, status=409)
    fixed = company.key.post(
        company.path(f"/dati-fatture/submissions/{original['id']}/corrections"), json={"positions": [1]}
    )
    assert fixed.status_code == 409, fixed.text
    events = company.key.get("/v1/events", params={"limit": 200}).json()["items"]
    (event,) = [
        e
        for e in events
        if e["type"] == "dati_fatture.submission.cancelled" and e["data"]["id"] == original["id"]
    ]
    assert event["data"]["cancelled_by_id"] == ann["id"]
    assert any(
        e["type"] == "dati_fatture.submission.accepted" and e["data"]["id"] == ann["id"] for e in events
    )
    log = company.owner.get(
        "/v1/audit-log", params={"action": "dati_fattura.cancellation_submitted", "limit": 50}
    )
    assert log.status_code == 200, log.text
    (entry,) = [e for e in log.json()["items"] if e["details"]["cancels"] == original["id"]]
    assert entry["details"]["reason"] == "sent twice" and entry["details"]["id_file"] == original["id_file"]


def test_one_document_is_cancelled_on_its_own(hub, company):
    original = accepted(hub, company)
    numbers = stored(company, original).xpath("//DatiGenerali/Numero/text()")
    assert len(numbers) == 3
    (ann,) = cancel(company, original, {"positions": [2], "reason": "not ours"})
    assert (ann["position"], ann["cancels_id"]) == (2, original["id"])
    tree = stored(company, ann)
    assert tree.xpath("/*/ANN/IdFile/text()") == [original["id_file"]]
    assert tree.xpath("/*/ANN/Posizione/text()") == ["2"]
    cancel(company, original, {"positions": [2]}, status=409)
    cancel(company, original, {"positions": [4]}, status=422)  # the file holds 3
    settle(hub)
    assert get(company, ann)["state"] == "accepted"
    assert get(company, original)["cancelled_by_id"] is None  # one document only
    two = cancel(company, original, {"positions": [1, 3, 1]})
    assert [a["position"] for a in two] == [1, 3]
    settle(hub)
    assert [get(company, a)["state"] for a in two] == ["accepted", "accepted"]


def test_only_an_accepted_dte_or_dtr_file_of_the_company_can_be_cancelled(hub, company):
    queued = submit(company)
    cancel(company, queued, status=409)  # not accepted (yet)
    sdi = Sdi(queued["file_name"])
    settle(hub, sdi)
    rejected = get(company, queued)
    assert rejected["state"] == "rejected" and rejected["errors"]
    cancel(company, rejected, status=409)
    original = accepted(hub, company)
    (ann,) = cancel(company, original)
    settle(hub)
    cancel(company, get(company, ann), status=409)  # an ANN is not cancelled by another
    stranger = new_company(hub)
    for client, path in (
        (stranger.key, company.path(f"/dati-fatture/submissions/{original['id']}/cancellation")),
        (stranger.key, stranger.path(f"/dati-fatture/submissions/{original['id']}/cancellation")),
        (company.key, company.path(f"/dati-fatture/submissions/{stranger.company_id}/cancellation")),
    ):
        assert client.post(path).status_code == 404, path


def test_a_correction_carries_the_current_data_and_is_accepted(hub, company):
    original = accepted(hub, company, "DTR")
    assert stored(company, original).xpath("//Detraibile/text()") == ["50.00"]
    record(company, "E1", deductible_percent="100")
    answer = company.key.post(
        company.path(f"/dati-fatture/submissions/{original['id']}/corrections"),
        json={"positions": [1], "reason": "detraibile al 100"},
    )
    assert answer.status_code == 201, answer.text
    (fixed,) = answer.json()
    assert (fixed["document_kind"], fixed["corrects_id"], fixed["position"]) == ("DTR", original["id"], 1)
    tree = stored(company, fixed)
    assert tree.xpath("//Detraibile/text()") == ["100.00"]
    assert tree.xpath("//DatiGenerali/Numero/text()") == ["E1"]
    assert tree.xpath("/*/DTR/Rettifica/IdFile/text()") == [original["id_file"]]
    assert tree.xpath("/*/DTR/Rettifica/Posizione/text()") == ["1"]
    settle(hub)
    assert get(company, fixed)["state"] == "accepted"
    bad = company.key.post(
        company.path(f"/dati-fatture/submissions/{original['id']}/corrections"), json={"positions": [2]}
    )
    assert bad.status_code == 422, bad.text
    empty = company.key.post(
        company.path(f"/dati-fatture/submissions/{original['id']}/corrections"), json={"positions": []}
    )
    assert empty.status_code == 422
    log = company.owner.get(
        "/v1/audit-log", params={"action": "dati_fattura.correction_submitted", "limit": 50}
    ).json()["items"]
    assert [e["details"]["reason"] for e in log if e["details"]["corrects"] == original["id"]] == [
        "detraibile al 100"
    ]


def test_a_read_only_key_searches_but_cannot_cancel_or_correct(hub, company):
    original = accepted(hub, company)
    reader = key_with(hub, company, {"reports": "read"})
    base = company.path(f"/dati-fatture/submissions/{original['id']}")
    assert reader.get(company.path("/dati-fatture/submissions")).status_code == 200
    assert reader.post(f"{base}/cancellation").status_code == 403
    assert reader.post(f"{base}/corrections", json={"positions": [1]}).status_code == 403
    invoicing = key_with(hub, company, {"active_invoices": "write"})
    assert invoicing.get(company.path("/dati-fatture/submissions")).status_code == 403
    assert invoicing.post(f"{base}/cancellation").status_code == 403
    stranger = new_company(hub).key
    assert stranger.get(company.path("/dati-fatture/submissions")).status_code == 404
    assert stranger.post(f"{base}/corrections", json={"positions": [1]}).status_code == 404


def test_the_search_filters_and_pages(hub):
    c = quarter(hub)
    dte = accepted(hub, c, "DTE")
    dtr = accepted(hub, c, "DTR")
    (ann,) = cancel(c, dte, {"positions": [1]})
    settle(hub)

    def ids(**params) -> list[str]:
        answer = c.key.get(c.path("/dati-fatture/submissions"), params=params)
        assert answer.status_code == 200, answer.text
        return [s["id"] for s in answer.json()["items"]]

    assert ids() == [dte["id"], dtr["id"], ann["id"]]
    assert ids(kind="DTE") == [dte["id"]]
    assert ids(kind="DTR") == [dtr["id"]]
    assert ids(kind="ANN") == [ann["id"]]
    assert ids(year=2022, period="Q1", state="accepted") == [dte["id"], dtr["id"], ann["id"]]
    assert ids(period="Q2") == [] and ids(year=2021) == [] and ids(state="rejected") == []
    assert ids(id_file=dtr["id_file"]) == [dtr["id"]]
    assert ids(id_file="0") == []
    assert c.key.get(c.path("/dati-fatture/submissions"), params={"period": "Q5"}).status_code == 422
    assert c.key.get(c.path("/dati-fatture/submissions"), params={"kind": "LI"}).status_code == 422
    seen, cursor = [], None
    while True:
        params = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = c.key.get(c.path("/dati-fatture/submissions"), params=params).json()
        seen += [s["id"] for s in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [dte["id"], dtr["id"], ann["id"]]
    assert c.key.get(c.path("/lipe/submissions")).json()["items"] == []


# ---- through the sandbox's SdITrasmissioneFile -----------------------------------------------


def follow(hub, sandbox, c: Company, submission: dict, final: str = "accepted") -> dict:
    """Until `final`: the sandbox processes what it holds, the outcome polls run at once."""
    path = c.path(f"/dati-fatture/submissions/{submission['id']}")
    deadline = time.monotonic() + 30
    while (current := c.key.get(path).json())["state"] != final:
        assert time.monotonic() < deadline and current["state"] not in ("rejected", "failed"), current
        if current["state"] in ("sent", "processing"):
            assert sandbox.post("/control/data-files/process").status_code == 200
            outcome_polls_now(hub)
        time.sleep(0.1)
    return current


def test_anns_through_the_sandbox_validate_and_are_accepted(stack):
    hub, sandbox = stack
    c = new_company(hub)
    certificate = {"pkcs12": base64.b64encode(pkcs12_bundle(None)).decode()}
    assert c.owner.put(c.path("/signing-certificate"), json=certificate).status_code == 200
    issue(hub, c, "1", date(2022, 4, 15), Line("1000.00"))
    issue(hub, c, "2", date(2022, 5, 10), Line("500.00"))
    whole, partly = (follow(hub, sandbox, c, submit_period(c)) for _ in range(2))
    assert whole["id_file"] and whole["id_file"] != partly["id_file"]
    (ann,) = cancel(c, whole)
    (one,) = cancel(c, partly, {"positions": [2]})
    for made in (ann, one):
        done = follow(hub, sandbox, c, made)  # the sandbox checks the schema: 00200 otherwise
        assert done["outcome_file_name"], done
        tree = stored(c, made)
        assert tree.xpath("/*/ANN/IdFile/text()") == [get(c, {"id": made["cancels_id"]})["id_file"]]
    assert stored(c, one).xpath("/*/ANN/Posizione/text()") == ["2"]
    assert all(s["file_name"].endswith(".xml.p7m") for s in (whole, partly, ann, one))  # CAdES
    assert get(c, whole)["cancelled_by_id"] == ann["id"]
    assert get(c, partly)["cancelled_by_id"] is None
    cancel(c, whole, status=409)


def submit_period(c: Company) -> dict:
    answer = c.key.post(c.path("/dati-fatture/2022/Q2/submissions"), json={"kind": "DTE"})
    assert answer.status_code == 201, answer.text
    return answer.json()[0]


def test_a_file_sent_before_its_kind_was_recorded_is_read_back(hub, company):
    original = accepted(hub, company, "DTR")

    async def forget(session):
        await session.execute(
            update(DataSubmission)
            .where(DataSubmission.id == uuid.UUID(original["id"]))
            .values(document_kind=None, period=None)
        )

    hub.db(forget)
    (ann,) = cancel(company, original, {"positions": [1]})
    assert get(company, original)["document_kind"] == "DTR"
    assert stored(company, ann).xpath("/*/ANN/Posizione/text()") == ["1"]
    settle(hub)  # nothing left queued for the other modules' fake channels
    assert get(company, ann)["state"] == "accepted"
