"""The reports operations over SOAP (LIPE, Dati Fattura): zeep from the committed WSDL against a
live server on each database, every answer compared with REST's for the same small quarter and
validated against the WSDL's schema; the faults of the reports area's permissions. Dati Fattura
submissions reach `accepted` as in tests/reports: the report jobs run (tests/reports' `settle`) against
a fake SDI on the live server's own database, so ANN and Rettifica run on really accepted files."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from tests.inbox.conftest import hub  # noqa: F401  (the live server of tests/reports, on both databases)
from tests.reports.documents import Line
from tests.reports.scenario import ENERGIA, MACCHINE, Company, issue, new_company, purchase, record
from tests.reports.test_dati_fatture_corrections import quarter as dati_fatture_quarter
from tests.reports.test_dati_fatture_corrections import settle
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
        "document_kind": s.DocumentKind,
        "period": s.Period,
        "cancels_id": s.CancelsId,
        "corrects_id": s.CorrectsId,
        "position": s.Position,
        "cancelled_by_id": s.CancelledById,
    }


SUBMISSION_FIELDS = ("id", "kind", "year", "state", "file_name", "substitutes_id", "id_file", "errors")
SUBMISSION_FIELDS += ("document_kind", "period", "cancels_id", "corrects_id", "position", "cancelled_by_id")


def _rest_submission(s: dict) -> dict:
    return {k: s[k] for k in SUBMISSION_FIELDS}


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


# ---- Dati Fattura after SDI accepted them: ANN, Rettifica, the search, the preview ---------------


@pytest.fixture(scope="module")
def dati(hub) -> Company:  # noqa: F811
    """Q1 2022 issued and received, as tests/reports/test_dati_fatture_corrections builds it."""
    return dati_fatture_quarter(hub)


def _accepted(hub, soap: Soap, company: Company, kind: str = "DTE"):  # noqa: F811
    """A DTE/DTR sent over SOAP, then taken to SDI's ES01 by the report jobs run against a fake
    SDI (tests/reports' `settle`, on the live server's own database)."""
    (sent,) = soap.service.SendDatiFatture(CompanyId=company.company_id, Year=2022, Period="Q1", Kind=kind)
    settle(hub)
    done = soap.service.GetReportSubmission(CompanyId=company.company_id, SubmissionId=sent.Id).Submission
    assert (done.State, done.DocumentKind, done.Period) == ("accepted", kind, "Q1")
    assert done.IdFile
    return done


def _same_as_rest(company: Company, submissions) -> None:
    for s in submissions:
        assert _as_rest_submission(s) == _rest_submission(_rest(company, f"/dati-fatture/submissions/{s.Id}"))


def test_cancel_dati_fatture_makes_rest_s_ann_submissions(hub, dati):  # noqa: F811
    soap = _soap(hub, dati)
    original = _accepted(hub, soap, dati)
    assert _as_rest_submission(original) == _rest_submission(
        _rest(dati, f"/dati-fatture/submissions/{original.Id}")
    )
    one = soap.service.CancelDatiFatture(
        CompanyId=dati.company_id, SubmissionId=original.Id, Position=[2], Reason="duplicate"
    )
    assert_valid(soap.last_body())
    (ann,) = one
    assert (ann.DocumentKind, ann.CancelsId, ann.Position, ann.Period) == ("ANN", original.Id, 2, "Q1")
    assert (ann.Kind, ann.State, ann.CorrectsId) == ("DATI_FATTURA", "queued", None)
    _same_as_rest(dati, one)
    log = dati.owner.get(
        "/v1/audit-log", params={"action": "dati_fattura.cancellation_submitted", "limit": 50}
    ).json()["items"]
    assert any(e["details"]["reason"] == "duplicate" for e in log)
    # the whole file, without a reason (both optional, as REST's body)
    (whole,) = soap.service.CancelDatiFatture(CompanyId=dati.company_id, SubmissionId=original.Id)
    assert (whole.DocumentKind, whole.CancelsId, whole.Position) == ("ANN", original.Id, None)
    _same_as_rest(dati, [whole])
    settle(hub)
    cancelled = soap.service.GetReportSubmission(CompanyId=dati.company_id, SubmissionId=original.Id)
    assert cancelled.Submission.CancelledById == whole.Id
    assert_valid(soap.last_body())
    _same_as_rest(dati, [cancelled.Submission])
    again = _fault(soap.service.CancelDatiFatture, CompanyId=dati.company_id, SubmissionId=original.Id)
    assert _code(again) == "Client.Conflict"  # cancelled already


def test_correct_dati_fatture_makes_rest_s_rettifica_submissions(hub, dati):  # noqa: F811
    soap = _soap(hub, dati)
    original = _accepted(hub, soap, dati, "DTR")
    made = soap.service.CorrectDatiFatture(
        CompanyId=dati.company_id, SubmissionId=original.Id, Position=[1], Reason="registrata dopo"
    )
    assert_valid(soap.last_body())
    (fix,) = made
    assert (fix.DocumentKind, fix.CorrectsId, fix.Position, fix.CancelsId) == ("DTR", original.Id, 1, None)
    _same_as_rest(dati, made)
    file = soap.service.GetReportSubmission(
        CompanyId=dati.company_id, SubmissionId=fix.Id, IncludeFiles=True
    ).File
    rest = dati.key.get(dati.path(f"/dati-fatture/submissions/{fix.Id}/file"))
    assert file == rest.content
    missing = _fault(
        soap.service.CorrectDatiFatture, CompanyId=dati.company_id, SubmissionId=original.Id, Position=[999]
    )
    assert _code(missing) in {"Client.Invalid", "Client.Conflict"}


def test_cancelling_a_submission_sdi_has_not_accepted_is_a_conflict(hub, dati):  # noqa: F811
    soap = _soap(hub, dati)
    (queued,) = soap.service.SendDatiFatture(CompanyId=dati.company_id, Year=2022, Period="Q1", Kind="DTE")
    fault = _fault(soap.service.CancelDatiFatture, CompanyId=dati.company_id, SubmissionId=queued.Id)
    assert _code(fault) == "Client.Conflict"
    rest = dati.key.post(dati.path(f"/dati-fatture/submissions/{queued.Id}/cancellation"))
    assert rest.status_code == 409
    fixed = _fault(
        soap.service.CorrectDatiFatture, CompanyId=dati.company_id, SubmissionId=queued.Id, Position=[1]
    )
    assert _code(fixed) == "Client.Conflict"
    lipe = soap.service.SendLipe(CompanyId=dati.company_id, Year=2022, Quarter=1)
    not_dati = _fault(soap.service.CancelDatiFatture, CompanyId=dati.company_id, SubmissionId=lipe.Id)
    assert _code(not_dati) == "Client.NotFound"  # as REST's …/dati-fatture/submissions/{id}


def test_list_report_submissions_has_rest_s_dati_fattura_filters(hub, dati):  # noqa: F811
    soap = _soap(hub, dati)
    original = _accepted(hub, soap, dati)
    soap.service.CancelDatiFatture(CompanyId=dati.company_id, SubmissionId=original.Id, Position=[1])
    filters = [
        ({"Period": "Q1"}, {"period": "Q1"}),
        ({"Period": "Q2"}, {"period": "Q2"}),
        ({"DocumentKind": "ANN"}, {"kind": "ANN"}),
        ({"DocumentKind": "DTR"}, {"kind": "DTR"}),
        ({"IdFile": original.IdFile}, {"id_file": original.IdFile}),
        ({"DocumentKind": "DTE", "State": "accepted", "Year": 2022}, {"kind": "DTE", "state": "accepted"}),
    ]
    for mine, theirs in filters:
        listed, cursor = [], None
        while True:
            page = soap.service.ListReportSubmissions(
                CompanyId=dati.company_id, Kind="DATI_FATTURA", Limit=2, Cursor=cursor, **mine
            )
            assert_valid(soap.last_body())
            listed += _list(page.Items, "ReportSubmission")
            cursor = page.NextCursor
            if cursor is None:
                break
        rest = _rest(dati, "/dati-fatture/submissions", limit=500, **theirs)["items"]
        assert [_as_rest_submission(s) for s in listed] == [_rest_submission(s) for s in rest], mine
    by_id = soap.service.ListReportSubmissions(
        CompanyId=dati.company_id, Kind="DATI_FATTURA", IdFile=original.IdFile
    )
    assert [s.Id for s in _list(by_id.Items, "ReportSubmission")] == [original.Id]
    anns = soap.service.ListReportSubmissions(
        CompanyId=dati.company_id, Kind="DATI_FATTURA", DocumentKind="ANN"
    )
    assert {s.DocumentKind for s in _list(anns.Items, "ReportSubmission")} == {"ANN"}


def test_get_dati_fatture_xml_is_rest_s_file(hub, dati):  # noqa: F811
    soap = _soap(hub, dati)
    for kind in ("DTE", "DTR"):
        answer = soap.service.GetDatiFattureXml(CompanyId=dati.company_id, Year=2022, Period="Q1", Kind=kind)
        assert_valid(soap.last_body())
        rest = dati.key.get(dati.path(f"/dati-fatture/2022/Q1/{kind}/xml"))
        assert rest.status_code == 200, rest.text
        assert answer == rest.content and kind.encode() in answer
    part = soap.service.GetDatiFattureXml(
        CompanyId=dati.company_id, Year=2022, Period="Q1", Kind="DTE", Part=1
    )
    rest_part = dati.key.get(dati.path("/dati-fatture/2022/Q1/DTE/xml"), params={"part": 1})
    assert part == rest_part.content
    beyond = _fault(
        soap.service.GetDatiFattureXml, CompanyId=dati.company_id, Year=2022, Period="Q1", Kind="DTE", Part=2
    )
    assert _code(beyond) == "Client.NotFound"
    assert dati.key.get(dati.path("/dati-fatture/2022/Q1/DTE/xml"), params={"part": 2}).status_code == 404
    late = _fault(
        soap.service.GetDatiFattureXml, CompanyId=dati.company_id, Year=2022, Period="Q3", Kind="DTE"
    )
    assert _code(late) == "Client.Invalid"


# ---- settings, and the VAT of single documents and suppliers -------------------------------------


def test_lipe_settings_are_rest_s(hub):  # noqa: F811
    c = new_company(hub)
    soap = _soap(hub, c)
    missing = _fault(soap.service.GetLipeSettings, CompanyId=c.company_id, Year=2023)
    assert _code(missing) == "Client.NotFound"
    assert c.key.get(c.path("/lipe/settings/2023")).status_code == 404
    saved = soap.service.SetLipeSettings(
        CompanyId=c.company_id,
        Year=2023,
        Periodicity="quarterly",
        QuarterlyByLaw=True,
        DeclarantTaxCode=INTERMEDIARY,
        DeclarantRole="1",
    )
    assert_valid(soap.last_body())
    read = soap.service.GetLipeSettings(CompanyId=c.company_id, Year=2023)
    assert_valid(soap.last_body())
    rest = _rest(c, "/lipe/settings/2023")
    for s in (saved, read):
        assert {
            "year": s.Year,
            "periodicity": s.Periodicity,
            "quarterly_by_law": s.QuarterlyByLaw,
            "declarant_tax_code": s.DeclarantTaxCode,
            "declarant_role": s.DeclarantRole,
        } == rest
    monthly = soap.service.SetLipeSettings(CompanyId=c.company_id, Year=2023, Periodicity="monthly")
    assert (monthly.Periodicity, monthly.QuarterlyByLaw, monthly.DeclarantTaxCode) == ("monthly", False, None)
    assert _rest(c, "/lipe/settings/2023")["periodicity"] == "monthly"
    assert (
        soap.service.GetLipeSettlement(CompanyId=c.company_id, Year=2023, Period="01").Periodicity
        == "monthly"
    )
    log = c.owner.get("/v1/audit-log", params={"action": "lipe.setting_changed", "limit": 50}).json()["items"]
    assert len(log) == 2
    bad = _fault(soap.service.SetLipeSettings, CompanyId=c.company_id, Year=2023, Periodicity="yearly")
    assert _code(bad) == "Client.BadRequest"


def _entries(answer) -> list:
    """VatEntries as zeep gives them (the list unwrapped, or None when empty)."""
    if answer is None:
        return []
    return list(getattr(answer, "VatEntry", answer))


def _as_rest_entry(e) -> dict:
    return {
        "source_type": e.SourceType,
        "source_id": e.SourceId,
        "position": e.Position,
        "line": e.Line,
        "direction": e.Direction,
        "numero": e.Numero,
        "counterparty": e.Counterparty,
        "tipo_documento": e.TipoDocumento,
        "natura": e.Natura,
        "aliquota": e.Aliquota,
        "esigibilita": e.Esigibilita,
        "document_date": e.DocumentDate.isoformat(),
        "recorded_on": e.RecordedOn and e.RecordedOn.isoformat(),
        "settled_on": e.SettledOn and e.SettledOn.isoformat(),
        "taxable": e.Taxable,
        "vat": e.Vat,
        "deductible_percent": e.DeductiblePercent,
        "deductible_vat": e.DeductibleVat,
    }


def _rest_entry(e: dict) -> dict:
    amounts = ("aliquota", "taxable", "vat", "deductible_percent", "deductible_vat")
    return {**e, **{name: Decimal(e[name]) for name in amounts}}


@pytest.fixture(scope="module")
def documents(hub) -> Company:  # noqa: F811
    """A deferred-VAT sale and two purchases, left to the VAT setters (the `quarter` stays as is)."""
    c = new_company(hub)
    issue(hub, c, "D1", date(2022, 1, 20), Line("1000.00", esigibilita="D"))
    purchase(hub, c, "ENERGIA SPA", ENERGIA, "E9", date(2022, 1, 10), Line("400.00"))
    purchase(hub, c, "MACCHINE SPA", MACCHINE, "M9", date(2022, 2, 10), Line("600.00"))
    return c


def test_set_received_invoice_vat_is_rest_s(hub, documents):  # noqa: F811
    c = documents
    soap = _soap(hub, c)
    received = c.purchases["E9"]
    answer = soap.service.SetReceivedInvoiceVat(
        CompanyId=c.company_id,
        ReceivedInvoiceId=received,
        RecordedOn=date(2022, 1, 12),
        DeductiblePercent=Decimal("50.00"),
        Reason="registro acquisti",
    )
    assert_valid(soap.last_body())
    (entry,) = _entries(answer)
    assert (entry.RecordedOn, entry.DeductiblePercent) == (date(2022, 1, 12), Decimal("50.00"))
    assert entry.DeductibleVat == Decimal("44.00") and isinstance(entry.Vat, Decimal)
    # REST's answer to a body with only the payment date: the fields not given stayed
    rest = c.key.put(
        c.path(f"/received-invoices/{received}/vat"), json={"settled_on": None, "reason": "same"}
    )
    assert rest.status_code == 200, rest.text
    assert [_as_rest_entry(e) for e in _entries(answer)] == [_rest_entry(e) for e in rest.json()]
    only_payment = soap.service.SetReceivedInvoiceVat(
        CompanyId=c.company_id, ReceivedInvoiceId=received, SettledOn=date(2022, 3, 1), Reason="paid"
    )
    (paid,) = _entries(only_payment)
    assert (paid.RecordedOn, paid.DeductiblePercent, paid.SettledOn) == (
        date(2022, 1, 12),
        Decimal("50.00"),
        date(2022, 3, 1),
    )
    log = c.owner.get(
        "/v1/audit-log", params={"action": "received_invoice.vat_adjusted", "limit": 50}
    ).json()["items"]
    assert any(e["details"]["reason"] == "paid" for e in log)
    too_precise = _fault(
        soap.service.SetReceivedInvoiceVat,
        CompanyId=c.company_id,
        ReceivedInvoiceId=received,
        DeductiblePercent=Decimal("101"),
        Reason="r",
    )
    assert _code(too_precise) == "Client.BadRequest"
    unknown = _fault(
        soap.service.SetReceivedInvoiceVat,
        CompanyId=c.company_id,
        ReceivedInvoiceId=str(uuid.uuid4()),
        Reason="r",
    )
    assert _code(unknown) == "Client.NotFound"


def test_set_invoice_vat_moves_deferred_vat_as_rest(hub, documents):  # noqa: F811
    c = documents
    soap = _soap(hub, c)
    invoice = c.invoices["D1"]
    answer = soap.service.SetInvoiceVat(
        CompanyId=c.company_id, InvoiceId=invoice, CollectedOn=date(2022, 4, 5), Reason="incassata"
    )
    assert_valid(soap.last_body())
    (entry,) = _entries(answer)
    assert (entry.Esigibilita, entry.SettledOn, entry.Vat) == ("D", date(2022, 4, 5), Decimal("220.00"))
    rest = c.key.put(
        c.path(f"/invoices/{invoice}/vat"), json={"collected_on": "2022-04-05", "reason": "again"}
    )
    assert rest.status_code == 200, rest.text
    assert [_as_rest_entry(e) for e in _entries(answer)] == [_rest_entry(e) for e in rest.json()]
    q2 = _as_rest_settlement(soap.service.GetLipeSettlement(CompanyId=c.company_id, Year=2022, Period="04"))
    assert q2 == _decimals(_rest(c, "/lipe/2022/04"))
    undone = soap.service.SetInvoiceVat(CompanyId=c.company_id, InvoiceId=invoice, Reason="not collected")
    (entry,) = _entries(undone)
    assert entry.SettledOn is None
    unknown = _fault(
        soap.service.SetInvoiceVat, CompanyId=c.company_id, InvoiceId=str(uuid.uuid4()), Reason="r"
    )
    assert _code(unknown) == "Client.NotFound"


def test_set_supplier_deductibility_is_rest_s(hub, documents):  # noqa: F811
    c = documents
    soap = _soap(hub, c)
    answer = soap.service.SetSupplierDeductibility(
        CompanyId=c.company_id, Supplier=f"IT{MACCHINE}", Percent=Decimal("40"), Reason="auto"
    )
    assert_valid(soap.last_body())
    (entry,) = _entries(answer)
    assert (entry.Numero, entry.DeductiblePercent, entry.DeductibleVat) == (
        "M9",
        Decimal("40.00"),
        Decimal("52.80"),
    )
    rest = c.key.put(
        c.path(f"/lipe/suppliers/IT{MACCHINE}/deductibility"), json={"percent": "40", "reason": "again"}
    )
    assert rest.status_code == 200, rest.text
    assert [_as_rest_entry(e) for e in _entries(answer)] == [_rest_entry(e) for e in rest.json()]
    bad = _fault(
        soap.service.SetSupplierDeductibility, CompanyId=c.company_id, Supplier="123", Percent=1, Reason="r"
    )
    assert _code(bad) == "Client.Invalid"  # as REST's 422: country + VAT number


# ---- permissions of the new operations --------------------------------------------------------------


def test_another_tenant_gets_not_found_from_the_new_operations(hub, quarter):  # noqa: F811
    stranger = _soap(hub, new_company(hub))
    company = quarter.company_id
    some = str(uuid.uuid4())
    calls = [
        (stranger.service.CancelDatiFatture, {"SubmissionId": some}),
        (stranger.service.CorrectDatiFatture, {"SubmissionId": some, "Position": [1]}),
        (stranger.service.GetDatiFattureXml, {"Year": 2022, "Period": "Q1", "Kind": "DTE"}),
        (stranger.service.GetLipeSettings, {"Year": 2022}),
        (stranger.service.SetLipeSettings, {"Year": 2022, "Periodicity": "monthly"}),
        (
            stranger.service.SetReceivedInvoiceVat,
            {"ReceivedInvoiceId": quarter.purchases["E1"], "Reason": "r"},
        ),
        (stranger.service.SetInvoiceVat, {"InvoiceId": quarter.invoices["1"], "Reason": "r"}),
        (
            stranger.service.SetSupplierDeductibility,
            {"Supplier": f"IT{ENERGIA}", "Percent": 1, "Reason": "r"},
        ),
        (stranger.service.ListReportSubmissions, {"Kind": "DATI_FATTURA", "DocumentKind": "ANN"}),
    ]
    for call, fields in calls:
        assert _code(_fault(call, CompanyId=company, **fields)) == "Client.NotFound", call
    assert _rest(quarter, "/lipe/settings/2022")["periodicity"] == "quarterly"  # untouched


def test_a_read_only_key_reads_but_cannot_cancel_correct_or_set(hub, quarter):  # noqa: F811
    reader = _soap(hub, quarter, _key(hub, quarter, {"reports": "read"}))
    company = quarter.company_id
    assert reader.service.GetLipeSettings(CompanyId=company, Year=2022).Periodicity == "quarterly"
    assert b"DTE" in reader.service.GetDatiFattureXml(CompanyId=company, Year=2022, Period="Q1", Kind="DTE")
    some = str(uuid.uuid4())
    calls = [
        (reader.service.CancelDatiFatture, {"SubmissionId": some}),
        (reader.service.CorrectDatiFatture, {"SubmissionId": some, "Position": [1]}),
        (reader.service.SetLipeSettings, {"Year": 2022, "Periodicity": "monthly"}),
        (reader.service.SetReceivedInvoiceVat, {"ReceivedInvoiceId": quarter.purchases["E1"], "Reason": "r"}),
        (reader.service.SetInvoiceVat, {"InvoiceId": quarter.invoices["1"], "Reason": "r"}),
        (reader.service.SetSupplierDeductibility, {"Supplier": f"IT{ENERGIA}", "Percent": 1, "Reason": "r"}),
    ]
    for call, fields in calls:
        assert _code(_fault(call, CompanyId=company, **fields)) == "Client.Forbidden", call
