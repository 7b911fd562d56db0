"""Document data: date, number, and what each TipoDocumento demands of the parties.

Self-invoices and integrations (TD16-TD29) describe the buyer's side of an operation, so SDI
checks who may or must appear as supplier and customer for each type; which types are covered
changes between releases (see releases.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from fatturahub.fatturapa.findings import Finding
from fatturahub.fatturapa.model.ordinaria import FatturaElettronica, TipoDocumento
from fatturahub.fatturapa.model.semplificata import TipoDocumento as TipoSemplificato

from .context import (
    ANY_FORMAT,
    ORDINARIA,
    SEMPLIFICATA,
    Context,
    Relation,
    Rule,
    each,
    finding,
    general_data,
)

GENERAL = "DatiGenerali/DatiGeneraliDocumento"


def _regime(ctx: Context) -> tuple[str, str]:
    seller = ctx.document.FatturaElettronicaHeader.CedentePrestatore
    if isinstance(ctx.document, FatturaElettronica):
        path = f"{ctx.root}/FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici"
        return f"{path}/RegimeFiscale", seller.DatiAnagrafici.RegimeFiscale
    return (
        f"{ctx.root}/FatturaElettronicaHeader/CedentePrestatore/RegimeFiscale",
        seller.RegimeFiscale,
    )


# --- codes of a later release ----------------------------------------------------------------
def code_not_in_release(ctx: Context) -> Iterator[Finding]:
    """TD29 and RF20 exist from 1.9: before, the schema in force refused them (00200)."""
    unknown = [(path, kind) for path, kind in ctx.document_types if kind not in ctx.release.document_types]
    path, regime = _regime(ctx)
    if regime not in ctx.release.regimes:
        unknown.append((path, regime))
    for path, value in unknown:
        params = {"variant": "release", "value": value, "release": ctx.release.name}
        yield finding("00200", path, params)


# --- date and number -------------------------------------------------------------------------
def date_after_receipt(ctx: Context) -> Iterator[Finding]:
    if ctx.receipt_date is None:
        return
    for body_path, body in ctx.bodies:
        issued = general_data(body).Data
        if issued > ctx.receipt_date:
            params = {"date": issued, "receipt": ctx.receipt_date}
            yield finding("00403", f"{body_path}/{GENERAL}/Data", params)


def number_without_digit(ctx: Context) -> Iterator[Finding]:
    for body_path, body in ctx.bodies:
        number = general_data(body).Numero
        if not any(map(str.isdigit, number)):  # map: no generator frame per character
            yield finding("00425", f"{body_path}/{GENERAL}/Numero", {"number": number})


def credit_note_before_invoice(ctx: Context) -> Iterator[Finding]:
    """A credit note cannot predate the invoice it corrects (00418)."""
    for body_path, body in ctx.bodies:
        data = body.DatiGenerali.DatiGeneraliDocumento
        if data.TipoDocumento != TipoDocumento.TD04:
            continue
        linked = body.DatiGenerali.DatiFattureCollegate
        for path, invoice in each(f"{body_path}/DatiGenerali", "DatiFattureCollegate", linked):
            if invoice.Data is not None and invoice.Data > data.Data:
                yield finding("00418", f"{path}/Data", {"date": data.Data, "linked": invoice.Data})


# --- parties per document type ---------------------------------------------------------------
def supplier_is_customer(ctx: Context) -> Iterator[Finding]:
    if ctx.parties is not Relation.SAME:
        return
    for path, kind in ctx.document_types:
        if kind in ctx.release.distinct_parties:
            yield finding("00471", path, {"type": kind})


def supplier_is_not_customer(ctx: Context) -> Iterator[Finding]:
    if ctx.parties is not Relation.DIFFERENT:
        return
    for path, kind in ctx.document_types:
        if kind in ctx.release.same_party:
            yield finding("00472", path, {"type": kind})


def supplier_country_for_type(ctx: Context) -> Iterator[Finding]:
    """Purchases from abroad need a foreign supplier; TD29 reports an Italian one (00473)."""
    country = ctx.supplier.country
    for path, kind in ctx.document_types:
        foreign_expected = kind in ctx.release.foreign_supplier and country == "IT"
        italian_expected = kind in ctx.release.italian_supplier and country != "IT"
        if foreign_expected or italian_expected:
            yield finding("00473", path, {"type": kind, "country": country})


def customer_vat_missing_for_type(ctx: Context) -> Iterator[Finding]:
    if ctx.customer.vat is not None:
        return
    for path, kind in ctx.document_types:
        if kind in ctx.release.customer_vat_required:
            yield finding("00475", path, {"type": kind})


def zero_rate_in_plafond_self_invoice(ctx: Context) -> Iterator[Finding]:
    """TD21 charges the VAT the exceeded plafond did not cover: no zero-rate line (00474)."""
    for _, body, path, line in ctx.lines:
        plafond = body.DatiGenerali.DatiGeneraliDocumento.TipoDocumento == TipoDocumento.TD21
        if plafond and line.AliquotaIVA == 0:
            yield finding("00474", f"{path}/AliquotaIVA", {"line": line.NumeroLinea})


# --- simplified invoice ----------------------------------------------------------------------
def simplified_invoice_over_limit(ctx: Context) -> Iterator[Finding]:
    """FSM10 invoices (TD07) are for small amounts; credit and debit notes have no ceiling."""
    _, regime = _regime(ctx)
    if regime in ctx.release.simplified_limit_exempt:
        return
    for body_path, body in ctx.bodies:
        if general_data(body).TipoDocumento != TipoSemplificato.TD07:
            continue
        total = sum((item.Importo for item in body.DatiBeniServizi), Decimal(0))
        if total > ctx.release.simplified_limit:
            params = {"total": total, "limit": ctx.release.simplified_limit}
            yield finding("00460", f"{body_path}/DatiBeniServizi", params)


RULES = (
    Rule(("00200.release",), code_not_in_release, ANY_FORMAT),
    Rule(("00403",), date_after_receipt, ANY_FORMAT),
    Rule(("00418",), credit_note_before_invoice, ORDINARIA),
    Rule(("00425",), number_without_digit, ANY_FORMAT),
    Rule(("00460",), simplified_invoice_over_limit, SEMPLIFICATA),
    Rule(("00471",), supplier_is_customer, ANY_FORMAT),
    Rule(("00472",), supplier_is_not_customer, ANY_FORMAT),
    Rule(("00473",), supplier_country_for_type, ANY_FORMAT),
    Rule(("00474",), zero_rate_in_plafond_self_invoice, ORDINARIA),
    Rule(("00475",), customer_vat_missing_for_type, ANY_FORMAT),
)
