"""The catalogue, the report, the paths, and the entry point for files (`check_bytes`)."""

from __future__ import annotations

import string
from decimal import Decimal

import pytest
from lxml import etree
from tests.support.samples import OFFICIAL

from fatturahub.fatturapa import schemas, serialize
from fatturahub.fatturapa.controls import CATALOGUE, RULES, check, check_bytes
from fatturahub.fatturapa.controls.messages import LANGUAGES, render
from fatturahub.fatturapa.findings import Finding

from .builders import body, general, invoice, line, summary

RULE_KEYS = sorted({key for rule in RULES for key in rule.codes})


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", RULE_KEYS)
def test_every_code_a_rule_can_emit_has_both_languages(key):
    message = CATALOGUE[key]
    assert message.it and message.en
    assert _fields(message.it) == _fields(message.en)


def test_the_catalogue_holds_no_message_without_a_rule():
    assert sorted(CATALOGUE) == RULE_KEYS


def test_messages_follow_the_language():
    doc = invoice()
    general(doc).Numero = "FT-A"
    (italian,) = check(doc, lang="it").issues
    (english,) = check(doc, lang="en").issues
    assert italian.message == "Numero FT-A privo di caratteri numerici"
    assert english.message == "Numero FT-A contains no digit"
    with pytest.raises(ValueError, match="unsupported language"):
        render(Finding("00425", "/x", {"number": "A"}), "de")
    with pytest.raises(ValueError, match="unsupported language"):
        check(invoice(), lang="de")  # refused even when there is nothing to say
    assert set(LANGUAGES) == {"it", "en"}


def test_the_report_names_the_release_and_serializes_to_plain_data():
    doc = invoice()
    general(doc).Numero = "FT-A"
    assert check(doc, lang="en").as_dict() == {
        "release": "1.9",
        "issues": [
            {
                "code": "00425",
                "path": "/FatturaElettronica/FatturaElettronicaBody/DatiGenerali"
                "/DatiGeneraliDocumento/Numero",
                "message": "Numero FT-A contains no digit",
            }
        ],
    }


def test_issue_paths_are_the_element_paths_of_the_serialized_xml():
    doc = invoice()
    doc.FatturaElettronicaBody.append(body(invoice()))
    general(doc, 2).Numero = "FT-2"
    line(doc, 1).PrezzoTotale = Decimal("100.50")
    summary(doc, 2).AliquotaIVA = Decimal("0.50")
    summary(doc, 2).Natura = None
    issues = check(doc).issues
    assert {i.code for i in issues} >= {"00423", "00424", "00443"}
    tree = etree.fromstring(serialize(doc)).getroottree()
    element_paths = {schemas.unprefixed(tree.getpath(e)) for e in tree.iter()}
    located = [i for i in issues if i.code in {"00423", "00424", "00443"}]
    assert all(issue.path in element_paths for issue in located), located
    assert located[0].path.startswith("/FatturaElettronica/FatturaElettronicaBody[1]/")


def test_check_bytes_joins_schema_and_control_issues():
    # the official sample's identifiers are placeholders without valid check digits
    sample = (OFFICIAL / "v1.2" / "IT01234567890_FPR01.xml").read_bytes()
    assert [i.code for i in check_bytes(sample)] == ["00300", "00301", "00306"]


def test_check_bytes_on_a_schema_invalid_file_gives_positions_and_no_content_controls():
    doc = invoice()
    line(doc, 1).Descrizione = "Prezzo in €"
    general(doc).Numero = "FT-A"  # a content error SDI would not reach
    issues = check_bytes(serialize(doc), lang="en")
    assert [i.code for i in issues] == ["00200", "00200"]
    assert "pattern" in issues[0].message
    assert issues[1].message.startswith("character «€» (U+20AC) at position 11")


def test_check_bytes_on_unreadable_input():
    (issue,) = check_bytes(b"not xml at all")
    assert issue.code == "00200"


def test_check_bytes_passes_the_options_through():
    doc = invoice()
    issues = check_bytes(serialize(doc), duplicates=lambda key: True, release="1.8")
    assert [i.code for i in issues] == ["00404"]
