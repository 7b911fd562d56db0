"""Dati Fattura (DatiFatturav2.1, `versione="DAT20"`): DTE, DTR, ANN files (FACTS.md §6.1).

Due until June 2022 (esterometro); kept to correct or cancel what was sent for those periods.
"""

from fatturahub.fiscal.datifatture.files import (
    MAX_DOCUMENTS_PER_FILE,
    Address,
    DatiFatturaFile,
    Declarant,
    InvoiceData,
    Party,
    Position,
    Summary,
    cancellation,
    check,
    correction,
    issued_invoices_files,
    received_invoices_files,
)
from fatturahub.fiscal.datifatture.mapping import NotInDatiFattura, document_type, natura

__all__ = [
    "MAX_DOCUMENTS_PER_FILE",
    "Address",
    "DatiFatturaFile",
    "Declarant",
    "InvoiceData",
    "NotInDatiFattura",
    "Party",
    "Position",
    "Summary",
    "cancellation",
    "check",
    "correction",
    "document_type",
    "issued_invoices_files",
    "natura",
    "received_invoices_files",
]
