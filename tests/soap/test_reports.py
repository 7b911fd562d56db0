"""The reports operations over SOAP (LIPE, Dati Fattura): zeep from the committed WSDL against a
live server on each database, every answer compared with REST's for the same small quarter and
validated against the WSDL's schema; the faults of the reports area's permissions."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from tests.inbox.conftest import hub  # noqa: F401  (the live server of tests/reports, on both databases)
from tests.reports.documents import Line
from tests.reports.scenario import ENERGIA, MACCHINE, Company, issue, new_company, purchase, record
from tests.service.conftest import with_key
from tests.soap.conftest import NS, Soap, assert_valid, soap_client
from zeep.exceptions import Fault

INTERMEDIARY = "BNCGNN70B02L219Y"


def _token(company: Company) -> str:
    return company.key.headers["authorization"].split(" ", 1)[1]


def _soap(hub, company: Company, token: str | None = None) -> Soap:  # noqa: F811
    return soap_client(hub.url, token or _token(company))


@pytest.fixture(scope="module")
def quarter(hub) -> Company:  # noqa: F811
    """A quarterly filer's Q1 2022: sales (one split payment, a credit note) and two purchases
    recorded in the quarter, one of them 50 % deductible."""
    c = new_company(hub)
    assert c.key.put(c.path("/lipe/settings/2022"), json={"periodicity": "quarterly"}).status_code == 200
    issue(hub, c, "1", date(2022, 1, 15), Line("1000.00"))
    issue(hub, c, "2", date(2022, 2, 10), Line("500.00", esigibilita="S"), Line("200.00", rate="10.00"))
    issue(hub, c, "3", date(2022, 3, 1), Line("100.00"), tipo="TD04")
    purchase(hub, c, "ENERGIA SPA", ENERGIA, "E1", date(2022, 2, 1), Line("300.00"))
    purchase(hub, c, "MACCHINE SPA", MACCHINE, "M7", date(2022, 3, 3), Line("800.00"))
    record(c, "E1", recorded_on=date(2022, 2, 3), deductible_percent="50")
    record(c, "M7", recorded_on=date(2022, 3, 4))
    return c


def _list(wrapper, name: str) -> list:
    """The items of a SOAP array (zeep reads an empty one as None)."""
    return list(getattr(wrapper, name)) if wrapper is not None else []


def _fault(call, *args, **kwargs) -> Fault:
    with pytest.raises(Fault) as raised:
        call(*args, **kwargs)
    [detail] = raised.value.detail
    assert_valid(detail)
    return raised.value


def _code(fault: Fault) -> str:
    return fault.code.split(":")[-1]


def _rest(company: Company, suffix: str, **params) -> dict:
    answer = company.key.get(company.path(suffix), params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _as_rest_settlement(settlement) -> dict:
    """SOAP's LipeSettlement in REST's shape, amounts as Decimal."""
    adjustments = settlement.Adjustments
    return {
        "year": settlement.Year,
        "period": settlement.Period,
        "periodicity": settlement.Periodicity,
        "figures": [
            {
                "code": f.Code,
                "column": f.Column,
                "amount": f.Amount,
                "rule": f.Rule,
                "parts": [
                    {"source": p.Source, "amount": p.Amount, "rule": p.Rule}
                    for p in _list(f.Parts, "LipePart")
                ],
            }
            for f in _list(settlement.Figures, "LipeFigure")
        ],
        "excluded": [
            {"figure": e.Figure, "source": e.Source, "reason": e.Reason}
            for e in _list(settlement.Excluded, "LipeExclusion")
        ],
        "issues": [
            {"code": i.Code, "path": i.Path, "message": i.Message}
            for i in _list(settlement.Issues, "LipeIssue")
        ],
        "adjustments": {
            "previous_debit": adjustments.PreviousDebit,
            "previous_period_credit": adjustments.PreviousPeriodCredit,
            "previous_year_credit": adjustments.PreviousYearCredit,
            "eu_car_payments": adjustments.EuCarPayments,
            "tax_credits": adjustments.TaxCredits,
            "advance": adjustments.Advance,
            "advance_method": adjustments.AdvanceMethod,
            "exceptional_events": adjustments.ExceptionalEvents,
            "subcontracting": adjustments.Subcontracting,
            "extraordinary_operations": adjustments.ExtraordinaryOperations,
        },
    }


def _decimals(rest: dict) -> dict:
    """REST's JSON settlement with its amounts as Decimal, to compare with SOAP's."""
    amounts = {"previous_debit", "previous_period_credit", "previous_year_credit"}
    amounts |= {"eu_car_payments", "tax_credits", "advance"}
    return {
        **rest,
        "figures": [
            {
                **f,
                "amount": Decimal(f["amount"]),
                "parts": [{**p, "amount": Decimal(p["amount"])} for p in f["parts"]],
            }
            for f in rest["figures"]
        ],
        "adjustments": {
            name: Decimal(value) if name in amounts else value for name, value in rest["adjustments"].items()
        },
    }


def _as_rest_submission(s) -> dict:
    return {
        "id": s.Id,
        "kind": {"LIPE": "LI", "DATI_FATTURA": "DF"}[s.Kind],
        "year": s.Year,
        "state": s.State,
        "file_name": s.FileName,
        "substitutes_id": s.SubstitutesId,
        "id_file": s.IdFile,
        "errors": [{"code": e.Code, "message": e.Message} for e in _list(s.Errors, "Error")],
    }


def _rest_submission(s: dict) -> dict:
    return {
        k: s[k] for k in ("id", "kind", "year", "state", "file_name", "substitutes_id", "id_file", "errors")
    }


# ---- LIPE ----------------------------------------------------------------------------------------


def test_get_lipe_settlement_is_rest_s_settlement_with_decimal_amounts(hub, quarter):  # noqa: F811
    soap = _soap(hub, quarter)
    settlement = soap.service.GetLipeSettlement(CompanyId=quarter.company_id, Year=2022, Period="Q1")
    assert_valid(soap.last_body())
    rest = _rest(quarter, "/lipe/2022/Q1")
    assert _as_rest_settlement(settlement) == _decimals(rest)
    figures = {
        f.Code + ("cr" if f.Column == "credit" else ""): f.Amount
        for f in _list(settlement.Figures, "LipeFigure")
    }
    assert all(isinstance(amount, Decimal) for amount in figures.values())
    # VP2: 1000 + 500 + 200 - 100; VP4 leaves out the split payment's VAT (2.2 € of it is the note's)
    assert figures["VP2"] == Decimal("1600.00")
    assert figures["VP3"] == Decimal("1100.00")
    assert figures["VP4"] == Decimal("220.00") + Decimal("20.00") - Decimal("22.00")
    assert figures["VP5"] == Decimal("33.00") + Decimal("176.00")
    assert any(f.Parts for f in _list(settlement.Figures, "LipeFigure"))  # every figure explained


def test_get_lipe_figure_documents_pages_as_rest(hub, quarter):  # noqa: F811
    soap = _soap(hub, quarter)
    soap_items, cursor = [], None
    while True:
        page = soap.service.GetLipeFigureDocuments(
            CompanyId=quarter.company_id, Year=2022, Period="Q1", Code="VP2", Limit=1, Cursor=cursor
        )
        assert_valid(soap.last_body())
        assert page.Code == "VP2" and len(_list(page.Items, "LipeContribution")) <= 1
        soap_items += _list(page.Items, "LipeContribution")
        cursor = page.NextCursor
        if cursor is None:
            break
    rest_items, rest_cursor = [], None
    while True:
        params = {"limit": 1} | ({"cursor": rest_cursor} if rest_cursor else {})
        page = _rest(quarter, "/lipe/2022/Q1/figures/VP2", **params)
        rest_items += page["items"]
        rest_cursor = page["next_cursor"]
        if rest_cursor is None:
            break
    assert len(soap_items) == len(rest_items) == 4  # three lines of sales, one of a credit note
    for mine, theirs in zip(soap_items, rest_items, strict=True):
        assert (mine.Entry.SourceId, mine.Entry.Numero, mine.Entry.Line) == (
            theirs["entry"]["source_id"],
            theirs["entry"]["numero"],
            theirs["entry"]["line"],
        )
        assert (mine.Amount, mine.Rule) == (Decimal(theirs["amount"]), theirs["rule"])
        assert mine.Entry.Taxable == Decimal(theirs["entry"]["taxable"])
        assert mine.Entry.DocumentDate.isoformat() == theirs["entry"]["document_date"]


def test_set_lipe_adjustments_recomputes_as_rest_and_is_audited(hub, quarter):  # noqa: F811
    soap = _soap(hub, quarter)
    settlement = soap.service.SetLipeAdjustments(
        CompanyId=quarter.company_id,
        Year=2022,
        Period="Q1",
        PreviousYearCredit=Decimal("150.00"),
        TaxCredits=Decimal("10.00"),
        Reason="dichiarazione IVA 2021",
    )
    assert_valid(soap.last_body())
    assert settlement.Adjustments.PreviousYearCredit == Decimal("150.00")
    assert settlement.Adjustments.TaxCredits == Decimal("10.00")
    assert _as_rest_settlement(settlement) == _decimals(_rest(quarter, "/lipe/2022/Q1"))
    log = quarter.owner.get("/v1/audit-log", params={"action": "lipe.adjusted", "limit": 50}).json()["items"]
    assert any(e["details"]["reason"] == "dichiarazione IVA 2021" for e in log)
    # REST's body rules hold: more than two decimals is refused by the WSDL's schema already
    fault = _fault(
        soap.service.SetLipeAdjustments,
        CompanyId=quarter.company_id,
        Year=2022,
        Period="Q1",
        TaxCredits=Decimal("1.234"),
        Reason="r",
    )
    assert _code(fault) == "Client.BadRequest"
    restored = soap.service.SetLipeAdjustments(
        CompanyId=quarter.company_id, Year=2022, Period="Q1", Reason="back"
    )
    assert restored.Adjustments.TaxCredits == Decimal("0.00")


def test_get_lipe_xml_is_rest_s_file(hub, quarter):  # noqa: F811
    soap = _soap(hub, quarter)
    answer = soap.service.GetLipeXml(CompanyId=quarter.company_id, Year=2022, Quarter=1)
    assert_valid(soap.last_body())
    rest = quarter.key.get(quarter.path("/lipe/2022/xml"), params={"quarter": 1})
    assert rest.status_code == 200, rest.text
    assert answer == rest.content and b"Comunicazione" in answer  # zeep unwraps LipeXml


def test_an_invalid_ivp18_file_is_client_invalid_with_the_schema_errors(hub, quarter):  # noqa: F811
    firm = new_company(hub)
    granted = quarter.owner.post(
        "/v1/delegations",
        json={
            "company_id": quarter.company_id,
            "grantee_account_id": firm.account_id,
            "levels": {"reports": "write"},
        },
    )
    assert granted.status_code == 201, granted.text
    soap = _soap(hub, firm)
    fault = _fault(soap.service.GetLipeXml, CompanyId=quarter.company_id, Year=2022, Quarter=1)
    assert _code(fault) == "Client.Invalid"
    rest = firm.key.get(quarter.path("/lipe/2022/xml"), params={"quarter": 1})
    assert rest.status_code == 422
    [detail] = fault.detail
    messages = [m.text for m in detail.iter(f"{{{NS}}}Message")]
    assert messages and messages == [e["message"] for e in rest.json()["errors"]]
    # with the intermediary the delegate's file validates
    answer = soap.service.GetLipeXml(
        CompanyId=quarter.company_id, Year=2022, Quarter=1, IntermediaryTaxCode=INTERMEDIARY
    )
    assert INTERMEDIARY.encode() in answer


def test_send_lipe_with_an_idempotency_key_then_list_and_get_as_rest(hub, quarter):  # noqa: F811
    soap = _soap(hub, quarter)
    key = uuid.uuid4().hex
    sent = soap.service.SendLipe(CompanyId=quarter.company_id, Year=2022, Quarter=1, IdempotencyKey=key)
    assert_valid(soap.last_body())
    again = soap.service.SendLipe(CompanyId=quarter.company_id, Year=2022, Quarter=1, IdempotencyKey=key)
    submission = sent  # zeep unwraps ReportSubmissionResponse
    assert again.Id == submission.Id
    assert (submission.Kind, submission.State, submission.Year) == ("LIPE", "queued", 2022)
    assert "_LI_" in submission.FileName
    reused = _fault(
        soap.service.SendLipe, CompanyId=quarter.company_id, Year=2022, Quarter=2, IdempotencyKey=key
    )
    assert _code(reused) == "Client.Conflict"  # the key with another request
    rest = _rest(quarter, f"/lipe/submissions/{submission.Id}")
    assert _as_rest_submission(submission) == _rest_submission(rest)


def test_lipe_submissions_are_listed_and_read_as_rest(hub, quarter):  # noqa: F811
    soap = _soap(hub, quarter)
    first = soap.service.SendLipe(CompanyId=quarter.company_id, Year=2022, Quarter=1)
    second = soap.service.SendLipe(CompanyId=quarter.company_id, Year=2022, Quarter=1)
    listed, cursor = [], None
    while True:
        page = soap.service.ListReportSubmissions(
            CompanyId=quarter.company_id, Kind="LIPE", Year=2022, Limit=1, Cursor=cursor
        )
        assert_valid(soap.last_body())
        listed += _list(page.Items, "ReportSubmission")
        cursor = page.NextCursor
        if cursor is None:
            break
    rest = _rest(quarter, "/lipe/submissions", year=2022, limit=200)["items"]
    assert [_as_rest_submission(s) for s in listed] == [_rest_submission(s) for s in rest]
    assert {first.Id, second.Id} <= {s.Id for s in listed}
    queued = soap.service.ListReportSubmissions(CompanyId=quarter.company_id, Kind="LIPE", State="queued")
    assert {s.Id for s in _list(queued.Items, "ReportSubmission")} == {s["id"] for s in rest}
    assert not soap.service.ListReportSubmissions(CompanyId=quarter.company_id, Kind="LIPE", Year=2021).Items
    detail = soap.service.GetReportSubmission(
        CompanyId=quarter.company_id, SubmissionId=first.Id, IncludeFiles=True
    )
    assert_valid(soap.last_body())
    assert _as_rest_submission(detail.Submission) == _rest_submission(
        _rest(quarter, f"/lipe/submissions/{first.Id}")
    )
    stored = quarter.key.get(quarter.path(f"/lipe/submissions/{first.Id}/file"))
    assert detail.File == stored.content and detail.OutcomeFile is None  # no outcome yet
    plain = soap.service.GetReportSubmission(CompanyId=quarter.company_id, SubmissionId=first.Id)
    assert plain.File is None
    wrong_kind = _fault(
        soap.service.GetReportSubmission,
        CompanyId=quarter.company_id,
        SubmissionId=first.Id,
        Kind="DATI_FATTURA",
    )
    assert _code(wrong_kind) == "Client.NotFound"


def test_send_dati_fatture_as_rest(hub, quarter):  # noqa: F811
    soap = _soap(hub, quarter)
    key = uuid.uuid4().hex
    sent = soap.service.SendDatiFatture(
        CompanyId=quarter.company_id, Year=2022, Period="Q1", Kind="DTR", IdempotencyKey=key
    )
    assert_valid(soap.last_body())
    (submission,) = sent  # zeep unwraps ReportSubmissionsResponse
    again = soap.service.SendDatiFatture(
        CompanyId=quarter.company_id, Year=2022, Period="Q1", Kind="DTR", IdempotencyKey=key
    )
    assert [s.Id for s in again] == [submission.Id]
    assert submission.Kind == "DATI_FATTURA" and "_DF_" in submission.FileName
    listed = soap.service.ListReportSubmissions(CompanyId=quarter.company_id, Kind="DATI_FATTURA")
    rest = _rest(quarter, "/dati-fatture/submissions")["items"]
    assert [_as_rest_submission(s) for s in _list(listed.Items, "ReportSubmission")] == [
        _rest_submission(s) for s in rest
    ]
    detail = soap.service.GetReportSubmission(
        CompanyId=quarter.company_id, SubmissionId=submission.Id, Kind="DATI_FATTURA", IncludeFiles=True
    )
    dtr = quarter.key.get(quarter.path(f"/dati-fatture/submissions/{submission.Id}/file"))
    assert detail.File == dtr.content and b"DTR" in detail.File
    late = _fault(
        soap.service.SendDatiFatture, CompanyId=quarter.company_id, Year=2022, Period="Q3", Kind="DTE"
    )
    assert _code(late) == "Client.Invalid"


# ---- permissions -----------------------------------------------------------------------------------


def _key(hub, company: Company, levels: dict[str, str]) -> str:  # noqa: F811
    made = company.owner.post("/v1/api-keys", json={"name": "limited", "levels": levels})
    assert made.status_code == 201, made.text
    return made.json()["token"]


def test_another_tenant_gets_not_found(hub, quarter):  # noqa: F811
    stranger = _soap(hub, new_company(hub))
    company = quarter.company_id
    calls = [
        (stranger.service.GetLipeSettlement, {"Year": 2022, "Period": "Q1"}),
        (stranger.service.GetLipeFigureDocuments, {"Year": 2022, "Period": "Q1", "Code": "VP3"}),
        (stranger.service.SetLipeAdjustments, {"Year": 2022, "Period": "Q1", "Reason": "r"}),
        (stranger.service.GetLipeXml, {"Year": 2022, "Quarter": 1}),
        (stranger.service.SendLipe, {"Year": 2022, "Quarter": 1}),
        (stranger.service.ListReportSubmissions, {"Kind": "LIPE"}),
        (stranger.service.GetReportSubmission, {"SubmissionId": str(uuid.uuid4())}),
        (stranger.service.SendDatiFatture, {"Year": 2022, "Period": "Q1", "Kind": "DTE"}),
    ]
    for call, fields in calls:
        assert _code(_fault(call, CompanyId=company, **fields)) == "Client.NotFound", call


def test_a_read_only_key_reads_but_cannot_adjust_or_send(hub, quarter):  # noqa: F811
    reader = _soap(hub, quarter, _key(hub, quarter, {"reports": "read"}))
    company = quarter.company_id
    assert reader.service.GetLipeSettlement(CompanyId=company, Year=2022, Period="Q1").Period == "Q1"
    fault = _fault(
        reader.service.SetLipeAdjustments, CompanyId=company, Year=2022, Period="Q1", TaxCredits=1, Reason="r"
    )
    assert _code(fault) == "Client.Forbidden"
    assert (
        _code(_fault(reader.service.SendLipe, CompanyId=company, Year=2022, Quarter=1)) == "Client.Forbidden"
    )


def test_a_key_without_the_reports_area_is_forbidden(hub, quarter):  # noqa: F811
    token = _key(hub, quarter, {"active_invoices": "write", "received_invoices": "write"})
    invoicing = _soap(hub, quarter, token)
    company = quarter.company_id
    fault = _fault(invoicing.service.GetLipeSettlement, CompanyId=company, Year=2022, Period="Q1")
    assert _code(fault) == "Client.Forbidden"
    listed = _fault(invoicing.service.ListReportSubmissions, CompanyId=company, Kind="LIPE")
    assert _code(listed) == "Client.Forbidden"
    assert with_key(hub.url, token).get(quarter.path("/lipe/2022/Q1")).status_code == 403
