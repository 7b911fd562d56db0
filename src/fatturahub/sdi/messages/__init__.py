"""SDI notification messages of both flows: typed models, parsing, building, file names.

    message = parse_message(data)            # validated against the official XSD
    data = build_message(message, sign=...)  # see `build` for the signature options

Models live in `pa` (MessaggiTypes_v1.1) and `b2b` (MessaggiFatturaTypes_v1.0); classes are
named after the root elements, so `pa.RicevutaConsegna` and `b2b.RicevutaConsegna` both exist.
"""

from fatturahub.sdi.messages import b2b, pa
from fatturahub.sdi.messages.base import (
    EsitoCommittenteType,
    Flow,
    Message,
    NotificationType,
    ScartoType,
)
from fatturahub.sdi.messages.build import Signer, awaits_signature, build_message
from fatturahub.sdi.messages.naming import notification_file_name, notification_type
from fatturahub.sdi.messages.parse import MESSAGE_TYPES, parse_message

__all__ = [
    "MESSAGE_TYPES",
    "EsitoCommittenteType",
    "Flow",
    "Message",
    "NotificationType",
    "ScartoType",
    "Signer",
    "awaits_signature",
    "b2b",
    "build_message",
    "notification_file_name",
    "notification_type",
    "pa",
    "parse_message",
]
