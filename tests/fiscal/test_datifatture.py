"""Dati Fattura DTE / DTR / ANN files: split at 1,000 documents, Rettifica, schema validity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from fatturahub.fiscal.codes import Esigibilita
from fatturahub.fiscal.datifatture import (
    Address,
    Declarant,
    InvoiceData,
    NotInDatiFattura,
    Party,
    Position,
    Summary,
    cancellation,
    check,
    correction,
    document_type,
    issued_invoices_files,
    natura,
    received_invoices_files,
)

COMPANY = Party(
    vat_code="01234567890", name="FATTURAHUB SRL", address=Address("VIA ROMA 1", "MILANO", postcode="20100")
)
DECLARANT = Declarant("RSSMRA80A01F205X", 1)


def customer(n: int) -> Party:
    return Party(country="DE", vat_code=f"DE{n:09d}", name=f"KUNDE {n} GMBH")


def invoice(n: int, counterparty: Party, document="TD01", recorded_on=None) -> InvoiceData:
    lines = (Summary(D("100.00"), D("22.00"), D("22.00"), esigibilita=Esigibilita.IMMEDIATE),
             Summary(D("50.00"), D("0.00"), D("0.00"), natura="N3.2"))  # fmt: skip
    return InvoiceData(counterparty, document, date(2021, 3, 1), str(n), lines, recorded_on)


def test_codes_are_mapped_to_the_schema_lists():
    assert [natura(n) for n in ("N2.1", "N3.5", "N6.3", "N4", None)] == ["N2", "N3", "N6", "N4", None]
    assert [document_type(t) for t in ("TD01", "TD04", "TD24", "TD09", "TD17", "TD18")] == [
        "TD01", "TD04", "TD01", "TD05", "TD11", "TD10"
    ]  # fmt: skip
    with pytest.raises(NotInDatiFattura):
        document_type("TD16")


def test_issued_invoices_are_split_every_thousand_documents_and_grouped_by_customer():
    # 3 customers: 1,500 + 400 + 101 invoices = 2,001 -> files of 1,000, 1,000 and 1
    invoices = [invoice(i, customer(1)) for i in range(1500)] + [invoice(i, customer(2)) for i in range(400)]
    invoices += [invoice(i, customer(3)) for i in range(101)]
    files = issued_invoices_files(COMPANY, invoices, DECLARANT)
    assert [len(f.documents) for f in files] == [1000, 1000, 1]
    for f in files:
        assert check(f.tree) == []
    second = files[1].tree.getroot()
    blocks = second.findall("DTE/CessionarioCommittenteDTE")
    assert [len(b.findall("DatiFatturaBodyDTE")) for b in blocks] == [500, 400, 100]
    assert second.findtext("DatiFatturaHeader/Dichiarante/CodiceFiscale") == "RSSMRA80A01F205X"
    summary = second.find("DTE/CessionarioCommittenteDTE/DatiFatturaBodyDTE/DatiRiepilogo[2]")
    assert summary.findtext("Natura") == "N3" and summary.findtext("DatiIVA/Aliquota") == "0.00"


def test_received_invoices_carry_the_recording_date():
    supplier = Party(country="FR", vat_code="FR12345678901", name="FOURNISSEUR SA")
    files = received_invoices_files(COMPANY, [invoice(7, supplier, "TD18", recorded_on=date(2021, 3, 5))])
    assert check(files[0].tree) == []
    general = files[0].tree.getroot().find("DTR/CedentePrestatoreDTR/DatiFatturaBodyDTR/DatiGenerali")
    assert (general.findtext("TipoDocumento"), general.findtext("DataRegistrazione")) == (
        "TD10",
        "2021-03-05",
    )
    with pytest.raises(ValueError, match="DataRegistrazione"):
        received_invoices_files(COMPANY, [invoice(8, supplier)])


def test_a_correction_names_the_file_and_position_it_replaces():
    fixed = correction("DTE", COMPANY, invoice(3, customer(1)), Position("123456", 3))
    assert check(fixed.tree) == []
    rettifica = fixed.tree.getroot().find("DTE/Rettifica")
    assert (rettifica.findtext("IdFile"), rettifica.findtext("Posizione")) == ("123456", "3")


def test_cancellations_of_a_file_or_of_one_document():
    whole, one = cancellation(Position("123456")), cancellation(Position("123456", 12), DECLARANT)
    assert check(whole.tree) == [] and check(one.tree) == []
    assert whole.tree.getroot().find("ANN/Posizione") is None
    assert one.tree.getroot().findtext("ANN/Posizione") == "12"
    assert b'versione="DAT20"' in one.to_bytes()


def test_a_broken_file_is_reported_with_a_path():
    bad_company = Party(country="IT", vat_code="012345678901234")  # IdCodice longer than 11
    issues = check(issued_invoices_files(bad_company, [invoice(1, customer(1))])[0].tree)
    assert (
        issues
        and issues[0].path
        == "/DatiFattura/DTE/CedentePrestatoreDTE/IdentificativiFiscali/IdFiscaleIVA/IdCodice"
    )
