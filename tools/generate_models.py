"""Generate the FatturaPA pydantic models from the official XSDs vendored in the package.

    python tools/generate_models.py          # rewrite src/fatturahub/fatturapa/model/*.py
    python tools/generate_models.py --check  # exit 1 if the committed models drifted

One class per complex type (named after it, without the "Type" suffix), one field per element
or attribute named as in the schema and in schema order; code lists become CodeList enums carrying
the schema's own documentation as their meaning. The semplificata module imports every class and
code list that is identical in the ordinaria schema instead of repeating it.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "src" / "fatturahub" / "specs"
OUT = ROOT / "src" / "fatturahub" / "fatturapa" / "model"
XS = "{http://www.w3.org/2001/XMLSchema}"
FRACTION = re.compile(r"\\\.\[0-9\]\{(\d+)(?:,(\d+))?\}$")

BASE_NAMES = ("XML_ATTRIBUTE", "XML_SIGNATURE", "CodeList", "Decimals", "Element", "RootElement")
BUILTINS = {
    "string": "str",
    "normalizedString": "str",
    "token": "str",
    "decimal": "Decimal",
    "integer": "int",
    "date": "date",
    "dateTime": "datetime",
    "base64Binary": "bytes",
}


@dataclass(frozen=True)
class Particle:
    name: str
    type_name: str
    min_occurs: int
    max_occurs: int | None  # None = unbounded
    attribute: bool = False


@dataclass
class ComplexType:
    name: str
    doc: str
    particles: list[Particle] = field(default_factory=list)
    signature: bool = False


@dataclass
class SimpleType:
    name: str
    builtin: str
    codes: list[tuple[str, str]]
    fraction_digits: tuple[int, int] | None  # decimals: (min, max) digits after the point


@dataclass
class Schema:
    module: str
    title: str
    source: str
    root_element: str
    root_type: str
    simple: dict[str, SimpleType]
    complex: dict[str, ComplexType]


def _doc(node: etree._Element) -> str:
    text = node.findtext(f"{XS}annotation/{XS}documentation") or ""
    return " ".join(text.split())


def _local(type_ref: str) -> str:
    return type_ref.split(":", 1)[1] if type_ref.startswith("xs:") else type_ref


def _particles(group: etree._Element, optional: bool, out: ComplexType) -> None:
    for node in group:
        if node.tag == f"{XS}element":
            if node.get("ref") == "ds:Signature":
                out.signature = True
                continue
            max_raw = node.get("maxOccurs", "1")
            out.particles.append(
                Particle(
                    name=node.get("name"),
                    type_name=node.get("type"),
                    min_occurs=0 if optional else int(node.get("minOccurs", "1")),
                    max_occurs=None if max_raw == "unbounded" else int(max_raw),
                )
            )
        elif node.tag == f"{XS}sequence":
            _particles(node, optional, out)
        elif node.tag == f"{XS}choice":
            # Every branch of a choice is optional on its own; the XSD enforces the choice.
            _particles(node, True, out)
        elif node.tag == f"{XS}annotation":
            continue
        else:
            raise SystemExit(f"unsupported XSD construct {node.tag} in {out.name}")


def load(path: Path, module: str, title: str) -> Schema:
    tree = etree.parse(str(path))
    root = tree.getroot()
    simple: dict[str, SimpleType] = {}
    for node in root.iter(f"{XS}simpleType"):
        restriction = node.find(f"{XS}restriction")
        codes = [(e.get("value"), _doc(e)) for e in restriction.iter(f"{XS}enumeration")]
        pattern = restriction.find(f"{XS}pattern")
        digits = FRACTION.search(pattern.get("value")) if pattern is not None else None
        fraction = (int(digits[1]), int(digits[2] or digits[1])) if digits else None
        simple[node.get("name")] = SimpleType(node.get("name"), restriction.get("base"), codes, fraction)
    complex_types: dict[str, ComplexType] = {}
    for node in root.iter(f"{XS}complexType"):
        ctype = ComplexType(node.get("name"), _doc(node))
        sequence = node.find(f"{XS}sequence")
        if sequence is not None:
            _particles(sequence, False, ctype)
        for attr in node.iter(f"{XS}attribute"):
            required = attr.get("use") == "required"
            ctype.particles.append(
                Particle(attr.get("name"), attr.get("type"), int(required), 1, attribute=True)
            )
        complex_types[ctype.name] = ctype
    element = root.find(f"{XS}element")
    return Schema(
        module=module,
        title=title,
        source=str(path.relative_to(SPECS)),
        root_element=element.get("name"),
        root_type=element.get("type"),
        simple=simple,
        complex=complex_types,
    )


class Generator:
    def __init__(self, schema: Schema, shared_with: Generator | None = None) -> None:
        self.schema = schema
        self.shared_with = shared_with
        self.class_names: dict[str, str] = {}
        self.imported: list[str] = []
        self.lines: list[str] = []
        self.emitted: set[str] = set()

    # --- naming -------------------------------------------------------------------------
    def class_name(self, type_name: str) -> str:
        if type_name == self.schema.root_type:
            return self.schema.root_element
        return type_name.removesuffix("Type")

    def builtin_of(self, type_name: str) -> str:
        while not type_name.startswith("xs:"):
            type_name = self.schema.simple[type_name].builtin
        return BUILTINS[_local(type_name)]

    def python_type(self, type_name: str) -> str:
        if type_name.startswith("xs:"):
            return BUILTINS[_local(type_name)]
        if type_name in self.schema.complex:
            return self.class_name(type_name)
        if self.schema.simple[type_name].codes:
            return self.class_name(type_name)
        return self.builtin_of(type_name)

    # --- sharing with the other schema -----------------------------------------------------
    def signature_of(self, type_name: str) -> tuple:
        """A structural fingerprint: equal fingerprints mean interchangeable classes."""
        if type_name.startswith("xs:"):
            return ("builtin", _local(type_name))
        if type_name in self.schema.simple:
            simple = self.schema.simple[type_name]
            if simple.codes:
                return ("codes", self.class_name(type_name), tuple(simple.codes))
            return ("builtin", self.builtin_of(type_name))
        ctype = self.schema.complex[type_name]
        return (
            "complex",
            self.class_name(type_name),
            ctype.signature,
            tuple(
                (p.name, p.min_occurs, p.max_occurs, p.attribute, self.signature_of(p.type_name))
                for p in ctype.particles
            ),
        )

    def shared_name(self, type_name: str) -> str | None:
        other = self.shared_with
        if other is None or type_name.startswith("xs:") or type_name == self.schema.root_type:
            return None
        name = self.class_name(type_name)
        for candidate in list(other.schema.simple) + list(other.schema.complex):
            same_name = other.class_name(candidate) == name and candidate != other.schema.root_type
            if same_name and other.signature_of(candidate) == self.signature_of(type_name):
                return name
        return None

    # --- emission -----------------------------------------------------------------------
    def field_line(self, particle: Particle) -> str:
        py = self.python_type(particle.type_name)
        meta: list[str] = []
        simple = self.schema.simple.get(particle.type_name)
        if simple is not None and simple.fraction_digits and not simple.codes:
            meta.append("Decimals({}, {})".format(*simple.fraction_digits))
        if particle.attribute:
            meta.append("XML_ATTRIBUTE")
        many = particle.max_occurs is None or particle.max_occurs > 1
        if many:
            py = f"list[{py}]"
            bounds = [f"min_length={particle.min_occurs}"] if particle.min_occurs else []
            if particle.max_occurs is not None:
                bounds.append(f"max_length={particle.max_occurs}")
            if bounds:
                meta.append(f"Field({', '.join(bounds)})")
        default = None
        if not particle.min_occurs:
            default = "[]" if many else "None"
            py = py if many else f"{py} | None"
        if default is not None and self.shadows_a_class(particle.name):
            # `X: X | None = None` would bind X to None in the class body before the
            # annotation is read; a default inside Annotated binds nothing.
            meta.append("Field(default_factory=list)" if many else "Field(default=None)")
            default = None
        annotation = f"Annotated[{py}, {', '.join(meta)}]" if meta else py
        return f"    {particle.name}: {annotation}" + (f" = {default}" if default else "")

    def shadows_a_class(self, name: str) -> bool:
        return any(self.python_type(t) == name for t in self.schema.simple | self.schema.complex)

    def emit(self, type_name: str) -> None:
        if type_name.startswith("xs:") or type_name in self.emitted:
            return
        self.emitted.add(type_name)
        simple = self.schema.simple.get(type_name)
        if simple is not None and not simple.codes:
            return  # plain strings, numbers and dates: the XSD enforces their facets
        shared = self.shared_name(type_name)
        if shared:
            self.imported.append(shared)
        elif simple is not None:
            self.emit_codes(type_name, simple)
        else:
            self.emit_complex(type_name)

    def emit_complex(self, type_name: str) -> None:
        ctype = self.schema.complex[type_name]
        for particle in ctype.particles:
            self.emit(particle.type_name)
        base = "RootElement" if type_name == self.schema.root_type else "Element"
        self.lines += ["", "", f"class {self.class_name(type_name)}({base}):"]
        if ctype.doc:
            self.lines.append(f'    """{ctype.doc}"""')
            self.lines.append("")
        self.lines += [self.field_line(p) for p in ctype.particles]
        if ctype.signature:
            self.lines.append("    Signature: Annotated[str | None, XML_SIGNATURE] = None")

    def emit_codes(self, type_name: str, simple: SimpleType) -> None:
        self.lines += ["", "", f"class {self.class_name(type_name)}(CodeList):"]
        for code, meaning in simple.codes:
            member = code.replace(".", "_")
            self.lines.append(f"    {member} = {code!r}, {meaning!r}")

    def render(self) -> str:
        self.emit(self.schema.root_type)
        header = [
            f'"""{self.schema.title} — generated from specs/{self.schema.source}.',
            "",
            "Do not edit: run `python tools/generate_models.py` to regenerate.",
            '"""',
            "",
            "from datetime import date, datetime  # noqa: F401",
            "from decimal import Decimal  # noqa: F401",
            "from typing import Annotated",
            "",
            "from pydantic import Field  # noqa: F401",
            "",
            "from fatturahub.fatturapa.model.base import (  # noqa: F401",
            *(f"    {name}," for name in BASE_NAMES),
            ")",
        ]
        if self.imported:
            names = ",\n    ".join(sorted(self.imported))
            module = f"fatturahub.fatturapa.model.{self.shared_with.schema.module}"
            header.append(f"from {module} import (  # noqa: F401\n    {names},\n)")
        return "\n".join(header + self.lines) + "\n"


def generate() -> dict[Path, str]:
    ordinaria = Generator(
        load(
            SPECS / "fatturapa" / "Schema_del_file_xml_FatturaPA_v1.2.3.xsd",
            "ordinaria",
            "FatturaPA ordinaria (FPA12 / FPR12) v1.2.3",
        )
    )
    semplificata = Generator(
        load(
            SPECS / "fatturapa-semplificata" / "Schema_VFSM10_v1.0.2.xsd",
            "semplificata",
            "FatturaPA semplificata (FSM10) v1.0.2",
        ),
        shared_with=ordinaria,
    )
    return {
        OUT / "ordinaria.py": ordinaria.render(),
        OUT / "semplificata.py": semplificata.render(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the models drifted")
    args = parser.parse_args()
    drifted = False
    for path, text in generate().items():
        current = path.read_text() if path.exists() else ""
        if current == text:
            continue
        if args.check:
            drifted = True
            sys.stdout.writelines(
                difflib.unified_diff(current.splitlines(True), text.splitlines(True), str(path), "generated")
            )
        else:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main())
