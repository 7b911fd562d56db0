"""The `fatturahub` command, run as a real process."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest
from tests.support.cms import p7m, pkcs12_bundle
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
    result = run("validate", "--schema-only", *map(str, OFFICIAL_INVOICES))
    assert result.returncode == 0, result.stdout
    assert result.stdout.count(b": valid FP") == len(OFFICIAL_INVOICES)


def test_the_official_samples_use_identifiers_with_wrong_check_digits():
    reports = json.loads(run("validate", "--json", *map(str, OFFICIAL_INVOICES[:6])).stdout)
    codes = {e["code"] for r in reports for e in r["errors"]}
    assert codes and codes <= {"00300", "00301", "00302", "00303", "00304", "00305", "00306", "00422"}


def test_validate_json_reports_every_file(tmp_path, fpr01):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(fpr01.replace(b"<Data>2014-12-18</Data>", b"<Data>2014-13-45</Data>"))
    signed = tmp_path / "signed.xml.p7m"
    signed.write_bytes(base64.b64encode(p7m(fpr01)))
    legacy = OFFICIAL / "legacy-2014" / "IT01234567890_11111.xml"
    result = run("validate", "--json", "--schema-only", str(signed), str(bad), str(legacy))
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
    assert run("validate", "--schema-only", str(out)).returncode == 0


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


def test_validate_reports_sdi_control_codes_in_either_language(tmp_path, fpr01):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(fpr01.replace(b"<Imposta>1.10</Imposta>", b"<Imposta>1.50</Imposta>"))
    for lang, word in (("en", "Imposta"), ("it", "Imposta")):
        result = run("validate", "--json", "--lang", lang, str(broken))
        assert result.returncode == 1
        [report] = json.loads(result.stdout)
        assert report["valid"] is False and report["format"] == "FPR12"
        assert "00421" in {e["code"] for e in report["errors"]}
        assert any(word in e["message"] for e in report["errors"])


def test_sign_then_verify_and_tampering_is_caught(tmp_path, fpr01):
    bundle = tmp_path / "signer.p12"
    bundle.write_bytes(pkcs12_bundle(b"secret"))
    invoice = tmp_path / "IT01234567890_00001.xml"
    invoice.write_bytes(fpr01)
    env = {"P12_PASSWORD": "secret"}
    signed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fatturahub.cli",
            "sign",
            str(invoice),
            "--cert",
            str(bundle),
            "--password-env",
            "P12_PASSWORD",
        ],
        capture_output=True,
        check=False,
        timeout=60,
        env={**__import__("os").environ, **env},
    )
    assert signed.returncode == 0, signed.stderr
    p7m_path = tmp_path / "IT01234567890_00001.xml.p7m"
    assert run("verify", str(p7m_path)).returncode == 0
    assert run("unwrap", str(p7m_path)).stdout == fpr01
    report = json.loads(run("verify", "--json", str(p7m_path)).stdout)
    assert report["valid"] is True and report["format"] == "CAdES-BES"

    data = bytearray(p7m_path.read_bytes())
    index = data.find(b"DESCRIZIONE")
    data[index] = ord("d")
    tampered = tmp_path / "tampered.xml.p7m"
    tampered.write_bytes(bytes(data))
    result = run("verify", str(tampered))
    assert result.returncode == 1 and b"FAIL" in result.stdout


def test_render_html_and_pdf_and_extract_attachments(tmp_path, lotto):
    invoice = tmp_path / "lotto.xml"
    invoice.write_bytes(lotto)
    html = run("render", str(invoice))
    assert html.returncode == 0 and b"456" in html.stdout and b"<html" in html.stdout.lower()
    pdf = tmp_path / "lotto.pdf"
    assert run("render", str(invoice), "--format", "pdf", "-o", str(pdf)).returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF-")
    payload = b"%PDF-1.4 fake contract"
    with_attachment = lotto.replace(
        b"</FatturaElettronicaBody>",
        b"<Allegati><NomeAttachment>../../contratto.pdf</NomeAttachment><Attachment>"
        + base64.b64encode(payload)
        + b"</Attachment></Allegati></FatturaElettronicaBody>",
        1,
    )
    invoice.write_bytes(with_attachment)
    out = tmp_path / "out"
    result = run("attachments", str(invoice), "-o", str(out))
    assert result.returncode == 0
    [written] = list(out.iterdir())
    assert written.name == "contratto.pdf" and written.read_bytes() == payload
