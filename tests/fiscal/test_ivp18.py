"""IVP18 Fornitura: built from the settlements, valid against the official schema, read back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from lxml import etree
from tests.fiscal.scenario import DOCUMENTS
from tests.fiscal.test_lipe_compute import ADJUSTMENTS, Q1, Q2, Q3, Q4

from fatturahub.fatturapa.issues import InvalidDocument
from fatturahub.fiscal.lipe import (
    Commitment,
    Intermediary,
    LipeCommunication,
    LipeModule,
    Signatory,
    ivp18,
    settle_periods,
    vat_lines,
)
from fatturahub.fiscal.naming import CommunicationFileName, FileType, communication_file_name
from fatturahub.fiscal.periods import Period

NS = {"iv": ivp18.NAMESPACE}


def communication(**changes) -> LipeCommunication:
    q1 = settle_periods([Q1, Q2, Q3, Q4], vat_lines(DOCUMENTS), ADJUSTMENTS)[0]
    base = LipeCommunication(
        tax_code="01234567890",
        vat_number="01234567890",
        year=2026,
        modules=(q1.module(),),
        declarant=Signatory("RSSMRA80A01F205X", "1"),
        intermediary=Intermediary("BNCGNN70B02L219Y", Commitment.PREPARED_BY_TAXPAYER, date(2026, 5, 20)),
        software_id="FATTURAHUB",
    )
    return replace(base, **changes)


def test_the_first_quarter_validates_and_writes_amounts_in_the_schema_form():
    tree = ivp18.build(communication())
    assert ivp18.check(tree) == []
    module = tree.find("iv:Comunicazione/iv:DatiContabili/iv:Modulo", NS)
    written = {etree.QName(e).localname: e.text for e in module}
    assert written == {
        "NumeroModulo": "1", "Trimestre": "1",
        "TotaleOperazioniAttive": "20000,00", "TotaleOperazioniPassive": "11100,00",
        "IvaEsigibile": "2954,00", "IvaDetratta": "1782,00", "IvaDovuta": "1172,00",
        "CreditoAnnoPrecedente": "300,00", "CreditiImposta": "100,00", "InteressiDovuti": "8,72",
        "ImportoDaVersare": "780,72",
    }  # fmt: skip
    front = tree.find("iv:Comunicazione/iv:Frontespizio", NS)
    intermediary = ["CFIntermediario", "ImpegnoPresentazione", "DataImpegno", "FirmaIntermediario"]
    assert [etree.QName(e).localname for e in front][-5:] == [*intermediary, "IdentificativoProdSoftware"]
    assert front.findtext("iv:DataImpegno", namespaces=NS) == "20052026"


def test_monthly_modules_and_a_zero_balance_validate():
    months = [Period(2026, month=m) for m in (1, 2, 3)]
    modules = tuple(s.module() for s in settle_periods(months, vat_lines(DOCUMENTS)))
    empty = LipeModule(Period(2026, month=3))
    for candidate in (communication(modules=modules, intermediary=None), communication(modules=(empty,))):
        assert ivp18.check(ivp18.build(candidate)) == []
    zero = ivp18.build(communication(modules=(empty,))).find(".//iv:Modulo", NS)
    assert zero.findtext("iv:IvaDovuta", namespaces=NS) == "0,00"
    assert zero.find("iv:IvaCredito", NS) is None


def test_parse_gives_back_what_was_built():
    original = communication(transmitter=Signatory("VRDLGU75C03H501Z", "2"))
    assert ivp18.check(ivp18.build(original)) == []
    assert ivp18.parse(ivp18.to_bytes(original)) == original


def test_a_broken_communication_is_reported_with_the_path_of_the_element():
    negative = replace(communication().modules[0], vat_due=D("-1.00"))
    issues = ivp18.check(ivp18.build(communication(modules=(negative,), tax_code="NOTACODE")))
    paths = {issue.path for issue in issues}
    assert "/Fornitura/Comunicazione/DatiContabili/Modulo/IvaDovuta" in paths
    assert "/Fornitura/Comunicazione/Frontespizio/CodiceFiscale" in paths
    with pytest.raises(InvalidDocument):
        ivp18.parse(etree.tostring(ivp18.build(communication(modules=(negative,)))))


def test_more_than_five_modules_is_refused():
    module = LipeModule(Period(2026, month=1))
    with pytest.raises(ValueError, match=r"1\.\.5 modules"):
        ivp18.build(communication(modules=(module,) * 6))


def test_official_file_names():
    name = communication_file_name("01234567890", FileType.LIPE, 37)
    assert str(name) == "IT01234567890_LI_00011.xml"
    assert name.outcome("001") == "IT01234567890_LI_00011_EL_001.xml"
    assert CommunicationFileName.parse("ITRSSMRA80A01F205X_DF_0000A.xml").type is FileType.DATI_FATTURA
