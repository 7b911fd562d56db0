"""Rendering: every official sample through both stylesheets, envelopes, FSM10, PDF."""

from __future__ import annotations

import base64
import io
import subprocess
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import html as lxml_html
from pypdf import PdfReader
from tests.support.cms import throwaway_signer
from tests.support.samples import OFFICIAL

from fatturahub import fatturapa
from fatturahub.fatturapa import render

STYLES = ("ministerial", "assosoftware")


def _invoice(relative: str) -> bytes:
    return (OFFICIAL / relative).read_bytes()


# (file, [(invoice number, total due) per body], supplier names as the sheets print them)
SAMPLES = [
    ("v1.2/IT01234567890_FPA01.xml", [("123", "6.10")], ["ALPHA SRL"]),
    ("v1.2/IT01234567890_FPA02.xml", [("123", "30.50")], ["ALPHA SRL"]),
    ("v1.2/IT01234567890_FPA03.xml", [("12", "30.50"), ("456", "2440.00")], ["ALPHA SRL"]),
    ("v1.2/IT01234567890_FPR01.xml", [("123", "6.10")], ["SOCIETA' ALPHA SRL"]),
    ("v1.2/IT01234567890_FPR02.xml", [("123", "30.50")], ["SOCIETA' ALPHA SRL"]),
    (
        "v1.2/IT01234567890_FPR03.xml",
        [("123", "32.95"), ("456", "2440.00")],
        ["SOCIETA' ALPHA SRL"],
    ),
    ("ade-b2b-2018/ITHVQWPH73P42H501Y_00023.xml", [("9876", "921.10")], ["WINPHON", "HIVEQ"]),
    ("ade-b2b-2018/ITHVQWPH73P42H501Y_X0024.xml", [("9876", "821.06")], ["WINPHON", "HIVEQ"]),
]


def _texts(page: str) -> set[str]:
    """Every text node of the page, stripped: values are matched whole, not as substrings."""
    return {text.strip() for text in lxml_html.fromstring(page).itertext()}


def _as_printed(amount: str, style: str) -> str:
    """The ministerial sheets print amounts as in the XML; AssoSoftware as Italian numbers."""
    if style == "ministerial":
        return amount
    return f"{Decimal(amount):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(("relative", "bodies", "supplier"), SAMPLES, ids=lambda v: str(v)[:40])
def test_official_samples_show_number_supplier_and_total_of_every_body(relative, bodies, supplier, style):
    page = render.render_html(_invoice(relative), style=style)
    texts = _texts(page)
    for number, total in bodies:
        assert number in texts
        assert _as_printed(total, style) in texts
    for name in supplier:
        assert name in texts


def test_format_picks_the_official_sheet():
    pa = render.render_html(_invoice("v1.2/IT01234567890_FPA01.xml"))
    b2b = render.render_html(_invoice("v1.2/IT01234567890_FPR01.xml"))
    assert "Codice Amministrazione destinataria:" in pa  # the PA sheet's own wording
    assert "Codice identificativo destinatario:" in b2b  # the ordinaria sheet's
    assert "Versione FPA12" in pa and "Versione FPR12" in b2b


def test_assosoftware_sheet_is_used_when_asked():
    page = render.render_html(_invoice("v1.2/IT01234567890_FPR01.xml"), style="assosoftware")
    assert "Cedente/prestatore (fornitore)" in page
    assert "Dati relativi alla trasmissione" not in page  # a ministerial heading


def test_unknown_style_is_refused(fpr01):
    with pytest.raises(ValueError, match="unknown style"):
        render.render_html(fpr01, style="fancy")  # type: ignore[arg-type]


def test_compiled_stylesheets_are_reused_and_per_thread(lotto):
    assert render._stylesheet(render.PA_SHEET) is render._stylesheet(render.PA_SHEET)
    here = render.render_html(lotto)
    with ThreadPoolExecutor(max_workers=2) as pool:
        there = list(pool.map(render.render_html, [lotto] * 4))
    assert there == [here] * 4


def test_a_received_file_with_qualified_children_still_renders(fpr01):
    # Some writers put every element in the document namespace; SDI lets it through.
    namespace = b"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
    qualified = fpr01.replace(
        b"<p:FatturaElettronica ", b'<FatturaElettronica xmlns="' + namespace + b'" ', 1
    )
    qualified = qualified.replace(b"</p:FatturaElettronica>", b"</FatturaElettronica>")
    assert fatturapa.validate(qualified) != []  # strict reading refuses it
    texts = _texts(render.render_html(qualified))
    assert {"123", "SOCIETA' ALPHA SRL", "6.10"} <= texts


def test_a_schema_invalid_received_file_still_renders(fpr01):
    broken = fpr01.replace(b'versione="FPR12"', b'versione="FPR99"')
    broken = broken.replace(b"<Numero>123</Numero>", b"")
    assert fatturapa.read(broken, lenient=True).document.versione is None
    page = render.render_html(broken)
    assert "Codice identificativo destinatario:" in page  # ordinaria sheet as the fallback
    assert {"SOCIETA' ALPHA SRL", "6.10"} <= _texts(page)


# --- envelopes ------------------------------------------------------------------------------
def _openssl_p7m(content: bytes, directory: Path) -> bytes:
    """An attached CAdES .p7m (DER) signed by openssl with a throwaway key and certificate."""
    cert, key = throwaway_signer()
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (directory / "invoice.xml").write_bytes(content)
    subprocess.run(
        [
            *("openssl", "cms", "-sign", "-nodetach", "-binary", "-outform", "DER"),
            *("-in", "invoice.xml", "-signer", "cert.pem", "-inkey", "key.pem"),
            *("-out", "invoice.xml.p7m"),
        ],
        cwd=directory,
        check=True,
        capture_output=True,
    )
    return (directory / "invoice.xml.p7m").read_bytes()


@pytest.fixture
def signed_lotto(lotto, tmp_path) -> bytes:
    return _openssl_p7m(lotto, tmp_path)


def test_p7m_renders_like_its_plain_xml(lotto, signed_lotto):
    assert fatturapa.read(signed_lotto).envelopes == ["cades"]
    for style in STYLES:
        assert render.render_html(signed_lotto, style=style) == render.render_html(lotto, style=style)


def test_base64_p7m_renders_like_its_plain_xml(lotto, signed_lotto):
    encoded = base64.encodebytes(signed_lotto)  # with line breaks, as mail clients write it
    assert fatturapa.read(encoded).envelopes == ["base64", "cades"]
    assert render.render_html(encoded) == render.render_html(lotto)


# --- semplificata ---------------------------------------------------------------------------
FSM10 = b"""<?xml version="1.0" encoding="UTF-8"?>
<p:FatturaElettronicaSemplificata versione="FSM10"
    xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0">
  <FatturaElettronicaHeader>
    <DatiTrasmissione>
      <IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdTrasmittente>
      <ProgressivoInvio>S0001</ProgressivoInvio>
      <FormatoTrasmissione>FSM10</FormatoTrasmissione>
      <CodiceDestinatario>0000000</CodiceDestinatario>
    </DatiTrasmissione>
    <CedentePrestatore>
      <IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>01234567890</IdCodice></IdFiscaleIVA>
      <Denominazione>BAR GAMMA SNC</Denominazione>
      <Sede>
        <Indirizzo>PIAZZA DUOMO 2</Indirizzo><CAP>20121</CAP><Comune>MILANO</Comune>
        <Provincia>MI</Provincia><Nazione>IT</Nazione>
      </Sede>
      <RegimeFiscale>RF01</RegimeFiscale>
    </CedentePrestatore>
    <CessionarioCommittente>
      <IdentificativiFiscali><CodiceFiscale>RSSMRA80A01H501U</CodiceFiscale></IdentificativiFiscali>
    </CessionarioCommittente>
  </FatturaElettronicaHeader>
  <FatturaElettronicaBody>
    <DatiGenerali>
      <DatiGeneraliDocumento>
        <TipoDocumento>TD07</TipoDocumento><Divisa>EUR</Divisa>
        <Data>2025-03-14</Data><Numero>FS-77</Numero>
      </DatiGeneraliDocumento>
    </DatiGenerali>
    <DatiBeniServizi>
      <Descrizione>Servizio di catering</Descrizione>
      <Importo>1220.00</Importo>
      <DatiIVA><Aliquota>22.00</Aliquota></DatiIVA>
    </DatiBeniServizi>
  </FatturaElettronicaBody>
</p:FatturaElettronicaSemplificata>
"""


def test_the_fsm10_fixture_is_schema_valid():
    assert fatturapa.validate(FSM10) == []
    assert fatturapa.read(FSM10).format == "FSM10"


@pytest.mark.parametrize("style", STYLES)
def test_fsm10_renders_with_its_sheet(style):
    page = render.render_html(FSM10, style=style)
    texts = _texts(page)
    assert {"FS-77", "BAR GAMMA SNC", _as_printed("1220.00", style)} <= texts
    if style == "ministerial":
        assert "Versione FSM10" in page


# --- PDF ------------------------------------------------------------------------------------
@pytest.mark.parametrize("style", STYLES)
def test_pdf_of_a_lotto_has_pages_and_both_invoices(lotto, style):
    pdf = render.render_pdf(lotto, style=style)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "ALPHA SRL" in text
    assert "456" in text and "AMMINISTRAZIONE BETA" in text


def test_pdf_of_a_semplificata():
    pdf = render.render_pdf(FSM10)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "FS-77" in text and "BAR GAMMA SNC" in text
