"""Characters the schema refuses: found one by one, with their position, and replaced."""

from __future__ import annotations

from tests.support.samples import OFFICIAL

from fatturahub.fatturapa import parse, serialize, validate
from fatturahub.fatturapa.controls import check, transliterate
from fatturahub.fatturapa.controls.charset import Charset, field_charsets, transliterate_text
from fatturahub.fatturapa.document import ORDINARIA, SEMPLIFICATA

from .builders import body, general, invoice, line, seller, simplified_invoice

DESCRIPTION = "/FatturaElettronica/FatturaElettronicaBody/DatiBeniServizi/DettaglioLinee[1]"


def test_field_repertoires_come_from_the_schema_patterns():
    fields = field_charsets(ORDINARIA)
    line_path = ("FatturaElettronicaBody", "DatiBeniServizi", "DettaglioLinee")
    assert fields[(*line_path, "Descrizione")] is Charset.LATIN_1
    assert fields[("FatturaElettronicaBody", "DatiGenerali", "DatiGeneraliDocumento", "Numero")] is (
        Charset.BASIC_LATIN
    )
    assert fields[("@SistemaEmittente",)] is Charset.BASIC_LATIN
    # CodiceValore is String35LatinExtType: a length limit, no character limit
    assert (*line_path, "CodiceArticolo", "CodiceValore") not in fields
    assert (
        field_charsets(SEMPLIFICATA)[("FatturaElettronicaBody", "DatiBeniServizi", "Descrizione")]
        is Charset.LATIN_1
    )


def test_each_refused_character_is_reported_with_its_position():
    doc = invoice()
    line(doc, 1).Descrizione = "Sconto 5 € su “promo” città"
    report = check(doc, lang="en")
    assert [(i.code, i.path) for i in report.issues] == [("00200", f"{DESCRIPTION}/Descrizione")] * 3
    assert [i.message for i in report.issues] == [
        "character «€» (U+20AC) at position 10 is not allowed: "
        "the field accepts Basic Latin + Latin-1 Supplement only",
        "character «“» (U+201C) at position 15 is not allowed: "
        "the field accepts Basic Latin + Latin-1 Supplement only",
        "character «”» (U+201D) at position 21 is not allowed: "
        "the field accepts Basic Latin + Latin-1 Supplement only",
    ]
    assert validate(doc)  # the schema agrees, without saying which character


def test_transliterated_document_becomes_valid():
    doc = invoice()
    line(doc, 1).Descrizione = "Sconto 5 € su “promo” città – ‘ultimo’…"
    general(doc).Numero = "FT-1/ß"  # Basic Latin only
    general(doc).Causale = ["ok", "Perché “no”"]
    fixed = transliterate(doc)
    assert line(fixed, 1).Descrizione == "Sconto 5 EUR su \"promo\" città - 'ultimo'..."
    assert general(fixed).Numero == "FT-1/ss"
    assert general(fixed).Causale == ["ok", 'Perché "no"']
    assert validate(fixed) == []
    assert check(fixed).issues == []
    assert line(doc, 1).Descrizione.startswith("Sconto 5 €")  # the original is untouched


def test_causale_paths_are_indexed_like_the_schema_reports_them():
    doc = invoice()
    general(doc).Causale = ["ok", "bad €"]
    (issue,) = check(doc).issues
    assert issue.path.endswith("/DatiGeneraliDocumento/Causale[2]")


def test_basic_latin_fields_lose_accents_latin_fields_keep_them():
    assert transliterate_text("Città Ærø", Charset.BASIC_LATIN) == "Citta AEro"
    assert transliterate_text("Città Ærø", Charset.LATIN_1) == "Città Ærø"
    assert transliterate_text("ﬁne ½ 中", Charset.BASIC_LATIN) == "fine 1/2 ?"


def test_simplified_invoice_and_attributes_are_covered():
    doc = simplified_invoice()
    body(doc).DatiBeniServizi[0].Descrizione = "Riparazione ✓"
    doc.SistemaEmittente = "Gestionalè"
    report = check(doc)
    assert [i.path for i in report.issues] == [
        "/FatturaElettronicaSemplificata/FatturaElettronicaBody/DatiBeniServizi/Descrizione",
        "/FatturaElettronicaSemplificata/@SistemaEmittente",
    ]
    assert validate(transliterate(doc)) == []


def test_latin_1_is_fine_where_the_schema_allows_it():
    doc = invoice()
    seller(doc).Anagrafica.Denominazione = "CAFFÈ ÀÉÎÕÜ SRL"
    assert check(doc).issues == []
    assert validate(doc) == []


def test_transliteration_keeps_everything_else_as_written():
    parsed = parse((OFFICIAL / "v1.2" / "IT01234567890_FPR01.xml").read_bytes())
    original = serialize(parsed)
    line(parsed, 1).Descrizione = "DESCRIZIONE – 5 €"
    fixed = transliterate(parsed)
    assert serialize(fixed) == original.replace(b"DESCRIZIONE DELLA FORNITURA", b"DESCRIZIONE - 5 EUR")
    assert b"2012-10-22T16:46:12.000+02:00" in serialize(fixed)  # lexical form kept
    assert transliterate(fixed) is not fixed
