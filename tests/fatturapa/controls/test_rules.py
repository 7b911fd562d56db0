"""One test per SDI control: bend a valid invoice so that exactly that rule breaks."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest

from fatturahub.fatturapa import validate
from fatturahub.fatturapa.controls import check
from fatturahub.fatturapa.model.ordinaria import (
    Art73,
    DatiAnagraficiRappresentante,
    DatiDocumentiCorrelati,
    DatiRitenuta,
    EsigibilitaIVA,
    Natura,
    RappresentanteFiscale,
    Ritenuta,
    ScontoMaggiorazione,
    TipoDocumento,
)

from .builders import (
    CUSTOMER_VAT,
    ISSUE_DATE,
    REPRESENTATIVE_VAT,
    SUPPLIER_VAT,
    add_free_cassa,
    add_free_line,
    add_free_summary,
    body,
    buyer,
    codes,
    general,
    invoice,
    line,
    seller,
    simplified_invoice,
    summary,
    vat,
)


def test_the_base_invoices_are_schema_valid_and_pass_every_control():
    for document in (invoice(), simplified_invoice()):
        assert validate(document) == []
        assert check(document).issues == []


# --- header: identifiers ---------------------------------------------------------------------
def test_00300_transmitter_id_with_a_wrong_check_character():
    doc = invoice()
    doc.FatturaElettronicaHeader.DatiTrasmissione.IdTrasmittente.IdCodice = "RSSMRA85T10A562X"
    assert codes(doc) == ["00300"]


def test_00301_supplier_vat_number_with_a_wrong_check_digit():
    doc = invoice()
    seller(doc).IdFiscaleIVA.IdCodice = "02468101214"
    assert codes(doc) == ["00301"]


def test_00302_supplier_fiscal_code_with_a_wrong_check_character():
    doc = invoice()
    seller(doc).CodiceFiscale = "RSSMRA85T10A562X"
    assert codes(doc) == ["00302"]


def _with_representative(doc, vat_number: str, fiscal_code: str | None = None):
    doc.FatturaElettronicaHeader.RappresentanteFiscale = RappresentanteFiscale(
        DatiAnagrafici=DatiAnagraficiRappresentante(
            IdFiscaleIVA=vat("IT", vat_number),
            CodiceFiscale=fiscal_code,
            Anagrafica={"Denominazione": "GAMMA SRL"},
        )
    )
    return doc


def test_00303_representative_vat_number_with_a_wrong_check_digit():
    assert codes(_with_representative(invoice(), REPRESENTATIVE_VAT)) == []
    assert codes(_with_representative(invoice(), "08642130151")) == ["00303"]


def test_00304_representative_fiscal_code_with_a_wrong_check_character():
    doc = _with_representative(invoice(), REPRESENTATIVE_VAT, "08642130151")
    assert codes(doc) == ["00304"]


def test_00305_customer_vat_number_with_a_wrong_check_digit():
    doc = invoice()
    buyer(doc).IdFiscaleIVA.IdCodice = "13579130018"
    assert codes(doc) == ["00305"]


def test_00306_customer_fiscal_code_with_a_wrong_check_character():
    doc = invoice()
    buyer(doc).IdFiscaleIVA = None
    buyer(doc).CodiceFiscale = "VRDLGU80A41H501N"  # the right check character is U
    assert codes(doc) == ["00306"]


def test_00313_abroad_code_for_an_italian_customer():
    doc = invoice()
    doc.FatturaElettronicaHeader.DatiTrasmissione.CodiceDestinatario = "XXXXXXX"
    assert codes(doc) == ["00313"]
    buyer(doc).IdFiscaleIVA = vat("FR", "12345678901")
    assert codes(doc) == []


def test_00330_an_sdi_mailbox_as_recipient():
    doc = invoice()
    transmission = doc.FatturaElettronicaHeader.DatiTrasmissione
    transmission.CodiceDestinatario = "0000000"
    transmission.PECDestinatario = "sdi01@pec.fatturapa.it"
    assert codes(doc) == ["00330"]


def test_00417_customer_without_any_identifier():
    doc = invoice()
    buyer(doc).IdFiscaleIVA = None
    assert codes(doc) == ["00417"]


def test_00427_recipient_code_length_against_the_format():
    doc = invoice()
    doc.FatturaElettronicaHeader.DatiTrasmissione.CodiceDestinatario = "ABC123"
    assert codes(doc) == ["00427"]


def test_00428_format_differs_from_the_root_version():
    doc = invoice()
    doc.versione = "FPA12"
    assert codes(doc) == ["00428"]


def test_00476_both_parties_foreign():
    doc = invoice()
    seller(doc).IdFiscaleIVA = vat("FR", "12345678901")
    buyer(doc).IdFiscaleIVA = vat("DE", "123456789")
    assert codes(doc) == ["00476"]


# --- document data ---------------------------------------------------------------------------
def test_00403_document_dated_after_receipt():
    doc = invoice()
    assert codes(doc, receipt_date=ISSUE_DATE) == []
    assert codes(doc, receipt_date=ISSUE_DATE - timedelta(days=1)) == ["00403"]


def test_00418_credit_note_before_the_invoice_it_corrects():
    doc = invoice()
    general(doc).TipoDocumento = TipoDocumento.TD04
    linked = DatiDocumentiCorrelati(IdDocumento="FT-9", Data=ISSUE_DATE + timedelta(days=1))
    body(doc).DatiGenerali.DatiFattureCollegate.append(linked)
    assert codes(doc) == ["00418"]


def test_00425_number_without_a_digit():
    doc = invoice()
    general(doc).Numero = "FT-A"
    assert codes(doc) == ["00425"]


# --- document types --------------------------------------------------------------------------
def test_00471_supplier_invoicing_itself():
    doc = invoice()
    buyer(doc).IdFiscaleIVA = vat("IT", SUPPLIER_VAT)
    assert codes(doc) == ["00471"]


def test_00472_self_consumption_invoice_to_someone_else():
    doc = invoice()
    general(doc).TipoDocumento = TipoDocumento.TD27
    assert codes(doc) == ["00472"]
    buyer(doc).IdFiscaleIVA = vat("IT", SUPPLIER_VAT)
    assert codes(doc) == []


def test_00473_foreign_purchase_from_an_italian_supplier():
    doc = invoice()
    general(doc).TipoDocumento = TipoDocumento.TD17
    assert codes(doc) == ["00473"]
    seller(doc).IdFiscaleIVA = vat("FR", "12345678901")
    assert codes(doc) == []


def test_00474_plafond_self_invoice_with_a_zero_rate_line():
    doc = invoice()
    general(doc).TipoDocumento = TipoDocumento.TD21
    buyer(doc).IdFiscaleIVA = vat("IT", SUPPLIER_VAT)
    assert codes(doc) == ["00474"]


def test_00475_integration_without_the_customer_vat_number():
    doc = invoice()
    general(doc).TipoDocumento = TipoDocumento.TD17
    seller(doc).IdFiscaleIVA = vat("FR", "12345678901")
    buyer(doc).IdFiscaleIVA = None
    buyer(doc).CodiceFiscale = "RSSMRA85T10A562S"
    assert codes(doc) == ["00475"]


# --- lines, cassa, summaries -----------------------------------------------------------------
def test_00400_zero_rate_line_without_natura():
    doc = invoice()
    add_free_line(doc, "0.00")
    assert codes(doc) == ["00400"]


def test_00401_natura_on_a_taxed_line():
    doc = invoice()
    add_free_line(doc, "22.00", Natura.N1)
    assert codes(doc) == ["00401"]


def test_td16_may_state_natura_with_a_rate():
    doc = invoice()
    general(doc).TipoDocumento = TipoDocumento.TD16
    line(doc, 1).Natura = Natura.N6_3
    summary(doc, 1).Natura = Natura.N6_3
    assert codes(doc) == []
    general(doc).TipoDocumento = TipoDocumento.TD01
    assert codes(doc) == ["00401", "00430"]


def test_00411_withholding_line_without_withholding_data():
    doc = invoice()
    line(doc, 1).Ritenuta = Ritenuta.SI
    assert codes(doc) == ["00411"]
    withholding = DatiRitenuta(
        TipoRitenuta="RT01",
        ImportoRitenuta=Decimal("20.00"),
        AliquotaRitenuta=Decimal("20.00"),
        CausalePagamento="A",
    )
    general(doc).DatiRitenuta.append(withholding)
    assert codes(doc) == []


def test_00413_zero_rate_cassa_without_natura():
    doc = invoice()
    add_free_cassa(doc, "0.00")
    assert codes(doc) == ["00413"]


def test_00414_natura_on_a_taxed_cassa():
    doc = invoice()
    add_free_cassa(doc, "22.00", Natura.N1)
    assert codes(doc) == ["00414"]


def test_00415_withholding_cassa_without_withholding_data():
    doc = invoice()
    add_free_cassa(doc, "22.00", Ritenuta=Ritenuta.SI)
    assert codes(doc) == ["00415"]


def test_00419_line_rate_without_summary():
    doc = invoice()
    add_free_line(doc, "10.00")
    assert codes(doc) == ["00419"]


def test_00420_reverse_charge_with_split_payment():
    doc = invoice()
    line(doc, 2).Natura = summary(doc, 2).Natura = Natura.N6_3
    summary(doc, 2).EsigibilitaIVA = EsigibilitaIVA.S
    assert codes(doc) == ["00420"]


def test_00421_is_wired_to_the_totals_engine():
    doc = invoice()
    summary(doc, 1).Imposta = Decimal("23.00")
    assert codes(doc) == ["00421"]


def test_00422_is_wired_to_the_totals_engine():
    doc = invoice()
    summary(doc, 1).ImponibileImporto = Decimal("110.00")
    summary(doc, 1).Imposta = Decimal("24.20")
    assert codes(doc) == ["00422"]


def test_00423_is_wired_to_the_totals_engine():
    doc = invoice()
    line(doc, 1).PrezzoTotale = Decimal("100.50")
    assert codes(doc) == ["00423"]


def test_00424_rate_written_as_a_fraction():
    doc = invoice()
    line(doc, 1).AliquotaIVA = summary(doc, 1).AliquotaIVA = Decimal("0.22")
    summary(doc, 1).Imposta = Decimal("0.22")
    assert codes(doc) == ["00424", "00424"]


def test_00429_zero_rate_summary_without_natura():
    doc = invoice()
    add_free_summary(doc, "0.00")
    assert codes(doc) == ["00429"]


def test_00430_natura_on_a_taxed_summary():
    doc = invoice()
    summary(doc, 1).Natura = Natura.N1
    assert codes(doc) == ["00430"]


def test_00437_document_discount_without_amount():
    doc = invoice()
    general(doc).ScontoMaggiorazione.append(ScontoMaggiorazione(Tipo="SC"))
    assert codes(doc) == ["00437"]


def test_00438_line_discount_without_amount():
    doc = invoice()
    line(doc, 1).ScontoMaggiorazione.append(ScontoMaggiorazione(Tipo="SC"))
    assert codes(doc) == ["00438"]


def test_00443_summary_rate_without_lines():
    doc = invoice()
    add_free_summary(doc, "10.00")
    assert codes(doc) == ["00443"]


def test_00444_natura_of_lines_and_summaries_differ():
    doc = invoice()
    line(doc, 2).Natura = Natura.N4
    report = check(doc)
    assert report.codes == ["00444", "00444"]
    assert [issue.path.rsplit("/", 2)[-2] for issue in report.issues] == [
        "DettaglioLinee[2]",
        "DatiRiepilogo[2]",
    ]


def test_00445_generic_natura():
    doc = invoice()
    line(doc, 2).Natura = summary(doc, 2).Natura = Natura.N2
    assert codes(doc) == ["00445", "00445"]


def test_00460_simplified_invoice_over_the_limit():
    doc = simplified_invoice()
    body(doc).DatiBeniServizi[0].Importo = Decimal("500.00")
    assert codes(doc) == ["00460"]


def test_00460_is_not_applied_to_flat_rate_suppliers_since_1_9():
    doc = simplified_invoice()
    body(doc).DatiBeniServizi[0].Importo = Decimal("500.00")
    doc.FatturaElettronicaHeader.CedentePrestatore.RegimeFiscale = "RF19"
    assert codes(doc) == []
    assert codes(doc, release="1.8") == ["00460"]


# --- duplicates ------------------------------------------------------------------------------
def test_00404_duplicate_of_an_invoice_in_our_records():
    doc = invoice()
    asked = []

    def known(key):
        asked.append(key)
        return True

    assert codes(doc, duplicates=known) == ["00404"]
    assert codes(doc, duplicates=lambda key: False) == []
    assert [(k.issuer, k.period, k.number, k.credit_note) for k in asked] == [
        ("IT" + SUPPLIER_VAT, "2025", "FT-1", False)
    ]


def test_00409_duplicate_inside_a_lotto():
    doc = invoice()
    doc.FatturaElettronicaBody.append(copy.deepcopy(body(doc)))
    report = check(doc)
    assert report.codes == ["00409"]
    assert report.issues[0].path == (
        "/FatturaElettronica/FatturaElettronicaBody[2]/DatiGenerali/DatiGeneraliDocumento/Numero"
    )
    general(doc, 2).TipoDocumento = TipoDocumento.TD04  # credit notes are numbered apart
    assert codes(doc) == []


def test_duplicate_key_by_full_date_under_art73_and_by_issuer_for_cc():
    doc = invoice()
    general(doc).Art73 = Art73.SI
    doc.FatturaElettronicaHeader.SoggettoEmittente = "CC"
    keys = []
    check(doc, duplicates=lambda key: keys.append(key) or False)
    assert (keys[0].issuer, keys[0].period) == ("IT" + CUSTOMER_VAT, ISSUE_DATE.isoformat())


# --- releases --------------------------------------------------------------------------------
def _td29(day: date):
    doc = invoice()
    general(doc).TipoDocumento = TipoDocumento.TD29
    general(doc).Data = day
    return doc


def test_td29_before_release_1_9_does_not_exist():
    report = check(_td29(date(2025, 3, 31)))
    assert (report.release.name, report.codes) == ("1.8", ["00200"])
    assert report.issues[0].path.endswith("/DatiGeneraliDocumento/TipoDocumento")


def test_td29_from_release_1_9_requires_an_italian_supplier():
    doc = _td29(date(2025, 4, 1))
    report = check(doc)
    assert (report.release.name, report.codes) == ("1.9", [])
    seller(doc).IdFiscaleIVA = vat("FR", "12345678901")
    assert codes(doc) == ["00473"]
    buyer(doc).IdFiscaleIVA = None
    buyer(doc).CodiceFiscale = "RSSMRA85T10A562S"
    assert codes(doc) == ["00473", "00475"]


def test_an_explicit_release_overrides_the_document_date():
    doc = _td29(date(2025, 3, 31))
    assert check(doc, release="1.9").codes == []
    with pytest.raises(ValueError, match="unknown specification release"):
        check(doc, release="2.0")


def test_release_1_9_1_applies_from_its_start_date():
    doc = invoice()
    general(doc).Data = date(2026, 5, 15)
    assert check(doc).release.name == "1.9.1"
    general(doc).Data = date(2018, 1, 1)  # older than any modelled release: the oldest applies
    assert check(doc).release.name == "1.8"


def test_a_lotto_is_checked_against_the_release_of_its_newest_document():
    doc = invoice()
    doc.FatturaElettronicaBody.append(copy.deepcopy(body(doc)))
    general(doc, 1).Data = date(2025, 3, 1)
    general(doc, 2).Numero = "FT-2"
    assert check(doc).release.name == "1.9"


# --- the simplified format -------------------------------------------------------------------
def test_simplified_invoice_controls_read_its_own_layout():
    doc = simplified_invoice()
    doc.FatturaElettronicaHeader.CessionarioCommittente.IdentificativiFiscali.CodiceFiscale = None
    doc.FatturaElettronicaHeader.DatiTrasmissione.CodiceDestinatario = "ABC123"
    general(doc).Numero = "S-A"
    report = check(doc)
    assert report.codes == ["00417", "00425", "00427"]
    assert report.issues[0].path == (
        "/FatturaElettronicaSemplificata/FatturaElettronicaHeader/CessionarioCommittente"
        "/IdentificativiFiscali"
    )


def test_simplified_invoice_to_oneself():
    doc = simplified_invoice()
    ids = doc.FatturaElettronicaHeader.CessionarioCommittente.IdentificativiFiscali
    ids.IdFiscaleIVA = vat("IT", SUPPLIER_VAT)
    assert codes(doc) == ["00471"]


def test_rf20_exists_from_release_1_9():
    doc = invoice()
    seller(doc).RegimeFiscale = "RF20"
    assert codes(doc) == []
    report = check(doc, release="1.8", lang="en")
    assert report.codes == ["00200"]
    assert report.issues[0].message == "value RF20 does not exist in specification release 1.8"
