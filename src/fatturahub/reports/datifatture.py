"""Dati Fattura (DTE issued, DTR received) of a period, from the ledger's documents.

Due until June 2022 (FACTS.md §6.1): periods ending later are refused. A document's summary lines
are the ledger's lines of one body; DTE takes invoices by their date, DTR by the date they were
recorded. Documents these data never carried (TD16, TD19–TD23, TD28–TD29) are left out.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date
from itertools import groupby

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.errors import InvalidInput
from fatturahub.fiscal.codes import Esigibilita
from fatturahub.fiscal.datifatture import (
    Address,
    DatiFatturaFile,
    InvoiceData,
    NotInDatiFattura,
    Party,
    Summary,
    check,
    document_type,
    issued_invoices_files,
    received_invoices_files,
)
from fatturahub.reports import repository
from fatturahub.reports.models import VatEntry
from fatturahub.tenancy.models import Company

LAST_DAY_DUE = date(2022, 6, 30)
KINDS = ("DTE", "DTR")
_PERIOD = re.compile(r"H([12])|Q([1-4])")


def period_days(year: int, text: str) -> tuple[date, date]:
    """H1 / H2 (half-yearly, 2017) or Q1..Q4: its first and last day, if the data were due then."""
    match = _PERIOD.fullmatch(text)
    if not match:
        raise InvalidInput("invalid period", errors=[{"path": "period", "message": "H1, H2 or Q1..Q4"}])
    months = 6 if match[1] else 3
    first_month = (int(match[1] or match[2]) - 1) * months + 1
    last_month = first_month + months - 1
    first = date(year, first_month, 1)
    last = date(year, last_month, calendar.monthrange(year, last_month)[1])
    if last > LAST_DAY_DUE:
        raise InvalidInput(
            "Dati Fattura were due until June 2022",
            errors=[{"path": "period", "message": "later data go to SDI as invoices (TD17–TD19)"}],
        )
    return first, last


async def files(
    session: AsyncSession, company: Company, kind: str, first: date, last: date
) -> list[DatiFatturaFile]:
    rows = await repository.datifattura_entries(session, company.id, kind == "DTE", first, last)
    documents = [
        _document(group) for _key, group in groupby(rows, key=lambda r: (r[0].source_id, r[0].position))
    ]
    invoices = [d for d in documents if d is not None]
    if not invoices:
        raise InvalidInput(
            "no documents in the period", errors=[{"path": "period", "message": "nothing to send"}]
        )
    build = issued_invoices_files if kind == "DTE" else received_invoices_files
    return build(_company_party(company), invoices)


def checked(file: DatiFatturaFile) -> bytes:
    if issues := check(file.tree):
        raise InvalidInput(
            "the file does not validate against DatiFatturav2.1",
            errors=[{"code": i.code, "path": i.path, "message": i.message} for i in issues],
        )
    return file.to_bytes()


def _document(group: Sequence[tuple[VatEntry, str | None, str | None]] | object) -> InvoiceData | None:
    rows = list(group)  # type: ignore[call-overload]
    first, vat_id, tax_code = rows[0]
    try:
        document_type(first.tipo_documento)
    except NotInDatiFattura:
        return None
    summaries = tuple(
        Summary(
            taxable=e.taxable,
            vat=e.vat,
            rate=e.aliquota,
            natura=e.natura,
            esigibilita=Esigibilita(e.esigibilita),
            deductible_percent=e.deductible_percent if e.direction == "received" else None,
        )
        for e, _vat_id, _tax_code in rows
    )
    return InvoiceData(
        counterparty=_party(vat_id, tax_code, first.counterparty),
        document_type=first.tipo_documento,
        date=first.document_date,
        number=first.numero,
        summaries=summaries,
        recorded_on=first.recorded_on,
    )


def _party(vat_id: str | None, tax_code: str | None, name: str) -> Party:
    """`vat_id` as stored: IT01234567890 (country + code), or a bare codice fiscale."""
    if vat_id and vat_id[:2].isalpha() and len(vat_id) <= 30 and not _is_tax_code(vat_id):
        return Party(country=vat_id[:2], vat_code=vat_id[2:], tax_code=tax_code, name=name or None)
    return Party(tax_code=tax_code or vat_id, name=name or None)


def _is_tax_code(text: str) -> bool:
    return len(text) == 16 and text[6:8].isdigit()


def _company_party(company: Company) -> Party:
    seat = company.sede or {}
    address = None
    if seat.get("Indirizzo") and seat.get("Comune"):
        address = Address(
            street=seat["Indirizzo"],
            city=seat["Comune"],
            country=seat.get("Nazione", "IT"),
            number=seat.get("NumeroCivico"),
            postcode=seat.get("CAP"),
            province=seat.get("Provincia"),
        )
    name = company.denominazione
    return Party(
        vat_code=company.partita_iva,
        tax_code=company.codice_fiscale,
        name=name,
        first_name=None if name else company.nome,
        last_name=None if name else company.cognome,
        address=address,
    )


# what reports.corrections builds a Rettifica from
company_party = _company_party
document = _document
