from __future__ import annotations

import pytest
from tests.support.samples import OFFICIAL

from fatturahub.fatturapa.naming import (
    PROGRESSIVE_CAPACITY,
    Extension,
    InvalidFileName,
    InvoiceFileName,
    NotificationFileName,
    NotificationType,
    invoice_file_name,
    progressive,
)


def test_progressives_are_five_alphanumerics_and_never_collide():
    seen = {progressive(n) for n in range(50_000)}
    assert len(seen) == 50_000
    assert progressive(0) == "00000"
    assert progressive(PROGRESSIVE_CAPACITY - 1) == "ZZZZZ"
    sample = [progressive(n) for n in (1, 35, 36, 1_000_000, 60_000_000)]
    assert all(len(p) == 5 and p.isalnum() and p.upper() == p for p in sample)
    assert len(set(sample)) == len(sample)


@pytest.mark.parametrize("counter", [-1, PROGRESSIVE_CAPACITY])
def test_progressive_out_of_range(counter):
    with pytest.raises(ValueError):
        progressive(counter)


def test_invoice_file_names_are_built_and_parsed_back():
    name = invoice_file_name("it", "01234567890", 37, Extension.SIGNED)
    assert str(name) == "IT01234567890_00011.xml.p7m"
    assert InvoiceFileName.parse(str(name)) == name
    assert name.stem == "IT01234567890_00011"


@pytest.mark.parametrize(
    "name",
    [
        "IT01234567890_FPA01.xml",
        "ITHVQWPH73P42H501Y_X0024.xml",
        "IT01234567890_11111.xml.p7m",
        "DE123456789_abc12.zip",
        "IT01234567890_11111.XML.P7M",
    ],
)
def test_valid_invoice_names(name):
    parsed = InvoiceFileName.parse(name)
    assert str(parsed).lower() == name.lower()


@pytest.mark.parametrize(
    "name",
    [
        "IT01234567890_1234.xml",
        "IT01234567890_123456.xml",
        "IT01234567890-12345.xml",
        "it01234567890_12345.xml",
        "IT01234567890_12345.pdf",
        "IT01234567890_12$45.xml",
        "../IT01234567890_12345.xml",
        "IT01234567890_12345.xml ",
    ],
)
def test_invalid_invoice_names(name):
    with pytest.raises(InvalidFileName) as caught:
        InvoiceFileName.parse(name)
    assert caught.value.code == "00001"


def test_official_notification_names_parse():
    for path in (OFFICIAL / "messaggi").glob("*.xml"):
        parsed = NotificationFileName.parse(path.name)
        assert parsed.invoice_stem == "IT01234567890_11111"
        assert str(parsed) == path.name
    assert NotificationFileName.parse("IT01234567890_11111_NS_001.xml").type is NotificationType.NS


@pytest.mark.parametrize(
    "name",
    ["IT01234567890_11111_XX_001.xml", "IT01234567890_11111_RC_1.xml", "IT01234567890_11111.xml"],
)
def test_invalid_notification_names(name):
    with pytest.raises(InvalidFileName):
        NotificationFileName.parse(name)
