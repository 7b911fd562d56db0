"""The models are the XSD: complete, in schema order, generated without drift."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from fatturahub.fatturapa import codec, schemas
from fatturahub.fatturapa.model import ordinaria, semplificata
from fatturahub.fatturapa.model.base import Element

XS = "{http://www.w3.org/2001/XMLSchema}"
ROOT = Path(__file__).resolve().parents[2]


def _xsd_names(path: str) -> set[tuple[str, str]]:
    """(complex type, child element or attribute) for every declaration of the schema."""
    tree = etree.parse(str(schemas.SPECS / path))
    pairs = set()
    for ctype in tree.getroot().iter(f"{XS}complexType"):
        for node in ctype.iter(f"{XS}element", f"{XS}attribute"):
            pairs.add((ctype.get("name"), node.get("name") or node.get("ref").split(":")[1]))
    return pairs


def _model_names(module, root: type[Element]) -> set[tuple[str, str]]:
    """(XSD type name, field) for every model class reachable from the module (shared included)."""
    pairs = set()
    for cls in vars(module).values():
        if isinstance(cls, type) and issubclass(cls, Element) and cls is not Element:
            type_name = "FatturaElettronicaType" if cls is root else cls.__name__ + "Type"
            pairs |= {(type_name, field) for field in cls.model_fields}
    return pairs


@pytest.mark.parametrize(
    ("module", "root", "xsd", "at_least"),
    [
        (
            ordinaria,
            ordinaria.FatturaElettronica,
            "fatturapa/Schema_del_file_xml_FatturaPA_v1.2.3.xsd",
            209,
        ),
        (
            semplificata,
            semplificata.FatturaElettronicaSemplificata,
            "fatturapa-semplificata/Schema_VFSM10_v1.0.2.xsd",
            76,
        ),
    ],
)
def test_every_element_and_attribute_of_the_schema_is_a_field(module, root, xsd, at_least):
    declared = _xsd_names(xsd)
    assert len(declared) >= at_least
    assert declared - _model_names(module, root) == set()


def test_code_lists_carry_their_official_meaning():
    assert ordinaria.TipoDocumento.TD29.meaning
    assert ordinaria.Natura("N2.1") is ordinaria.Natura.N2_1
    assert ordinaria.RegimeFiscale.RF20 in list(ordinaria.RegimeFiscale)
    assert semplificata.TipoDocumento("TD07").meaning
    assert semplificata.RegimeFiscale is ordinaria.RegimeFiscale  # identical lists are shared


def test_fast_construction_equals_pydantic_validation(lotto):
    from fatturahub import fatturapa

    parsed = fatturapa.parse(lotto)
    validated = ordinaria.FatturaElettronica.model_validate(parsed.model_dump())
    assert validated.model_dump() == parsed.model_dump()
    assert validated.model_dump_json() == parsed.model_dump_json()
    assert codec.bindings(ordinaria.FatturaElettronica)[-1].signature


def test_committed_models_match_the_generator():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "generate_models.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]
