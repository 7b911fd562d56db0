"""LIPE figures of a quarterly filer's 2026, every VP field checked against hand arithmetic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from tests.fiscal.scenario import DEFERRED, DOCUMENTS, issued, line

from fatturahub.fiscal.lipe import (
    Adjustments,
    AdvanceMethod,
    IssuedDocument,
    Settlement,
    aggregate,
    settle,
    settle_periods,
    vat_lines,
)
from fatturahub.fiscal.periods import Period

Q1, Q2, Q3, Q4 = (Period(2026, quarter=q) for q in (1, 2, 3, 4))
ADJUSTMENTS = {
    Q1: Adjustments(previous_year_credit=D("300.00"), tax_credits=D("100.00")),
    Q4: Adjustments(advance=D("500.00"), advance_method=AdvanceMethod.HISTORICAL),
}


def figures(s: Settlement) -> dict[str, D]:
    return {
        "VP2": s.vp2.amount, "VP3": s.vp3.amount, "VP4": s.vp4.amount, "VP5": s.vp5.amount,
        "VP6": s.vp6_debit.amount, "VP6cr": s.vp6_credit.amount, "VP7": s.vp7.amount, "VP8": s.vp8.amount,
        "VP9": s.vp9.amount, "VP10": s.vp10.amount, "VP11": s.vp11.amount, "VP12": s.vp12.amount,
        "VP13": s.vp13.amount, "VP14": s.vp14_debit.amount, "VP14cr": s.vp14_credit.amount,
    }  # fmt: skip


def year() -> list[Settlement]:
    return settle_periods([Q1, Q2, Q3, Q4], vat_lines(DOCUMENTS), ADJUSTMENTS)


def test_first_quarter_every_field():
    q1 = year()[0]
    assert figures(q1) == {
        # sales 10,000 + 500 + 4,000 (split payment) + 3,000 (deferred) − 1,000 (TD04) + 2,000 (N3.2)
        # + 1,500 (N6.3, seller side); FT 7 (N2.1, not subject) is left out
        "VP2": D("20000.00"),
        # purchases 2,000 + 5,000 + 1,200 (TD16) + 3,000 (TD17) − 100 (TD04); FT 77 is recorded in
        # April (Q2) and EDILE's N6.3 invoice is counted through its TD16
        "VP3": D("11100.00"),
        # 2,200 + 50 − 220 (credit note) + 264 (TD16) + 660 (TD17); split payment 880 never, deferred
        # 660 when collected (April)
        "VP4": D("2954.00"),
        # 440 + 40 % of 1,100 = 440 + 264 (TD16) + 660 (TD17) − 22 (TD04)
        "VP5": D("1782.00"),
        "VP6": D("1172.00"),  # 2,954 − 1,782
        "VP6cr": D("0.00"),
        "VP7": D("0.00"),
        "VP8": D("0.00"),  # first quarter: nothing carried within the year
        "VP9": D("300.00"),
        "VP10": D("0.00"),
        "VP11": D("100.00"),
        "VP12": D("8.72"),  # 1 % of (1,172 − 300)
        "VP13": D("0.00"),
        "VP14": D("780.72"),  # 1,172 + 8.72 − 100 − 300
        "VP14cr": D("0.00"),
    }
    assert q1.issues == ()


def test_second_quarter_collects_deferred_vat_and_ends_in_credit():
    q2 = year()[1]
    assert figures(q2) == {
        "VP2": D("2000.00"),  # FT 8
        "VP3": D("21000.00"),  # FT 77 recorded 2 April (1,000) + MACCHINE (20,000)
        "VP4": D("1100.00"),  # FT 8: 440 + FT 3 collected 15 April: 660
        "VP5": D("4620.00"),  # 220 + 4,400
        "VP6": D("0.00"),
        "VP6cr": D("3520.00"),  # 4,620 − 1,100
        "VP7": D("0.00"),  # Q1's 780.72 exceeds 25.82: paid, not carried
        "VP8": D("0.00"),  # Q1 ended in debit
        "VP9": D("0.00"), "VP10": D("0.00"), "VP11": D("0.00"),
        "VP12": D("0.00"),  # nothing due, no interest
        "VP13": D("0.00"),
        "VP14": D("0.00"),
        "VP14cr": D("3520.00"),
    }  # fmt: skip


def test_third_quarter_uses_the_carried_credit():
    q3 = year()[2]
    assert figures(q3) == {
        "VP2": D("10000.00"), "VP3": D("1000.00"), "VP4": D("2200.00"), "VP5": D("220.00"),
        "VP6": D("1980.00"),  # 2,200 − 220
        "VP6cr": D("0.00"), "VP7": D("0.00"),
        "VP8": D("3520.00"),  # Q2's credit
        "VP9": D("0.00"), "VP10": D("0.00"), "VP11": D("0.00"),
        "VP12": D("0.00"),  # 1,980 − 3,520 < 0: no interest
        "VP13": D("0.00"),
        "VP14": D("0.00"),
        "VP14cr": D("1540.00"),  # 3,520 − 1,980
    }  # fmt: skip


def test_fourth_quarter_has_the_advance_and_no_interest():
    q4 = year()[3]
    assert figures(q4) == {
        "VP2": D("8000.00"), "VP3": D("0.00"), "VP4": D("1760.00"), "VP5": D("0.00"),
        "VP6": D("1760.00"), "VP6cr": D("0.00"), "VP7": D("0.00"),
        "VP8": D("1540.00"),  # Q3's credit
        "VP9": D("0.00"), "VP10": D("0.00"), "VP11": D("0.00"),
        "VP12": D("0.00"),  # no interest in the fourth quarter (settled with the annual return)
        "VP13": D("500.00"),
        "VP14": D("0.00"),
        "VP14cr": D("280.00"),  # 1,760 − 1,540 − 500 = −280
    }  # fmt: skip
    assert q4.module().advance_method == "1"


def test_each_figure_is_explained_by_its_documents_and_rules():
    q1 = year()[0]
    vp4 = {part.source: part.amount for part in q1.vp4.parts}
    assert vp4["TD04 4 of 2026-03-05 to ALFA SRL (22.00%)"] == D("-220.00")
    assert sum(vp4.values()) == q1.vp4.amount
    assert any("art. 26" in part.rule for part in q1.vp4.parts)
    vp5 = {part.source: part.amount for part in q1.vp5.parts}
    assert vp5["TD01 55 of 2026-02-03 from AUTO SRL, 40% deductible (22.00%)"] == D("440.00")
    reasons = {(x.figure, x.line.source.split(" (")[0]): x.reason for x in q1.excluded}
    assert "17-ter" in reasons["VP4", "TD01 2 of 2026-02-10 to COMUNE DI MILANO"]
    assert "not subject" in reasons["VP2", "TD01 7 of 2026-03-25 to OMEGA LTD"]
    assert "TD16" in reasons["VP3", "TD01 9 of 2026-02-15 from EDILE SRL"]
    assert "542/1999" in q1.vp12.rule and q1.vp12.parts[0].source == "1 % of 872.00"


def test_aggregated_rows_give_the_same_figures_as_the_documents():
    # What a GROUP BY over a million lines returns: sums per keys, dates on the first of their month.
    lines = vat_lines(DOCUMENTS)
    rows = aggregate(lines)
    assert len(rows) < len(lines) and sum(row.count for row in rows) == len(lines)
    by_rows = settle_periods([Q1, Q2, Q3, Q4], rows, ADJUSTMENTS)
    assert [figures(s) for s in by_rows] == [figures(s) for s in year()]
    assert any(part.source == "2 issued TD01 line(s) of 2026-01" for part in by_rows[0].vp2.parts)


def test_monthly_debit_up_to_25_82_is_carried_to_the_next_month():
    january, february = Period(2026, month=1), Period(2026, month=2)
    documents = [issued("1", date(2026, 1, 9), "ALFA SRL", line("100.00", "22.00")),
                 issued("2", date(2026, 2, 9), "ALFA SRL", line("1000.00", "220.00"))]  # fmt: skip
    jan, feb = settle_periods([january, february], vat_lines(documents))
    assert jan.vp14_debit.amount == D("22.00") and jan.carried_debit == D("22.00")
    assert feb.vp7.amount == D("22.00")
    assert feb.vp12.amount == D("0.00")  # monthly filers owe no interest
    assert feb.vp14_debit.amount == D("242.00")  # 220 + 22


def test_deferred_vat_never_collected_is_chargeable_after_one_year():
    invoice = issued("9", date(2025, 3, 10), "BETA SPA", line("1000.00", "220.00", esigibilita=DEFERRED))
    march_2025, march_2026 = Period(2025, month=3), Period(2026, month=3)
    assert settle(march_2025, invoice.vat_lines()).vp4.amount == D("0.00")
    assert settle(march_2025, invoice.vat_lines()).vp2.amount == D("1000.00")
    assert settle(march_2026, invoice.vat_lines()).vp4.amount == D("220.00")  # art. 6 c. 5 DPR 633/72


def test_quarterly_filers_by_law_owe_no_interest():
    q1 = settle(Q1, vat_lines(DOCUMENTS), quarterly_interest=False)
    assert q1.vp12.amount == D("0.00")
    assert q1.vp14_debit.amount == D("1172.00")


def test_inconsistent_adjustments_are_reported_with_their_element():
    adjustments = Adjustments(
        previous_debit=D("30.00"),
        previous_period_credit=D("10.00"),
        tax_credits=D("5000.00"),
        advance=D("1.00"),
    )
    q1 = settle(Q1, vat_lines(DOCUMENTS), adjustments)
    paths = {issue.path.rsplit("/", 1)[1] for issue in q1.issues}
    assert paths == {"DebitoPrecedente", "CreditoPeriodoPrecedente", "CreditiImposta", "Acconto"}


def test_document_types_without_an_automatic_treatment_are_listed_not_counted():
    odd = IssuedDocument("X", date(2026, 1, 5), "TD20", "ALFA SRL", (line("100.00", "22.00"),))
    q1 = settle(Q1, odd.vat_lines())
    assert q1.vp2.amount == q1.vp4.amount == D("0.00")
    assert "TD20" in q1.excluded[0].reason
