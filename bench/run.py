"""FatturaHub core benchmark: files/s, each next to a baseline measured in the same run.

    make bench        (or: .venv/bin/python bench/run.py [--seconds 1.0])

Baseline: bare lxml parse + XSD validation of the same bytes (the floor any validating reader
pays). Ours: `read` (normalize, parse, validate, bind to the typed model), `serialize`, and
`validate` of an in-memory document. Small = bench/data/small.xml (3 KB, one line); large = the
same invoice with 1,000 lines. Each figure is the best of five timed rounds.
"""

from __future__ import annotations

import argparse
import copy
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from fatturahub import fatturapa
from fatturahub.fatturapa.controls import check_reading
from fatturahub.fatturapa.document import ORDINARIA

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


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second: best of five rounds of about `seconds` / 5 each."""
    operation()
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < seconds / 10:
        operation()
        calls += 1
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(max(calls, 1)):
            operation()
        best = min(best, (time.perf_counter() - start) / max(calls, 1))
    return 1 / best


def bench(name: str, data: bytes, seconds: float) -> list[tuple[str, float, float]]:
    xsd = ORDINARIA.xsd
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    document = fatturapa.parse(data)
    measures = {
        "bare lxml parse + XSD (baseline)": lambda: xsd.validate(etree.fromstring(data, parser)),
        "read (parse + validate + model)": lambda: fatturapa.read(data),
        "read + every SDI control": lambda: check_reading(fatturapa.read(data)),
        "serialize": lambda: fatturapa.serialize(document),
        "validate (in-memory model)": lambda: fatturapa.validate(document),
    }
    rows = [(f"{name}: {label}", rate(operation, seconds)) for label, operation in measures.items()]
    baseline = rows[0][1]
    return [(label, value, value / baseline) for label, value in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget per figure")
    args = parser.parse_args()
    small = SAMPLE.read_bytes()
    large = with_lines(small, 1000)
    print(f"small: {len(small):,} bytes; large: {len(large):,} bytes, 1,000 lines")
    print(f"{'measure':<46} {'files/s':>10} {'× baseline':>11}")
    for label, value, ratio in bench("small", small, args.seconds) + bench("large", large, args.seconds):
        print(f"{label:<46} {value:>10,.1f} {ratio:>10.2f}×")


if __name__ == "__main__":
    main()
