"""The FatturaPA core: models, XML codec, inbound normalizer, file names. Pure: no HTTP, no DB."""

from fatturahub.fatturapa.document import (
    Document,
    Reading,
    checked_xml,
    from_json,
    parse,
    read,
    serialize,
    to_tree,
    validate,
)
from fatturahub.fatturapa.issues import (
    FatturaPAError,
    InvalidDocument,
    Issue,
    NotAnInvoice,
    UnreadableInput,
    UnsupportedVersion,
)
from fatturahub.fatturapa.model.ordinaria import FatturaElettronica
from fatturahub.fatturapa.model.semplificata import FatturaElettronicaSemplificata

__all__ = [
    "Document",
    "FatturaElettronica",
    "FatturaElettronicaSemplificata",
    "FatturaPAError",
    "InvalidDocument",
    "Issue",
    "NotAnInvoice",
    "Reading",
    "UnreadableInput",
    "UnsupportedVersion",
    "checked_xml",
    "from_json",
    "parse",
    "read",
    "serialize",
    "to_tree",
    "validate",
]
