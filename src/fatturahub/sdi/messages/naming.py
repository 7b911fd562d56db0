"""Notification type codes and notification file names (FACTS §2)."""

from __future__ import annotations

from fatturahub.fatturapa.naming import InvoiceFileName, NotificationFileName, NotificationType
from fatturahub.sdi.messages.base import Message


def notification_type(message: Message) -> NotificationType:
    """The two letters of `message` in file names: RC, NS, MC, NE, DT, AT, MT, EC or SE."""
    return message.TYPE_CODE


def notification_file_name(
    invoice_file_name: str, type_code: NotificationType | str, sequence: int | str
) -> str:
    """`<invoice name without extension>_<TT>_<nnn>.xml`, e.g. IT01234567890_11111_RC_001.xml.

    `sequence` is a number up to 999 or three letters/digits."""
    stem = InvoiceFileName.parse(invoice_file_name).stem
    text = f"{sequence:03d}" if isinstance(sequence, int) else sequence
    return str(NotificationFileName.parse(f"{stem}_{NotificationType(type_code)}_{text}.xml"))
