"""Notification type codes and file names."""

from __future__ import annotations

import pytest

from fatturahub.sdi.messages import (
    NotificationType,
    notification_file_name,
    notification_type,
    parse_message,
)
from fatturahub.sdi.messages.parse import MESSAGE_TYPES


@pytest.mark.parametrize("type_code", ["RC", "NS", "MC", "NE", "DT", "AT", "MT"])
def test_official_file_names_are_reproduced(official, type_code):
    message = parse_message(official(type_code))

    name = notification_file_name(message.NomeFile, notification_type(message), 1)

    assert name == f"IT01234567890_11111_{type_code}_001.xml"


@pytest.mark.parametrize("type_code", ["EC", "SE"])
def test_type_of_messages_without_a_file_name(official, type_code):
    assert notification_type(parse_message(official(type_code))) == type_code


def test_every_message_type_has_its_code():
    codes = {(namespace[-40:], name): t.TYPE_CODE for (namespace, name), t in MESSAGE_TYPES.items()}

    assert sorted(code.value for code in codes.values()) == sorted(
        ["RC", "NS", "MC", "NE", "DT", "AT", "MT", "EC", "SE", "RC", "NS", "MC", "MT"]
    )


@pytest.mark.parametrize(
    ("invoice", "type_code", "sequence", "expected"),
    [
        ("IT01234567890_11111.xml.p7m", "RC", 1, "IT01234567890_11111_RC_001.xml"),
        ("IT01234567890_11111.xml", NotificationType.NS, 42, "IT01234567890_11111_NS_042.xml"),
        ("ITRSSMRA80A01H501U_A1b2C.zip", "MC", "X0Z", "ITRSSMRA80A01H501U_A1b2C_MC_X0Z.xml"),
        ("IT01234567890_FPA01.xml", "DT", 999, "IT01234567890_FPA01_DT_999.xml"),
    ],
)
def test_notification_file_name(invoice, type_code, sequence, expected):
    assert notification_file_name(invoice, type_code, sequence) == expected


@pytest.mark.parametrize(
    ("invoice", "type_code", "sequence", "error"),
    [
        ("IT01234567890_11111.xml", "XX", 1, "not a valid NotificationType"),
        ("IT01234567890_11111.xml", "RC", 1000, "not an SDI notification file name"),
        ("IT01234567890_11111.xml", "RC", -1, "not an SDI notification file name"),
        ("IT01234567890_11111.xml", "RC", "1", "not an SDI notification file name"),
        ("IT01234567890_FPA01", "RC", 1, "not an SDI invoice file name"),
        ("../IT01234567890_11111.xml", "RC", 1, "not an SDI invoice file name"),
        ("", "RC", 1, "not an SDI invoice file name"),
    ],
)
def test_notification_file_name_refuses(invoice, type_code, sequence, error):
    with pytest.raises(ValueError, match=error):
        notification_file_name(invoice, type_code, sequence)
