"""Duplicates: the same document sent again (00404, against our records) or twice in one lotto
(00409). Both use SDI's key: who numbers the document, its number, its year (its date under
art. 73), and whether it is a credit note — credit notes are numbered apart and only collide
with credit notes.
"""

from __future__ import annotations

from collections.abc import Iterator

from fatturahub.fatturapa.document import Document
from fatturahub.fatturapa.findings import Finding
from fatturahub.fatturapa.model.ordinaria import Art73, SoggettoEmittente

from .context import (
    ANY_FORMAT,
    AnyBody,
    Context,
    DuplicateKey,
    Party,
    Rule,
    customer,
    finding,
    supplier,
)
from .context import general_data as data_of

CREDIT_NOTES = {"TD04", "TD08"}  # TD08: the simplified credit note


def _issuer(document: Document, seller: Party, buyer: Party) -> Party:
    # A customer issuing on the supplier's behalf (SoggettoEmittente CC) numbers in its own series.
    if document.FatturaElettronicaHeader.SoggettoEmittente == SoggettoEmittente.CC:
        return buyer
    return seller


def duplicate_key(document: Document, body: AnyBody) -> DuplicateKey:
    """The key SDI compares to decide that `body` repeats an invoice already accepted."""
    return _key(_issuer(document, supplier(document), customer(document)), body)


def _key(issuer: Party, body: AnyBody) -> DuplicateKey:
    data = data_of(body)
    art73 = getattr(data, "Art73", None) == Art73.SI
    return DuplicateKey(
        issuer=issuer.vat_number or issuer.cf or "",
        period=data.Data.isoformat() if art73 else str(data.Data.year),
        number=data.Numero,
        credit_note=data.TipoDocumento in CREDIT_NOTES,
    )


def _numbers(ctx: Context) -> Iterator[tuple[str, DuplicateKey]]:
    issuer = _issuer(ctx.document, ctx.supplier, ctx.customer)  # the parties the context already holds
    for body_path, body in ctx.bodies:
        path = f"{body_path}/DatiGenerali/DatiGeneraliDocumento/Numero"
        yield path, _key(issuer, body)


def already_in_records(ctx: Context) -> Iterator[Finding]:
    if ctx.duplicates is None:
        return
    for path, key in _numbers(ctx):
        if ctx.duplicates(key):
            yield finding("00404", path, {"number": key.number, "period": key.period})


def repeated_in_lotto(ctx: Context) -> Iterator[Finding]:
    if len(ctx.bodies) < 2:  # a single document cannot repeat itself: no keys to build
        return
    first_seen: dict[DuplicateKey, str] = {}
    for path, key in _numbers(ctx):
        if key in first_seen:
            params = {"number": key.number, "period": key.period, "first": first_seen[key]}
            yield finding("00409", path, params)
        else:
            first_seen[key] = path


RULES = (
    Rule(("00404",), already_in_records, ANY_FORMAT),
    Rule(("00409",), repeated_in_lotto, ANY_FORMAT),
)
