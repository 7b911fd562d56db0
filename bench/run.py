"""FatturaHub core benchmark: files/s, each next to a baseline measured in the same run.

    make bench        (or: .venv/bin/python bench/run.py [--seconds 1.0])

Baseline: bare lxml parse + XSD validation of the same bytes (the floor any validating reader
pays). Next to it, the floor of any reader written in Python: the baseline, then a walk of the
tree into nested dicts of element texts (no types, no model, no rule). Ours: `read` (normalize,
parse, validate, bind to the typed model), `read` followed by every SDI control
(`check_reading`), `serialize`, and `validate` of an in-memory document.
Small = bench/data/small.xml (3 KB, one line); large = the same invoice with 1,000 lines.
Each figure is the best of five timed rounds of CPU time.

Then the phases of "read + every SDI control", each timed alone on ready input, in µs per file
and as a share of the baseline's time (their sum is the ratio's inverse, give or take `read`'s
own glue): parse, XSD validation, binding the tree to the model, the controls, and among them
the totals engine's arithmetic checks (00421-00423).
"""

from __future__ import annotations

import argparse
import copy
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from fatturahub import fatturapa
from fatturahub.fatturapa import codec, schemas, totals
from fatturahub.fatturapa.controls import check, check_reading
from fatturahub.fatturapa.document import ORDINARIA
from fatturahub.fatturapa.findings import each
from fatturahub.fatturapa.xmlsafe import parse_xml

# A one-line B2B invoice that passes the schema and every SDI control (the official samples carry
# placeholder partite IVA with wrong check digits, which would make the controls report issues).
SAMPLE = Path(__file__).resolve().parent / "data" / "small.xml"


def with_lines(data: bytes, count: int) -> bytes:
    root = etree.fromstring(data)
    line = root.find("FatturaElettronicaBody/DatiBeniServizi/DettaglioLinee")
    for number in range(count, 1, -1):
        clone = copy.deepcopy(line)
        clone.find("NumeroLinea").text = str(number)
        line.addnext(clone)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# CPU time of this process, not wall time: on a machine shared with other work, time spent waiting
# for a core would otherwise count against whichever figure happened to be running.
clock = time.process_time


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second: best of five rounds of about `seconds` / 5 each."""
    operation()
    start, calls = clock(), 0
    while clock() - start < seconds / 10:
        operation()
        calls += 1
    best = float("inf")
    for _ in range(5):
        start = clock()
        for _ in range(max(calls, 1)):
            operation()
        best = min(best, (clock() - start) / max(calls, 1))
    return 1 / best


def bench(name: str, data: bytes, seconds: float) -> list[tuple[str, float, float]]:
    xsd = ORDINARIA.xsd
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    document = fatturapa.parse(data)

    def parse_validate_walk() -> dict:
        root = etree.fromstring(data, parser)
        xsd.validate(root)
        return _plain(root)

    measures = {
        "bare lxml parse + XSD (baseline)": lambda: xsd.validate(etree.fromstring(data, parser)),
        "Python floor: baseline + walk to dicts": parse_validate_walk,
        "read (parse + validate + model)": lambda: fatturapa.read(data),
        "read + every SDI control": lambda: check_reading(fatturapa.read(data)),
        "serialize": lambda: fatturapa.serialize(document),
        "validate (in-memory model)": lambda: fatturapa.validate(document),
    }
    rows = [(f"{name}: {label}", rate(operation, seconds)) for label, operation in measures.items()]
    baseline = rows[0][1]
    return [(label, value, value / baseline) for label, value in rows]


def _plain(element: etree._Element) -> dict:
    """The least a Python reader does: visit every element and keep its text, nested as the tree
    is (a repeated element overwrites its sibling: a lower bound, not a reader)."""
    return {child.tag: _plain(child) if len(child) else child.text for child in element}


def phases(data: bytes, seconds: float) -> list[tuple[str, float]]:
    """µs per file of each phase of `read` + `check_reading`, each on input prepared beforehand."""
    tree = parse_xml(data)
    document = fatturapa.parse(data)
    bodies = list(each("/FatturaElettronica", "FatturaElettronicaBody", document.FatturaElettronicaBody))

    def totals_checks() -> None:
        for path, body in bodies:
            totals.check_line_totals(body, path)
            totals.check_summary_taxes(body, path)
            totals.check_summary_taxables(body, path)

    measures = {
        "parse (bytes to tree)": lambda: parse_xml(data),
        "XSD validation": lambda: schemas.validate(tree, ORDINARIA.xsd),
        "binding (tree to model)": lambda: codec.read_document(tree, ORDINARIA.model, _no_problem),
        "controls, all rules": lambda: check(document, schema_valid=True),
        "  of which totals (00421-00423)": totals_checks,
    }
    return [(label, 1e6 / rate(operation, seconds)) for label, operation in measures.items()]


def _no_problem(element: etree._Element, message: str) -> None:
    raise AssertionError(f"the bench invoice must bind cleanly: {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget per figure")
    args = parser.parse_args()
    small = SAMPLE.read_bytes()
    large = with_lines(small, 1000)
    print(f"small: {len(small):,} bytes; large: {len(large):,} bytes, 1,000 lines")
    print(f"{'measure':<46} {'files/s':>10} {'× baseline':>11}")
    for name, data in (("small", small), ("large", large)):
        rows = bench(name, data, args.seconds)
        for label, value, ratio in rows:
            print(f"{label:<46} {value:>10,.1f} {ratio:>10.2f}×")
        baseline_us = 1e6 / rows[0][1]
        print(f"{name}: phases of read + every SDI control {'µs/file':>10} {'÷ baseline':>11}")
        for label, micros in phases(data, args.seconds):
            print(f"  {label:<44} {micros:>10,.1f} {micros / baseline_us:>10.2f}×")


if __name__ == "__main__":
    main()
