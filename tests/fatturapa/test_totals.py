"""The totals engine: SDI's line arithmetic, summaries, total, withholding, net due, checks."""

from __future__ import annotations

import copy
from decimal import Decimal as D
from typing import Any

import pytest
from pydantic import ValidationError
from tests.support.samples import OFFICIAL

from fatturahub.fatturapa import parse, serialize, validate
from fatturahub.fatturapa.findings import Finding
from fatturahub.fatturapa.model.ordinaria import (
    DettaglioLinee,
    EsigibilitaIVA,
    FatturaElettronicaBody,
    Natura,
    TipoRitenuta,
)
from fatturahub.fatturapa.totals import (
    check_invoice_totals,
    check_line_totals,
    check_summary_taxables,
    check_summary_taxes,
    check_totals,
    compute_totals,
    expected_line_total,
    fill_invoice_totals,
    fill_totals,
    message,
    round_half_up,
)
from fatturahub.fatturapa.totals.engine import Totals

BODY = "/FatturaElettronica/FatturaElettronicaBody"
GOODS = f"{BODY}/DatiBeniServizi"


# --- builders: invoices as the JSON an ERP would send --------------------------------------------
def line(
    number: int,
    price: str,
    total: str | None = None,
    *,
    rate: str = "22.00",
    quantity: str | None = None,
    discounts: tuple[dict[str, str], ...] = (),
    natura: str | None = None,
    withholding: bool = False,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "NumeroLinea": number,
        "Descrizione": f"line {number}",
        "PrezzoUnitario": price,
        "ScontoMaggiorazione": list(discounts),
        "PrezzoTotale": total if total is not None else price,
        "AliquotaIVA": rate,
    }
    if quantity is not None:
        data["Quantita"] = quantity
    if natura is not None:
        data["Natura"] = natura
    if withholding:
        data["Ritenuta"] = "SI"
    return data


def body(
    *lines: dict[str, Any], summaries: list[dict[str, Any]] | None = None, **general: Any
) -> dict[str, Any]:
    goods: dict[str, Any] = {"DettaglioLinee": list(lines)}
    if summaries is not None:
        goods["DatiRiepilogo"] = summaries
    document = {"TipoDocumento": "TD01", "Divisa": "EUR", "Data": "2026-03-02", "Numero": "7"}
    return {"DatiGenerali": {"DatiGeneraliDocumento": document | general}, "DatiBeniServizi": goods}


def summary(rate: str, taxable: str, tax: str, **extra: str) -> dict[str, str]:
    return {"AliquotaIVA": rate, "ImponibileImporto": taxable, "Imposta": tax, **extra}


def model(data: dict[str, Any]) -> FatturaElettronicaBody:
    return FatturaElettronicaBody.model_validate(data)


def totals_of_unsummarized(data: dict[str, Any], **options: Any) -> Totals:
    """The totals of a body written without summaries, filled first."""
    filled = fill_totals(data, **options)
    return compute_totals(filled)


def invoice(*bodies: dict[str, Any]) -> dict[str, Any]:
    """A whole FPR12 document: the official FPR01 header with the given bodies."""
    sample = parse((OFFICIAL / "v1.2" / "IT01234567890_FPR01.xml").read_bytes())
    header = sample.FatturaElettronicaHeader.model_dump(mode="json", exclude_none=True)
    return {"versione": "FPR12", "FatturaElettronicaHeader": header, "FatturaElettronicaBody": list(bodies)}


def discount(kind: str, percent: str | None = None, amount: str | None = None) -> dict[str, str]:
    data = {"Tipo": kind}
    if percent is not None:
        data["Percentuale"] = percent
    if amount is not None:
        data["Importo"] = amount
    return data


INPS = {
    "TipoCassa": "TC22",
    "AlCassa": "4.00",
    "ImportoContributoCassa": "40.00",
    "ImponibileCassa": "1000.00",
    "AliquotaIVA": "22.00",
    "Ritenuta": "SI",
}
RT01 = {
    "TipoRitenuta": "RT01",
    "ImportoRitenuta": "208.00",
    "AliquotaRitenuta": "20.00",
    "CausalePagamento": "A",
}


def professional(cassa: dict[str, str] = INPS) -> dict[str, Any]:
    """A TD06 fee note: 1000.00 fee subject to withholding, 4% cassa contribution, RT01 20%."""
    return body(
        line(1, "1000.00", withholding=True),
        TipoDocumento="TD06",
        DatiRitenuta=[RT01],
        DatiCassaPrevidenziale=[cassa],
    )


def mixed_rates() -> dict[str, Any]:
    return body(
        line(1, "100.00"),
        line(2, "55.55", rate="10.00"),
        line(3, "12.34", rate="4.00"),
        line(4, "30.00", rate="0.00", natura="N2.2"),
        line(5, "20.00", rate="0.00", natura="N4"),
        line(6, "0.50"),
    )


# --- expected_line_total and rounding (00423's arithmetic) ---------------------------------------
def _line(**kwargs: Any) -> DettaglioLinee:
    return DettaglioLinee.model_validate(line(1, **kwargs))


@pytest.mark.parametrize(
    ("price", "quantity", "discounts", "expected"),
    [
        ("100.00", None, (), D("100.00")),  # Quantita absent means 1
        ("100.00", "2.00", (discount("SC", "10.00"), discount("SC", "5.00")), D("171.00")),  # 85.50 × 2
        ("50.00", "3.00", (discount("SC", amount="5.00"),), D("135.00")),  # amount off the unit price
        ("20.00", None, (discount("MG", "10.00"),), D("22.00")),
        ("20.00", None, (discount("MG", amount="2.50"),), D("22.50")),
        ("100.00", None, (discount("SC", "10.00", "50.00"),), D("90.00")),  # percentage wins
        ("100.00", None, (discount("SC", "10.00"), discount("MG", amount="1.00")), D("91.00")),
        ("9.99", "3.00", (discount("SC", "33.33"),), D("19.980999")),  # unrounded
    ],
)
def test_expected_line_total_follows_sdi(price, quantity, discounts, expected):
    assert expected_line_total(_line(price=price, quantity=quantity, discounts=discounts)) == expected


def test_cascading_percentages_are_not_added_up():
    cascade = _line(price="100.00", discounts=(discount("SC", "10.00"), discount("SC", "10.00")))
    assert expected_line_total(cascade) == D("81.00")  # not 80.00


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (D("2.345"), 2, D("2.35")),
        (D("2.344999"), 2, D("2.34")),
        (D("-2.345"), 2, D("-2.35")),  # halves away from zero
        (D("0.123456785"), 8, D("0.12345679")),
    ],
)
def test_round_half_up(value, places, expected):
    assert round_half_up(value, places) == expected
    assert round_half_up(value, places).as_tuple().exponent == -places


# --- official samples ----------------------------------------------------------------------------
STATED = {
    # file: per body (ImponibileImporto, Imposta, EsigibilitaIVA, ImportoTotaleDocumento)
    "v1.2/IT01234567890_FPA01.xml": [("5.00", "1.10", "I", "6.10")],
    "v1.2/IT01234567890_FPA02.xml": [("25.00", "5.50", "D", "30.50")],
    "v1.2/IT01234567890_FPA03.xml": [("25.00", "5.50", "I", "30.50"), ("2000.00", "440.00", "I", "2440.00")],
    "v1.2/IT01234567890_FPR01.xml": [("5.00", "1.10", "I", "6.10")],
    "v1.2/IT01234567890_FPR02.xml": [("25.00", "5.50", "D", "30.50")],
    "v1.2/IT01234567890_FPR03.xml": [("25.00", "5.50", "I", "30.50"), ("2000.00", "440.00", "I", "2440.00")],
    "ade-b2b-2018/ITHVQWPH73P42H501Y_00023.xml": [("755.00", "166.10", None, "921.10")],
    "ade-b2b-2018/ITHVQWPH73P42H501Y_X0024.xml": [("673.00", "148.06", None, "821.06")],
}


@pytest.mark.parametrize("name", sorted(STATED))
def test_official_samples_summaries_are_reproduced(name):
    document = parse((OFFICIAL / name).read_bytes())
    for body_, (taxable, tax, esigibilita, total) in zip(
        document.FatturaElettronicaBody, STATED[name], strict=True
    ):
        totals = compute_totals(body_)
        [computed] = totals.summaries
        assert (computed.rate, computed.natura) == (D("22.00"), None)
        assert (computed.taxable, computed.tax) == (D(taxable), D(tax))
        assert computed.esigibilita == esigibilita  # carried from the stated summary
        assert totals.document_total == totals.net_due == D(total)


def test_ade_samples_state_the_total_the_engine_computes():
    for name in ("ITHVQWPH73P42H501Y_00023.xml", "ITHVQWPH73P42H501Y_X0024.xml"):
        document = parse((OFFICIAL / "ade-b2b-2018" / name).read_bytes())
        [body_] = document.FatturaElettronicaBody
        stated = body_.DatiGenerali.DatiGeneraliDocumento.ImportoTotaleDocumento
        assert compute_totals(body_).document_total == stated
        assert check_invoice_totals(document) == []


def test_official_samples_pass_the_arithmetic_checks_except_fpr03():
    for name in sorted(STATED):
        if name != "v1.2/IT01234567890_FPR03.xml":
            assert check_invoice_totals(parse((OFFICIAL / name).read_bytes())) == [], name


def test_fpr03_first_body_states_a_taxable_amount_sdi_would_refuse():
    """Its summary says 27.00 / 5.95 for lines worth 25.00: beyond 00422's ±1.00, while the
    Imposta is within 00421's ±0.01 of 27.00 × 22%."""
    document = parse((OFFICIAL / "v1.2" / "IT01234567890_FPR03.xml").read_bytes())
    [issue] = check_invoice_totals(document)
    assert issue.code == "00422"
    assert issue.path == f"{BODY}[1]/DatiBeniServizi/DatiRiepilogo/ImponibileImporto"
    assert "27.00" in issue.message and "25.00" in issue.message


# --- summaries, total, withholding, net due --------------------------------------------------------
def test_professional_with_inps_cassa_subject_to_withholding():
    totals = totals_of_unsummarized(professional())
    [vat] = totals.summaries
    assert (vat.taxable, vat.tax, vat.lines, vat.cassa) == (D("1040.00"), D("228.80"), (1,), (1,))
    assert totals.document_total == D("1268.80")
    [withholding] = totals.withholdings
    assert withholding.kind == TipoRitenuta.RT01
    assert (withholding.base, withholding.amount, withholding.stated) == (
        D("1040.00"),
        D("208.00"),
        D("208.00"),
    )
    assert totals.withholding == D("208.00")
    assert totals.net_due == D("1060.80")
    assert totals.notes[0] == (
        "22.00% (lines 1; cassa 1): taxable 1000.00 from lines + 40.00 from cassa = 1040.00;"
        " tax 1040.00 × 22.00% = 228.80 → 228.80 (rounding +0.00, kept in Imposta)"
    )
    assert "withholding RT01 20.00% of 1040.00 (lines 1; cassa 1) = 208.00 → 208.00" in totals.notes
    assert totals.notes[-1] == "net due 1268.80 − withholding 208.00 − split-payment VAT 0.00 = 1060.80"


def test_cassa_not_subject_to_withholding_stays_out_of_its_base():
    lawyers = {**INPS, "TipoCassa": "TC01"}
    del lawyers["Ritenuta"]
    totals = totals_of_unsummarized(professional(lawyers))
    [withholding] = totals.withholdings
    assert (withholding.base, withholding.amount, withholding.cassa) == (D("1000.00"), D("200.00"), ())
    assert totals.document_total == D("1268.80")
    assert totals.net_due == D("1068.80")
    assert any("the document states 208.00" in note for note in totals.notes)


def test_split_payment_vat_is_in_the_total_but_not_due_to_the_supplier():
    data = body(line(1, "1000.00"), line(2, "234.56"), summaries=[summary("22.00", "1234.56", "271.60")])
    data["DatiBeniServizi"]["DatiRiepilogo"][0]["EsigibilitaIVA"] = "S"
    totals = compute_totals(model(data), esigibilita=EsigibilitaIVA.D)  # the stated value wins
    [vat] = totals.summaries
    assert (vat.taxable, vat.unrounded_tax, vat.tax) == (D("1234.56"), D("271.6032"), D("271.60"))
    assert vat.esigibilita == EsigibilitaIVA.S
    assert totals.document_total == D("1506.16")
    assert totals.split_payment_vat == D("271.60")
    assert totals.net_due == D("1234.56")


def test_esigibilita_parameter_goes_on_computed_summaries():
    totals = totals_of_unsummarized(body(line(1, "1000.00")), esigibilita=EsigibilitaIVA.S)
    assert totals.summaries[0].esigibilita == EsigibilitaIVA.S
    assert (totals.document_total, totals.net_due) == (D("1220.00"), D("1000.00"))


def test_mixed_rates_and_natura():
    references = {"N2.2": "Art. 1 c. 54-89 L. 190/2014", "N4": "Art. 10 DPR 633/72"}
    filled = fill_totals(mixed_rates(), riferimento_normativo=references)
    totals = compute_totals(filled)
    rows = [(s.rate, s.natura, s.taxable, s.tax, s.lines) for s in totals.summaries]
    assert rows == [
        (D("22.00"), None, D("100.50"), D("22.11"), (1, 6)),
        (D("10.00"), None, D("55.55"), D("5.56"), (2,)),
        (D("4.00"), None, D("12.34"), D("0.49"), (3,)),
        (D("0.00"), Natura.N2_2, D("30.00"), D("0.00"), (4,)),
        (D("0.00"), Natura.N4, D("20.00"), D("0.00"), (5,)),
    ]
    ten = totals.summaries[1]
    assert (ten.unrounded_tax, ten.tax_rounding) == (D("5.555"), D("0.005"))  # half-up
    assert [s.riferimento_normativo for s in totals.summaries][3:] == list(references.values())
    assert totals.document_total == D("246.55")  # 218.39 + 28.16


def test_taxable_rounding_goes_to_the_summary_arrotondamento():
    data = body(
        line(1, "0.33333333", "0.99999999", quantity="3.00"),
        line(2, "10.004"),
    )
    filled = fill_totals(data)
    [written] = filled.DatiBeniServizi.DatiRiepilogo
    assert (written.ImponibileImporto, written.Arrotondamento, written.Imposta) == (
        D("11.00"),
        D("-0.00399999"),
        D("2.42"),
    )
    [computed] = compute_totals(filled).summaries
    assert computed.unrounded_taxable == D("11.00399999")
    assert check_totals(filled) == []
    assert "Arrotondamento" in compute_totals(filled).notes[0]


def test_document_discounts_cascade_on_the_total_and_leave_the_vat_base_alone():
    data = body(
        line(1, "1000.00"),
        ScontoMaggiorazione=[discount("SC", "10.00"), discount("SC", amount="8.00")],
        Arrotondamento="-0.05",
    )
    totals = totals_of_unsummarized(data)
    assert (totals.summaries[0].taxable, totals.summaries[0].tax) == (D("1000.00"), D("220.00"))
    assert totals.document.discounts == D("-130.00")  # 1220.00 → 1098.00 → 1090.00
    assert totals.document_total == D("1089.95")


def test_document_total_is_rounded_half_up_when_a_percentage_leaves_fractions():
    totals = totals_of_unsummarized(body(line(1, "10.00"), ScontoMaggiorazione=[discount("SC", "3.33")]))
    assert totals.document.unrounded == D("11.79374")  # 12.20 × 0.9667
    assert totals.document_total == D("11.79")


def test_virtual_stamp_duty_is_not_part_of_the_total():
    data = body(
        line(1, "100.00", rate="0.00", natura="N4"), DatiBollo={"BolloVirtuale": "SI", "ImportoBollo": "2.00"}
    )
    totals = totals_of_unsummarized(data)
    assert totals.document_total == totals.net_due == D("100.00")
    assert any("stamp duty 2.00" in note for note in totals.notes)


# --- SDI's tolerances ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("total", "refused"), [("10.01", False), ("9.99", False), ("10.02", True), ("9.98", True)]
)
def test_00423_tolerance(total, refused):
    data = body(
        line(1, "5.00"),
        line(2, "4.00"),
        line(3, "5.00", total, quantity="2.00"),
        summaries=[summary("22.00", "19.00", "4.18")],
    )
    findings = check_line_totals(model(data), BODY)
    if not refused:
        assert findings == []
        return
    [finding] = findings
    assert finding.path == f"{GOODS}/DettaglioLinee[3]/PrezzoTotale"
    difference = "+0.02" if total == "10.02" else "-0.02"
    assert finding == Finding(
        "00423",
        f"{GOODS}/DettaglioLinee[3]/PrezzoTotale",
        {"line": "3", "expected": "10.00", "found": total, "difference": difference, "tolerance": "0.01"},
    )


@pytest.mark.parametrize(
    ("tax", "refused"), [("22.01", False), ("21.99", False), ("22.02", True), ("21.98", True)]
)
def test_00421_tolerance(tax, refused):
    data = body(line(1, "100.00"), summaries=[summary("22.00", "100.00", tax)])
    findings = check_summary_taxes(model(data), BODY)
    assert [f.code for f in findings] == (["00421"] if refused else [])
    if refused:
        assert findings[0].path == f"{GOODS}/DatiRiepilogo/Imposta"
        assert findings[0].params["expected"] == "22.00"
        assert findings[0].params["found"] == tax


@pytest.mark.parametrize(
    ("taxable", "refused"), [("101.00", False), ("99.00", False), ("101.01", True), ("98.99", True)]
)
def test_00422_tolerance(taxable, refused):
    tax = str(round_half_up(D(taxable) * D("0.22")))
    data = body(line(1, "60.00"), line(2, "40.00"), summaries=[summary("22.00", taxable, tax)])
    findings = check_summary_taxables(model(data), BODY)
    assert check_summary_taxes(model(data), BODY) == []
    assert [f.code for f in findings] == (["00422"] if refused else [])
    if refused:
        assert findings[0].path == f"{GOODS}/DatiRiepilogo/ImponibileImporto"
        assert dict(findings[0].params) == {
            "rate": "22.00",
            "expected": "100.00",
            "found": taxable,
            "lines_amount": "100.00",
            "cassa_amount": "0.00",
            "rounding": "0.00",
            "difference": "+1.01" if taxable == "101.01" else "-1.01",
            "tolerance": "1.00",
        }


def test_00422_counts_cassa_and_summary_rounding_per_rate_across_natura():
    data = body(
        line(1, "100.00"),
        line(2, "10.00", rate="0.00", natura="N2.2"),
        line(3, "5.00", rate="0.00", natura="N4"),
        DatiCassaPrevidenziale=[{**INPS, "ImportoContributoCassa": "4.00"}],
        summaries=[
            summary("22.00", "105.50", "23.21", Arrotondamento="1.50"),  # 100 + 4 + 1.50
            summary("0.00", "12.00", "0.00", Natura="N2.2"),
            summary("0.00", "4.00", "0.00", Natura="N4"),  # 16.00 vs 15.00 for the rate: accepted
        ],
    )
    assert check_summary_taxables(model(data), BODY) == []
    data["DatiBeniServizi"]["DatiRiepilogo"][2]["ImponibileImporto"] = "4.01"
    [finding] = check_summary_taxables(model(data), BODY)
    assert finding.path == f"{GOODS}/DatiRiepilogo[2]/ImponibileImporto"  # first 0.00 summary
    assert (finding.params["found"], finding.params["expected"]) == ("16.01", "15.00")


def test_check_totals_renders_english_and_italian():
    data = body(line(1, "10.00", "10.50"), summaries=[summary("22.00", "10.50", "2.50")])
    issues = check_totals(model(data), f"{BODY}[2]")
    assert [(i.code, i.path) for i in issues] == [
        ("00423", f"{BODY}[2]/DatiBeniServizi/DettaglioLinee/PrezzoTotale"),
        ("00421", f"{BODY}[2]/DatiBeniServizi/DatiRiepilogo/Imposta"),
    ]
    assert issues[0].message == (
        "line 1: PrezzoTotale 10.50 differs from unit price with discounts/markups × quantity"
        " = 10.00 by +0.50 (tolerance ±0.01)"
    )
    [italian, _] = check_totals(model(data), language="it")
    assert italian.message.startswith("linea 1: PrezzoTotale 10.50 diverso da prezzo unitario")
    tax = check_summary_taxes(model(data), BODY)[0]
    assert message(tax, "it") == (
        "Imposta 2.50 del riepilogo al 22.00% diversa da ImponibileImporto 10.50 × 22.00%"
        " = 2.31, differenza +0.19 (tolleranza ±0.01)"
    )


def test_findings_are_immutable():
    finding = Finding("00423", "/x", {"line": "1"})
    with pytest.raises(TypeError):
        finding.params["line"] = "2"  # type: ignore[index]


# --- fill ------------------------------------------------------------------------------------------
def test_fill_from_json_computes_summaries_and_total_without_touching_the_input():
    data = professional()
    before = copy.deepcopy(data)
    filled = fill_totals(data)
    assert data == before
    [written] = filled.DatiBeniServizi.DatiRiepilogo
    assert (written.AliquotaIVA, written.ImponibileImporto, written.Imposta) == (
        D("22.00"),
        D("1040.00"),
        D("228.80"),
    )
    assert (written.EsigibilitaIVA, written.Natura, written.Arrotondamento) == (EsigibilitaIVA.I, None, None)
    assert filled.DatiGenerali.DatiGeneraliDocumento.ImportoTotaleDocumento == D("1268.80")


def test_fill_keeps_stated_summaries_and_total_and_returns_new_instances():
    stated = model(body(line(1, "100.00"), summaries=[summary("22.00", "100.40", "22.09")]))
    filled = fill_totals(stated)
    assert filled.DatiBeniServizi.DatiRiepilogo == stated.DatiBeniServizi.DatiRiepilogo
    assert filled.DatiGenerali.DatiGeneraliDocumento.ImportoTotaleDocumento == D("122.49")  # as stated
    assert stated.DatiGenerali.DatiGeneraliDocumento.ImportoTotaleDocumento is None
    assert filled.DatiBeniServizi is not stated.DatiBeniServizi
    assert filled.DatiBeniServizi.DettaglioLinee[0] is not stated.DatiBeniServizi.DettaglioLinee[0]
    total_given = model(
        body(
            line(1, "100.00"), summaries=[summary("22.00", "100.00", "22.00")], ImportoTotaleDocumento="1.00"
        )
    )
    assert fill_totals(total_given).DatiGenerali.DatiGeneraliDocumento.ImportoTotaleDocumento == D("1.00")


def test_fill_reports_other_mistakes_of_the_json():
    broken = body(line(1, "100.00"))
    del broken["DatiBeniServizi"]["DettaglioLinee"][0]["PrezzoTotale"]
    with pytest.raises(ValidationError, match="PrezzoTotale"):
        fill_totals(broken)


@pytest.mark.parametrize(
    "bodies",
    [
        [professional()],
        [mixed_rates()],
        [body(line(1, "0.33333333", "0.99999999", quantity="3.00"), line(2, "10.004"))],
        [mixed_rates(), professional()],  # a lotto
    ],
    ids=["professional", "mixed-rates", "arrotondamento", "lotto"],
)
def test_filled_invoice_is_schema_valid_and_passes_the_checks(bodies):
    data = invoice(*bodies)
    before = copy.deepcopy(data)
    document = fill_invoice_totals(
        data, riferimento_normativo={"N2.2": "Art. 1 L. 190/2014", "N4": "Art. 10 DPR 633/72"}
    )
    assert data == before
    assert validate(document) == []
    assert check_invoice_totals(document) == []
    assert parse(serialize(document)).model_dump() == document.model_dump()
