"""Pure rules of the passive cycle: duplicate keys, self-invoices, the outcome term, EC names."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fatturahub.fatturapa.naming import InvalidFileName, InvoiceFileName

OUTCOME_TERM = timedelta(days=15)  # FACTS §3.2: from delivery, then SDI sends DT
PA_FORMAT = "FPA12"
# Documents the company issues to itself, which SDI delivers back to it as recipient.
SELF_INVOICE_TYPES = frozenset({"TD16", "TD17", "TD18", "TD19", "TD20", "TD21", "TD27", "TD28"})


def duplicate_key(
    supplier_vat: str | None, supplier_cf: str | None, tipo: str | None, numero: str | None, data: date | None
) -> str | None:
    """Same supplier (P.IVA *and* CF, so VAT-group members differ), type, number and date."""
    if not (numero and data and (supplier_vat or supplier_cf)):
        return None
    return "|".join([supplier_vat or "", supplier_cf or "", tipo or "", numero, data.isoformat()])


def outcome_deadline(received_at: datetime) -> datetime:
    return received_at + OUTCOME_TERM


def outcome_refusal(*, format: str | None, received_at: datetime, expired: bool, now: datetime) -> str | None:
    """Why an EsitoCommittente cannot be sent now, or None when it can."""
    if format != PA_FORMAT:
        return "an outcome (EsitoCommittente) exists only for invoices to a public administration (FPA12)"
    if expired:
        return "SDI has notified the expiry of the term (NotificaDecorrenzaTermini): no outcome is possible"
    if now > outcome_deadline(received_at):
        deadline = outcome_deadline(received_at).isoformat()
        return f"the 15-day term for the outcome ended at {deadline}"
    return None


def file_stem(file_name: str) -> str:
    """The received file's name without extension, as SDI derives notification names from it."""
    try:
        return InvoiceFileName.parse(file_name).stem
    except InvalidFileName:
        return file_name.split(".", 1)[0]


def outcome_file_name(received_file_name: str, sequence: int) -> str:
    """`<file stem>_EC_<nnn>.xml`: the n-th outcome we send about that file."""
    return f"{file_stem(received_file_name)}_EC_{sequence:03d}.xml"
