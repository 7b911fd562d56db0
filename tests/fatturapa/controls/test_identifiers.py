"""Check digits of Italian identifiers (the offline part of 00300-00306)."""

from __future__ import annotations

import pytest

from fatturahub.fatturapa.controls import check

from .builders import buyer, invoice, seller, vat

AGENZIA_ENTRATE = "06363391001"  # the Agenzia delle Entrate's own codice fiscale / P.IVA


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        (AGENZIA_ENTRATE, True),
        ("06363391002", False),  # check digit off by one
        ("06363391010", False),  # two digits swapped
        ("0636339100", False),  # ten digits
        ("IT06363391001", False),  # the country belongs in IdPaese
        ("063 6339 1001", False),  # python-stdnum alone would strip the spaces
    ],
)
def test_supplier_vat_number(number, valid):
    doc = invoice()
    seller(doc).IdFiscaleIVA.IdCodice = number
    assert check(doc).codes == ([] if valid else ["00301"])


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("RSSMRA85T10A562S", True),
        ("RSSMRA85T10A56NS", False),  # omocodia letter without recomputing the check letter
        ("RSSMRA85T10A56NH", True),  # omocodia (2 -> N) with its check letter
        ("RSSMRA85T10A562T", False),
        ("rssmra85t10a562s", False),
        (AGENZIA_ENTRATE, True),  # a legal entity's CF is 11 digits
        ("06363391002", False),
    ],
)
def test_customer_fiscal_code(code, valid):
    doc = invoice()
    buyer(doc).IdFiscaleIVA = None
    buyer(doc).CodiceFiscale = code
    assert check(doc).codes == ([] if valid else ["00306"])


def test_foreign_identifiers_are_not_checked():
    doc = invoice()
    seller(doc).IdFiscaleIVA = vat("FR", "00000000000")
    seller(doc).CodiceFiscale = "NOTACHECKEDCODE"  # beside a foreign VAT id: SDI's business
    assert check(doc).codes == []


def test_messages_name_the_wrong_value():
    doc = invoice()
    seller(doc).IdFiscaleIVA.IdCodice = "06363391002"
    (issue,) = check(doc, lang="it").issues
    assert issue.path.endswith("/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA/IdCodice")
    assert issue.message == (
        "partita IVA del cedente/prestatore 06363391002 non valida (cifra di controllo errata)"
    )
