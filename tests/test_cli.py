"""The `fatturahub` command, run as a real process."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest
from tests.support.cms import p7m
from tests.support.samples import OFFICIAL, OFFICIAL_INVOICES

from fatturahub.fatturapa.canonical import canonical


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "fatturahub.cli", *args],
        capture_output=True,
        check=False,
        timeout=60,
    )


def test_validate_official_samples_exit_0():
    result = run("validate", *map(str, OFFICIAL_INVOICES))
    assert result.returncode == 0, result.stdout
    assert result.stdout.count(b": valid FP") == len(OFFICIAL_INVOICES)


def test_validate_json_reports_every_file(tmp_path, fpr01):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(fpr01.replace(b"<Data>2014-12-18</Data>", b"<Data>2014-13-45</Data>"))
    signed = tmp_path / "signed.xml.p7m"
    signed.write_bytes(base64.b64encode(p7m(fpr01)))
    legacy = OFFICIAL / "legacy-2014" / "IT01234567890_11111.xml"
    result = run("validate", "--json", str(signed), str(bad), str(legacy))
    assert result.returncode == 1
    reports = json.loads(result.stdout)
    assert [r["valid"] for r in reports] == [True, False, False]
    assert [r["format"] for r in reports] == ["FPR12", "FPR12", None]
    [error] = reports[1]["errors"]
    assert set(error) == {"code", "path", "message"} and error["code"] == "00200"
    assert error["path"].endswith("/DatiGeneraliDocumento/Data")
    assert "no longer accepted" in reports[2]["errors"][0]["message"]


@pytest.mark.parametrize(
    "args", [(), ("validate",), ("validate", "--nope", "x.xml"), ("convert", "x", "--to", "pdf")]
)
def test_usage_errors_exit_2(args):
    assert run(*args).returncode == 2


def test_convert_xml_to_json_and_back(tmp_path, lotto):
    source = tmp_path / "in.xml"
    source.write_bytes(lotto)
    as_json = run("convert", str(source), "--to", "json")
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout)["versione"] == "FPA12"
    json_file = tmp_path / "in.json"
    json_file.write_bytes(as_json.stdout)
    as_xml = run("convert", str(json_file), "--to", "xml")
    assert as_xml.returncode == 0
    assert run("validate", str(json_file)).returncode == 1  # JSON is not an invoice file
    out = tmp_path / "out.xml"
    out.write_bytes(as_xml.stdout)
    assert run("validate", str(out)).returncode == 0


def test_unwrap_prints_the_signed_xml(tmp_path, fpr01):
    signed = tmp_path / "f.xml.p7m"
    signed.write_bytes(p7m(fpr01))
    result = run("unwrap", str(signed))
    assert result.returncode == 0
    assert result.stdout == fpr01
    official = run("unwrap", str(OFFICIAL / "legacy-2014" / "IT01234567890_11111.xml.p7m"))
    assert official.stdout.startswith(b"<?xml") and canonical(official.stdout)


@pytest.mark.parametrize(
    ("command", "content"),
    [
        ("unwrap", b"<x/>"),
        ("unwrap", b"\x30\x82\x01\x00garbage"),
        ("convert", b"{broken json"),
        ("convert", b"not xml at all"),
    ],
)
def test_bad_input_is_one_line_without_traceback(tmp_path, command, content):
    path = tmp_path / "input"
    path.write_bytes(content)
    args = (command, str(path)) + (("--to", "xml") if command == "convert" else ())
    result = run(*args)
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_file_is_a_clear_error():
    result = run("convert", "/nonexistent/file.xml", "--to", "json")
    assert result.returncode != 0 and b"Traceback" not in result.stderr
