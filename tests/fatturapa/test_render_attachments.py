"""Attachments: listing, byte-exact extraction, safe names, and the table on the rendered page."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader
from tests.support.samples import OFFICIAL

from fatturahub import fatturapa
from fatturahub.fatturapa import render
from fatturahub.fatturapa.render import Attachment

# Not valid UTF-8 and not text: any re-encoding on the way would show.
PAYLOAD = b"%PDF-1.4\n" + bytes(range(256)) * 12 + hashlib.sha256(b"allegato").digest()


def _with_attachments(invoice: bytes, *blocks: tuple[int, str, str, str, bytes]) -> bytes:
    """`invoice` with Allegati blocks (body index from 1, name, format, description, content)."""
    tree = etree.fromstring(invoice)
    bodies = tree.findall("FatturaElettronicaBody")
    for body_index, name, file_format, description, content in blocks:
        block = etree.SubElement(bodies[body_index - 1], "Allegati")
        etree.SubElement(block, "NomeAttachment").text = name
        etree.SubElement(block, "FormatoAttachment").text = file_format
        etree.SubElement(block, "DescrizioneAttachment").text = description
        # 76-column lines, as most writers wrap base64
        etree.SubElement(block, "Attachment").text = base64.encodebytes(content).decode()
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    assert fatturapa.validate(data) == []
    return data


@pytest.fixture
def with_pdf(fpr01) -> bytes:
    return _with_attachments(fpr01, (1, "ordine-4711.pdf", "PDF", "Copia ordine", PAYLOAD))


def test_attachments_are_listed_with_their_bytes(with_pdf):
    expected = Attachment(
        body=1, name="ordine-4711.pdf", format="PDF", description="Copia ordine", content=PAYLOAD
    )
    assert render.attachments(with_pdf) == [expected]


def test_extraction_is_byte_exact(with_pdf, tmp_path):
    [path] = render.extract_attachments(with_pdf, tmp_path / "out")
    assert path == tmp_path / "out" / "ordine-4711.pdf"
    assert path.read_bytes() == PAYLOAD


def test_attachments_of_a_lotto_name_their_body(tmp_path):
    lotto = (OFFICIAL / "v1.2" / "IT01234567890_FPR03.xml").read_bytes()
    data = _with_attachments(
        lotto, (1, "a.txt", "TXT", "primo", b"one"), (2, "b.txt", "TXT", "secondo", b"two")
    )
    assert [(a.body, a.name, a.content) for a in render.attachments(data)] == [
        (1, "a.txt", b"one"),
        (2, "b.txt", b"two"),
    ]
    written = render.extract_attachments(data, tmp_path)
    assert [p.read_bytes() for p in written] == [b"one", b"two"]


def test_an_undecodable_attachment_is_left_out_but_the_page_renders(fpr01):
    broken = fpr01.replace(
        b"</FatturaElettronicaBody>",
        b"<Allegati><NomeAttachment>x.pdf</NomeAttachment><Attachment>QUJD=x</Attachment>"
        b"</Allegati></FatturaElettronicaBody>",
    )
    assert render.attachments(broken) == []
    page = render.render_html(broken)
    assert "x.pdf" in page  # listed by the official sheet itself
    assert render.ATTACHMENTS_SECTION_ID not in page


def test_a_file_without_attachments_has_none(fpr01, tmp_path):
    assert render.attachments(fpr01) == []
    assert render.extract_attachments(fpr01, tmp_path) == []
    assert render.ATTACHMENTS_SECTION_ID not in render.render_html(fpr01)


@pytest.mark.parametrize(
    "hostile",
    ["../../etc/passwd", "/etc/passwd", "..\\..\\windows\\evil.exe", "C:\\temp\\x.pdf"],
)
def test_hostile_names_land_inside_the_directory(fpr01, tmp_path, hostile):
    data = _with_attachments(fpr01, (1, hostile, "PDF", "ostile", b"x"))
    target = tmp_path / "a" / "b"
    [path] = render.extract_attachments(data, target)
    assert path.parent == target
    assert path.read_bytes() == b"x"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [path]


def test_same_names_never_overwrite(fpr01, tmp_path):
    (tmp_path / "fattura.pdf").write_bytes(b"already here")
    data = _with_attachments(
        fpr01, (1, "fattura.pdf", "PDF", "uno", b"1"), (1, "fattura.pdf", "PDF", "due", b"2")
    )
    written = render.extract_attachments(data, tmp_path)
    assert [p.name for p in written] == ["fattura-2.pdf", "fattura-3.pdf"]
    assert [p.read_bytes() for p in written] == [b"1", b"2"]
    assert (tmp_path / "fattura.pdf").read_bytes() == b"already here"


def _named(name: str, file_format: str | None = None) -> Attachment:
    return Attachment(body=2, name=name, format=file_format, description=None, content=b"")


@pytest.mark.parametrize(
    ("name", "file_format", "expected"),
    [
        ("fattura.pdf", "PDF", "fattura.pdf"),
        ("fattura", "PDF", "fattura.pdf"),  # the format supplies a missing extension
        ("..", None, "allegato-2-3"),
        ("...", "ZIP", "allegato-2-3.zip"),
        (".bashrc", None, "bashrc"),  # no hidden files
        ("a<b>c:d|e?f*.txt", None, "a_b_c_d_e_f_.txt"),
        ("nome\x00nullo.txt", None, "nome_nullo.txt"),
        ("x" * 300 + ".pdf", None, "x" * 196 + ".pdf"),
        ("è" * 300 + ".pdf", None, "è" * 98 + ".pdf"),  # cut on bytes, never inside a character
    ],
)
def test_safe_file_names(name, file_format, expected):
    assert render.safe_file_name(_named(name, file_format), 3) == expected


def test_the_page_lists_attachments_with_their_size(with_pdf):
    for style in ("ministerial", "assosoftware"):
        page = lxml_html.fromstring(render.render_html(with_pdf, style=style))
        [section] = page.xpath(f"//div[@id='{render.ATTACHMENTS_SECTION_ID}']")
        rows = [[cell.text_content() for cell in row] for row in section.iter("tr")]
        size = f"{len(PAYLOAD):,} byte".replace(",", ".")
        assert rows == [
            ["Fattura n.", "Nome", "Formato", "Descrizione", "Dimensione"],
            ["123", "ordine-4711.pdf", "PDF", "Copia ordine", size],
        ]


def test_names_from_the_file_cannot_inject_markup(fpr01):
    data = _with_attachments(fpr01, (1, "<script>alert(1)</script>", "TXT", "<b>x</b>", b"-"))
    page = lxml_html.fromstring(render.render_html(data, style="assosoftware"))
    assert page.xpath("//script") == [] and page.xpath("//b[.='x']") == []
    assert "<script>alert(1)</script>" in page.text_content()


def test_pdf_lists_attachments(with_pdf):
    reader = PdfReader(io.BytesIO(render.render_pdf(with_pdf)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "ordine-4711.pdf" in text
    assert f"{len(PAYLOAD):,} byte".replace(",", ".") in text
