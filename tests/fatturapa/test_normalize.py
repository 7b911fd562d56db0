"""The inbound normalizer: every envelope and encoding seen in the wild, built here for real."""

from __future__ import annotations

import base64
import textwrap

import pytest
from tests.support.cms import p7m, to_ber_indefinite

from fatturahub import fatturapa
from fatturahub.fatturapa.canonical import canonical

NS = b"http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"


def _lines(data: bytes, width: int, newline: bytes = b"\r\n") -> bytes:
    text = base64.b64encode(data)
    return newline.join(text[i : i + width] for i in range(0, len(text), width))


# --- envelopes ------------------------------------------------------------------------------
def test_der_p7m_opens_to_the_exact_signed_bytes(fpr01):
    reading = fatturapa.read(p7m(fpr01))
    assert reading.envelopes == ["cades"]
    assert reading.xml == fpr01
    assert reading.valid


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda d: base64.b64encode(d), id="one-line"),
        pytest.param(lambda d: _lines(d, 76), id="crlf-76"),
        pytest.param(lambda d: _lines(d, 64, b"\n"), id="lf-64"),
        pytest.param(
            lambda d: b"-----BEGIN PKCS7-----\n" + _lines(d, 64, b"\n") + b"\n-----END PKCS7-----\n",
            id="pem",
        ),
    ],
)
def test_base64_p7m_in_every_layout(fpr01, encode):
    reading = fatturapa.read(encode(p7m(fpr01)))
    assert reading.envelopes == ["base64", "cades"]
    assert reading.xml == fpr01


def test_ber_with_indefinite_lengths_and_chunked_content(fpr01):
    ber = to_ber_indefinite(p7m(fpr01), chunk=512)
    assert ber[:2] == b"\x30\x80"
    reading = fatturapa.read(ber)
    assert reading.xml == fpr01


def test_double_wrapped_envelopes(fpr01):
    twice = p7m(p7m(fpr01))
    assert fatturapa.read(twice).envelopes == ["cades", "cades"]
    mixed = base64.b64encode(p7m(base64.b64encode(fpr01)))
    reading = fatturapa.read(mixed)
    assert reading.envelopes == ["base64", "cades", "base64"]
    assert reading.xml == fpr01


def test_base64_of_plain_xml(fpr01):
    assert fatturapa.read(_lines(fpr01, 76)).xml == fpr01


def test_too_many_nested_envelopes_are_refused(fpr01):
    data = fpr01
    for _ in range(6):
        data = base64.b64encode(data)
    with pytest.raises(fatturapa.UnreadableInput, match="nested envelopes"):
        fatturapa.read(data)


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda d: d[: len(d) // 2], id="truncated"),
        pytest.param(lambda d: d[:20] + b"\xff" * 40 + d[60:], id="garbled-header"),
    ],
)
def test_corrupt_p7m_gives_00106(fpr01, mangle):
    with pytest.raises(fatturapa.UnreadableInput) as caught:
        fatturapa.read(mangle(p7m(fpr01)))
    assert caught.value.issues[0].code == "00106"


# --- encodings and declarations ---------------------------------------------------------------
def test_bom_and_missing_declaration_are_plain_xml(fpr01):
    body = fpr01.split(b"?>", 1)[1].lstrip()
    for data in (b"\xef\xbb\xbf" + fpr01, body, b"\xef\xbb\xbf" + body):
        assert fatturapa.read(data).valid


def _with_description(data: bytes, text: str, encoding: str, declared: str | None) -> bytes:
    xml = data.decode("utf-8").replace("DESCRIZIONE DELLA FORNITURA", text)
    body = xml.split("?>", 1)[1]
    declaration = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    return (declaration + body).encode(encoding)


@pytest.mark.parametrize("declared", ["windows-1252", "ISO-8859-1"])
def test_declared_single_byte_encodings_are_read(fpr01, declared):
    data = _with_description(fpr01, "Caffè è più", "cp1252", declared)
    reading = fatturapa.read(data)
    assert reading.valid and not reading.repairs
    line = reading.document.FatturaElettronicaBody[0].DatiBeniServizi.DettaglioLinee[0]
    assert line.Descrizione == "Caffè è più"


@pytest.mark.parametrize("declared", ["UTF-8", None])
def test_windows_1252_bytes_under_a_utf8_label(fpr01, declared):
    data = _with_description(fpr01, "Caffè “speciale”", "cp1252", declared)
    with pytest.raises(fatturapa.UnreadableInput):
        fatturapa.read(data)  # strict: what we send must be what it says
    reading = fatturapa.read(data, lenient=True)
    assert any("windows-1252" in r for r in reading.repairs)
    line = reading.document.FatturaElettronicaBody[0].DatiBeniServizi.DettaglioLinee[0]
    assert line.Descrizione == "Caffè “speciale”"


def test_iso_8859_1_label_with_windows_1252_characters(fpr01):
    data = _with_description(fpr01, "Prezzo – 10 € ‰", "cp1252", "ISO-8859-1")
    reading = fatturapa.read(data, lenient=True)
    assert any("ISO-8859-1" in r for r in reading.repairs)
    line = reading.document.FatturaElettronicaBody[0].DatiBeniServizi.DettaglioLinee[0]
    assert line.Descrizione == "Prezzo – 10 € ‰"


def test_utf16_with_bom(fpr01):
    text = fpr01.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert fatturapa.read(text.encode("utf-16")).valid


def test_junk_before_the_declaration_is_removed_only_leniently(fpr01):
    data = b"\r\n  " + fpr01
    with pytest.raises(fatturapa.UnreadableInput):
        fatturapa.read(data)
    reading = fatturapa.read(data, lenient=True)
    assert reading.valid and reading.repairs


# --- processing instructions and namespaces -------------------------------------------------------
def test_processing_instructions_around_and_inside(fpr01):
    data = fpr01.replace(
        b"<p:FatturaElettronica",
        b'<?xml-stylesheet type="text/xsl" href="x.xsl"?>\n<p:FatturaElettronica',
        1,
    ).replace(b"<DatiBeniServizi>", b"<DatiBeniServizi><?erp line-import?>", 1)
    reading = fatturapa.read(data)
    assert reading.valid
    assert len(reading.document.FatturaElettronicaBody[0].DatiBeniServizi.DettaglioLinee) == 1


@pytest.mark.parametrize("prefix", [b"ns3", b"fe", b"a.b-c"])
def test_unusual_prefixes(fpr01, prefix):
    data = fpr01.replace(b"p:FatturaElettronica", prefix + b":FatturaElettronica").replace(
        b"xmlns:p=", b"xmlns:" + prefix + b"="
    )
    reading = fatturapa.read(data)
    assert reading.valid
    assert fatturapa.serialize(reading.document).count(prefix + b":FatturaElettronica") == 2


def test_default_namespace_with_qualified_children(fpr01):
    data = fpr01.replace(b"p:FatturaElettronica", b"FatturaElettronica").replace(b"xmlns:p=", b"xmlns=")
    assert not fatturapa.read(data).valid  # children must be unqualified: SDI's schema says so
    reading = fatturapa.read(data, lenient=True)
    assert reading.valid
    assert any("unqualified" in r for r in reading.repairs)


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(b'xmlns:p="' + NS + b'&quot;"', id="escaped-quote-inside"),
        pytest.param(b'xmlns:p=" ' + NS + b'"', id="leading-space"),
        pytest.param(
            b'xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/ v1.2"',
            id="space-inside",
        ),
        pytest.param(b'xmlns:p=\\"' + NS + b'\\"', id="backslash-escaped-quotes"),
    ],
)
def test_broken_namespace_declarations_are_repaired_and_reported(fpr01, broken):
    data = fpr01.replace(b'xmlns:p="' + NS + b'"', broken, 1)
    assert data != fpr01
    with pytest.raises(fatturapa.FatturaPAError):
        fatturapa.read(data)
    reading = fatturapa.read(data, lenient=True)
    assert reading.valid
    assert any("namespace declaration" in r for r in reading.repairs)
    assert canonical(fatturapa.serialize(reading.document)) == canonical(fpr01)


def test_an_unknown_namespace_is_not_guessed(fpr01):
    data = fpr01.replace(b'xmlns:p="' + NS + b'"', b'xmlns:p="urn:something-else"', 1)
    with pytest.raises(fatturapa.NotAnInvoice):
        fatturapa.read(data, lenient=True)


# --- hostile input ----------------------------------------------------------------------------
XXE = textwrap.dedent(
    """\
    <?xml version="1.0"?>
    <!DOCTYPE p:FatturaElettronica [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <p:FatturaElettronica xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
     versione="FPR12"><FatturaElettronicaHeader>&x;</FatturaElettronicaHeader></p:FatturaElettronica>
    """
).encode()

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><lolz>&lol9;</lolz>"
)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        pytest.param(XXE, "DTD", id="xxe"),
        pytest.param(LAUGHS, "", id="billion-laughs"),
        pytest.param(b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><x/>', "DTD", id="external-dtd"),
        pytest.param(b"<p:FatturaElettronica><unclosed>", "well-formed", id="malformed"),
        pytest.param(b"", "", id="empty"),
        pytest.param(b"\x00\x01\x02 binary garbage \xff\xfe\xfd", "", id="garbage"),
        pytest.param(b"<a>" * 10_000 + b"</a>" * 10_000, "", id="deep-nesting"),
    ],
)
def test_hostile_input_gives_a_clear_error(data, needle):
    for lenient in (False, True):
        with pytest.raises(fatturapa.FatturaPAError) as caught:
            fatturapa.read(data, lenient=lenient)
        assert needle in str(caught.value)
        assert caught.value.issues[0].code in ("00200", "00106")


def test_oversized_input_is_refused_before_parsing(fpr01):
    padding = b"<!--" + b"x" * (5 * 1024 * 1024) + b"-->"
    with pytest.raises(fatturapa.UnreadableInput) as caught:
        fatturapa.read(fpr01 + padding)
    assert caught.value.issues[0].code == "00003"
    assert fatturapa.read(fpr01, max_bytes=len(fpr01)).valid
