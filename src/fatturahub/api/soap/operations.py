"""The operations: each reads its request, calls the same service as its REST twin, and maps the
REST response model into the SOAP one. No rules of their own live here.

Active cycle: invoices/service.py (REST: invoices/endpoints.py). Passive cycle: inbox/service.py and
inbox/outcomes.py (REST: inbox/endpoints.py), in the received_invoices area with REST's levels.
Reports (LIPE, Dati Fattura): reports/service.py (REST: reports/endpoints.py), in the reports area.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal as DecimalValue
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from fatturahub.api.soap import replay
from fatturahub.api.soap import types as t
from fatturahub.api.soap.calls import Call
from fatturahub.errors import InvalidInput
from fatturahub.fiscal.naming import FileType
from fatturahub.inbox import outcomes as inbox_outcomes
from fatturahub.inbox import schemas as inbox_schemas
from fatturahub.inbox import service as inbox
from fatturahub.inbox.models import ReceivedInvoice
from fatturahub.inbox.repository import ReceivedFilter
from fatturahub.invoices import checks, schemas, service
from fatturahub.invoices.endpoints import _out as rest_invoice  # REST's own view of an invoice
from fatturahub.invoices.models import Invoice
from fatturahub.invoices.states import InvoiceState
from fatturahub.reports import schemas as report_schemas
from fatturahub.reports import service as reports
from fatturahub.reports.lipe import AMOUNT_FIELDS
from fatturahub.tenancy.permissions import Area, Level
from fatturahub.tenancy.principal import CompanyAccess
from fatturahub.webhooks import schemas as event_schemas
from fatturahub.webhooks import service as events

BodyT = TypeVar("BodyT", bound=BaseModel)


def _file(data: Any) -> bytes:
    return b"".join(data)  # Spyne hands base64Binary over as a sequence of chunks


# --- SendInvoice, ValidateInvoice --------------------------------------------------------------
async def send_invoice(call: Call, request: t.SendInvoiceRequest) -> t.InvoiceResponse:
    if request.IdempotencyKey is None:
        created = await _create(call, request)
    else:
        digest = replay.request_hash(
            request.CompanyId.encode(), str(request.Send).encode(), _file(request.File)
        )
        kept = await replay.once(call, request.IdempotencyKey, digest, lambda: _create_kept(call, request))
        created = schemas.InvoiceOut.model_validate_json(kept)
    return t.InvoiceResponse(Invoice=_invoice(created))


async def _create(call: Call, request: t.SendInvoiceRequest) -> schemas.InvoiceOut:
    access = await call.company(request.CompanyId, Area.ACTIVE_INVOICES, Level.WRITE)
    invoice = await service.create_invoice(
        call.session,
        call.principal,
        access,
        service.Incoming(file=_file(request.File)),
        services=call.services(),
        send=request.Send,
    )
    return rest_invoice(invoice)


async def _create_kept(call: Call, request: t.SendInvoiceRequest) -> bytes:
    return (await _create(call, request)).model_dump_json().encode()


async def validate_invoice(call: Call, request: t.ValidateInvoiceRequest) -> t.ValidationReport:
    issues = checks.preview(_file(request.File), is_json=False, lang=call.lang)
    return t.ValidationReport(Valid=not issues, Errors=[_error(i.as_dict()) for i in issues])


# --- reading invoices and their notifications ----------------------------------------------------
async def get_invoice(call: Call, request: t.GetInvoiceRequest) -> t.InvoiceDetail:
    access = await _reader(call, request.CompanyId)
    invoice = await _find(call, access, request)
    notifications = await service.notifications_of(call.session, invoice)
    return t.InvoiceDetail(
        Invoice=_invoice(rest_invoice(invoice)), Notifications=[_notification(n) for n in notifications]
    )


async def _find(call: Call, access: CompanyAccess, request: t.GetInvoiceRequest) -> Invoice:
    if request.InvoiceId is not None:
        return await service.get_invoice(call.session, access, uuid.UUID(request.InvoiceId))
    if request.FileName is not None:
        where = service.InvoiceFilter(file_name=request.FileName)
    elif request.Numero is not None and request.Data is not None:
        where = service.InvoiceFilter(numero=request.Numero, date_from=request.Data, date_to=request.Data)
    else:
        raise InvalidInput(
            "which invoice?",
            errors=[{"path": "InvoiceId", "message": "give InvoiceId, FileName, or Numero with Data"}],
        )
    return await service.find_invoice(call.session, access, where)


async def list_invoices(call: Call, request: t.ListInvoicesRequest) -> t.InvoicePage:
    access = await _reader(call, request.CompanyId)
    where = service.InvoiceFilter(
        InvoiceState(request.State) if request.State else None,
        request.DateFrom,
        request.DateTo,
        request.Numero,
        request.Customer,
        request.IdentificativoSdi,
    )
    page = await service.list_invoices(
        call.session, access, where, limit=request.Limit, cursor=request.Cursor
    )
    return t.InvoicePage(Items=[_invoice(rest_invoice(i)) for i in page.items], NextCursor=page.next_cursor)


async def list_invoice_notifications(call: Call, request: t.InvoiceRef) -> t.NotificationsResponse:
    access = await _reader(call, request.CompanyId)
    invoice = await service.get_invoice(call.session, access, uuid.UUID(request.InvoiceId))
    notifications = await service.notifications_of(call.session, invoice)
    return t.NotificationsResponse(Notifications=[_notification(n) for n in notifications])


async def get_notification_file(call: Call, request: t.NotificationRef) -> t.FileResponse:
    access = await _reader(call, request.CompanyId)
    invoice = await service.get_invoice(call.session, access, uuid.UUID(request.InvoiceId))
    notification = await service.get_notification(call.session, invoice, uuid.UUID(request.NotificationId))
    return t.FileResponse(FileName=notification.file_name, Content=[notification.content])


async def _reader(call: Call, company_id: str) -> CompanyAccess:
    return await call.company(company_id, Area.ACTIVE_INVOICES, Level.READ)


# --- the passive cycle: received invoices -------------------------------------------------------
async def list_received_invoices(call: Call, request: t.ListReceivedInvoicesRequest) -> t.ReceivedInvoicePage:
    access = await _received(call, request.CompanyId, Level.READ)
    where = ReceivedFilter(
        supplier=request.Supplier,
        date_from=request.DateFrom,
        date_to=request.DateTo,
        numero=request.Numero,
        amount_min=request.AmountMin,
        amount_max=request.AmountMax,
        tipo_documento=request.TipoDocumento,
        state=request.State,
        signature_status=request.SignatureStatus,
        downloaded=request.Downloaded,
        readable=request.Readable,
    )
    page = await inbox.list_received(call.session, access, where, limit=request.Limit, cursor=request.Cursor)
    files = await inbox.files_of(call.session, page.items)
    return t.ReceivedInvoicePage(
        Items=[_received_invoice(inbox.invoice_out(i, files[i.file_id])) for i in page.items],
        NextCursor=page.next_cursor,
    )


async def get_received_invoice(call: Call, request: t.GetReceivedInvoiceRequest) -> t.ReceivedInvoiceDetail:
    """REST's detail, with the files REST serves apart: the plain XML (…/xml) when the file is
    readable, SDI's metadata file, and on request the original (…/file)."""
    access = await _received(call, request.CompanyId, Level.READ)
    detail = await inbox.get_detail(call.session, access, uuid.UUID(request.InvoiceId))
    storage = call.storage()
    out = inbox.detail_out(storage, detail)
    file = detail.file
    metadata = storage.get(file.metadata_key) if file.metadata_key else b""
    return t.ReceivedInvoiceDetail(
        Invoice=_received_invoice(out),
        Xml=[inbox.plain_xml(storage, file)] if file.readable else None,
        OriginalFile=[inbox.original(storage, file)] if request.IncludeOriginal else None,
        Document=_json(out.document) if out.document is not None else None,
        SdiMetadata=_json(out.sdi_metadata),
        MetadataFileName=out.metadata_file_name,
        MetadataFile=[metadata] if metadata else None,
        Signature=_json(out.signature) if out.signature is not None else None,
        Warnings=[_error(w) for w in out.warnings],
        Repairs=out.repairs,
        Envelopes=out.envelopes,
        Problem=out.problem,
        PaymentTerms=[_payment_term(term) for term in out.payment_terms],
        OutcomeDeadline=out.outcome_deadline,
        ExpiredAt=out.expired_at,
        Outcomes=[_outcome(o) for o in out.outcomes],
    )


async def mark_received_invoice_read(call: Call, request: t.ReceivedInvoiceRef) -> t.ReceivedInvoiceResponse:
    return await _mark(call, request, inbox.mark_read)


async def mark_received_invoice_downloaded(
    call: Call, request: t.ReceivedInvoiceRef
) -> t.ReceivedInvoiceResponse:
    """The ERP's "acquired" flag (ListReceivedInvoices with Downloaded=false fetches only new ones)."""
    return await _mark(call, request, inbox.mark_downloaded)


async def _mark(
    call: Call, request: t.ReceivedInvoiceRef, mark: Callable[[ReceivedInvoice], None]
) -> t.ReceivedInvoiceResponse:
    access = await _received(call, request.CompanyId, Level.WRITE)
    detail = await inbox.get_detail(call.session, access, uuid.UUID(request.InvoiceId))
    mark(detail.invoice)
    return t.ReceivedInvoiceResponse(
        Invoice=_received_invoice(inbox.invoice_out(detail.invoice, detail.file))
    )


async def send_esito_committente(call: Call, request: t.SendEsitoCommittenteRequest) -> t.OutcomeResponse:
    if request.IdempotencyKey is None:
        outcome = await _request_outcome(call, request)
    else:
        digest = replay.request_hash(
            b"SendEsitoCommittente",
            request.CompanyId.lower().encode(),
            request.InvoiceId.lower().encode(),
            request.Esito.encode(),
            (request.Descrizione or "").encode(),
        )
        kept = await replay.once(call, request.IdempotencyKey, digest, lambda: _outcome_kept(call, request))
        outcome = inbox_schemas.OutcomeOut.model_validate_json(kept)
    return t.OutcomeResponse(Outcome=_outcome(outcome))


async def _request_outcome(call: Call, request: t.SendEsitoCommittenteRequest) -> inbox_schemas.OutcomeOut:
    access = await _received(call, request.CompanyId, Level.WRITE)
    outcome = await inbox_outcomes.request_outcome(
        call.session,
        call.principal,
        access,
        uuid.UUID(request.InvoiceId),
        esito=request.Esito,
        descrizione=request.Descrizione,
    )
    return inbox_schemas.OutcomeOut.model_validate(outcome)


async def _outcome_kept(call: Call, request: t.SendEsitoCommittenteRequest) -> bytes:
    return (await _request_outcome(call, request)).model_dump_json().encode()


async def _received(call: Call, company_id: str, level: Level) -> CompanyAccess:
    return await call.company(company_id, Area.RECEIVED_INVOICES, level)


# --- the events feed -----------------------------------------------------------------------------
async def list_events(call: Call, request: t.ListEventsRequest) -> t.EventFeed:
    page, resume = await events.list_events(
        call.session,
        call.principal,
        limit=request.Limit,
        cursor=request.Cursor,
        type_pattern=request.Type,
        company_id=uuid.UUID(request.CompanyId) if request.CompanyId else None,
    )
    return t.EventFeed(
        Items=[_event(event_schemas.EventOut.model_validate(e)) for e in page.items],
        NextCursor=resume,
        HasMore=page.next_cursor is not None,
    )


# --- reports: LIPE and Dati Fattura ------------------------------------------------------------
# REST: reports/endpoints.py; both call reports/service.py, in the reports area with REST's levels.
async def get_lipe_settlement(call: Call, request: t.GetLipeSettlementRequest) -> t.LipeSettlement:
    access = await _reports(call, request.CompanyId, Level.READ)
    out = await reports.settlement(call.session, access, request.Year, request.Period, call.storage())
    return _settlement(out)


async def get_lipe_figure_documents(
    call: Call, request: t.GetLipeFigureDocumentsRequest
) -> t.LipeFigureDocuments:
    access = await _reports(call, request.CompanyId, Level.READ)
    page = await reports.figure_documents(
        call.session,
        access,
        request.Year,
        request.Period,
        request.Code,
        call.storage(),
        limit=request.Limit,
        cursor=request.Cursor,
    )
    return t.LipeFigureDocuments(
        Code=page.code,
        Items=[
            t.LipeContribution(Entry=_vat_entry(c.entry), Amount=c.amount, Rule=c.rule) for c in page.items
        ],
        NextCursor=page.next_cursor,
    )


async def set_lipe_adjustments(call: Call, request: t.SetLipeAdjustmentsRequest) -> t.LipeSettlement:
    access = await _reports(call, request.CompanyId, Level.WRITE)
    body = _body(
        report_schemas.AdjustmentsIn,
        previous_debit=request.PreviousDebit,
        previous_period_credit=request.PreviousPeriodCredit,
        previous_year_credit=request.PreviousYearCredit,
        eu_car_payments=request.EuCarPayments,
        tax_credits=request.TaxCredits,
        advance=request.Advance,
        advance_method=request.AdvanceMethod,
        exceptional_events=request.ExceptionalEvents,
        subcontracting=bool(request.Subcontracting),
        extraordinary_operations=bool(request.ExtraordinaryOperations),
        reason=request.Reason,
    )
    out = await reports.adjust(
        call.session, call.principal, access, request.Year, request.Period, body, call.storage()
    )
    return _settlement(out)


async def get_lipe_xml(call: Call, request: t.GetLipeXmlRequest) -> t.LipeXml:
    """The IVP18 preview; a file the official schema refuses is Client.Invalid with its errors."""
    access = await _reports(call, request.CompanyId, Level.READ)
    content = await reports.quarter_xml(
        call.session, access, request.Year, request.Quarter, request.IntermediaryTaxCode, call.storage()
    )
    return t.LipeXml(Xml=[content])


async def send_lipe(call: Call, request: t.SendLipeRequest) -> t.ReportSubmissionResponse:
    if request.IdempotencyKey is None:
        out = await _send_lipe(call, request)
    else:
        digest = replay.request_hash(
            b"SendLipe",
            request.CompanyId.lower().encode(),
            str(request.Year).encode(),
            str(request.Quarter).encode(),
            (request.Substitutes or "").lower().encode(),
            (request.IntermediaryTaxCode or "").encode(),
        )
        kept = await replay.once(
            call, request.IdempotencyKey, digest, lambda: _kept(_send_lipe(call, request))
        )
        out = report_schemas.SubmissionOut.model_validate_json(kept)
    return t.ReportSubmissionResponse(Submission=_submission(out))


async def _send_lipe(call: Call, request: t.SendLipeRequest) -> report_schemas.SubmissionOut:
    access = await _reports(call, request.CompanyId, Level.WRITE)
    body = _body(
        report_schemas.SubmissionIn,
        quarter=request.Quarter,
        substitutes=request.Substitutes,
        intermediary_tax_code=request.IntermediaryTaxCode,
    )
    return await reports.submit_lipe(
        call.session,
        call.principal,
        access,
        request.Year,
        body,
        storage=call.storage(),
        secret_key=call.settings.signing_key(),
    )


async def send_dati_fatture(call: Call, request: t.SendDatiFattureRequest) -> t.ReportSubmissionsResponse:
    if request.IdempotencyKey is None:
        sent = await _send_dati_fatture(call, request)
    else:
        digest = replay.request_hash(
            b"SendDatiFatture",
            request.CompanyId.lower().encode(),
            str(request.Year).encode(),
            request.Period.encode(),
            request.Kind.encode(),
        )
        kept = await replay.once(
            call, request.IdempotencyKey, digest, lambda: _kept_list(_send_dati_fatture(call, request))
        )
        sent = _SUBMISSIONS.validate_json(kept)
    return t.ReportSubmissionsResponse(Submissions=[_submission(s) for s in sent])


async def _send_dati_fatture(
    call: Call, request: t.SendDatiFattureRequest
) -> list[report_schemas.SubmissionOut]:
    access = await _reports(call, request.CompanyId, Level.WRITE)
    return await reports.submit_dati_fattura(
        call.session,
        call.principal,
        access,
        request.Year,
        request.Period,
        request.Kind,
        storage=call.storage(),
        secret_key=call.settings.signing_key(),
    )


async def list_report_submissions(
    call: Call, request: t.ListReportSubmissionsRequest
) -> t.ReportSubmissionPage:
    access = await _reports(call, request.CompanyId, Level.READ)
    page = await reports.list_submissions(
        call.session,
        access,
        FileType(t.REPORT_KINDS[request.Kind]),
        year=request.Year,
        state=request.State,
        limit=request.Limit,
        cursor=request.Cursor,
        period=request.Period,
        document_kind=request.DocumentKind,
        id_file=request.IdFile,
    )
    return t.ReportSubmissionPage(Items=[_submission(s) for s in page.items], NextCursor=page.next_cursor)


async def get_report_submission(
    call: Call, request: t.GetReportSubmissionRequest
) -> t.ReportSubmissionDetail:
    """REST's submission, and on request the files REST serves apart (…/file and …/outcome)."""
    access = await _reports(call, request.CompanyId, Level.READ)
    kind = FileType(t.REPORT_KINDS[request.Kind]) if request.Kind else None
    row = await reports.submission(call.session, access, uuid.UUID(request.SubmissionId), kind)
    files = bool(request.IncludeFiles)
    return t.ReportSubmissionDetail(
        Submission=_submission(reports.submission_out(row)),
        File=[call.storage().get(row.file_key)] if files else None,
        OutcomeFile=[row.outcome] if files and row.outcome is not None else None,
    )


async def cancel_dati_fatture(call: Call, request: t.CancelDatiFattureRequest) -> t.ReportSubmissionsResponse:
    """The ANN submissions: one for the whole file, or one per Position."""
    access = await _reports(call, request.CompanyId, Level.WRITE)
    body = _body(report_schemas.CancellationIn, positions=request.Position or None, reason=request.Reason)
    made = await reports.cancel_dati_fattura(
        call.session,
        call.principal,
        access,
        uuid.UUID(request.SubmissionId),
        body,
        storage=call.storage(),
        secret_key=call.settings.signing_key(),
    )
    return t.ReportSubmissionsResponse(Submissions=[_submission(s) for s in made])


async def correct_dati_fatture(
    call: Call, request: t.CorrectDatiFattureRequest
) -> t.ReportSubmissionsResponse:
    """The Rettifica submissions, one per Position."""
    access = await _reports(call, request.CompanyId, Level.WRITE)
    body = _body(report_schemas.CorrectionIn, positions=list(request.Position or []), reason=request.Reason)
    made = await reports.correct_dati_fattura(
        call.session,
        call.principal,
        access,
        uuid.UUID(request.SubmissionId),
        body,
        storage=call.storage(),
        secret_key=call.settings.signing_key(),
    )
    return t.ReportSubmissionsResponse(Submissions=[_submission(s) for s in made])


async def get_dati_fatture_xml(call: Call, request: t.GetDatiFattureXmlRequest) -> t.DatiFattureXml:
    """A DTE or DTR file of a period; one the official schema refuses is Client.Invalid."""
    access = await _reports(call, request.CompanyId, Level.READ)
    content = await reports.dati_fattura_xml(
        call.session, access, request.Year, request.Period, request.Kind, request.Part, call.storage()
    )
    return t.DatiFattureXml(Xml=[content])


async def get_lipe_settings(call: Call, request: t.GetLipeSettingsRequest) -> t.LipeSettings:
    access = await _reports(call, request.CompanyId, Level.READ)
    return _settings(await reports.get_setting(call.session, access, request.Year))


async def set_lipe_settings(call: Call, request: t.SetLipeSettingsRequest) -> t.LipeSettings:
    access = await _reports(call, request.CompanyId, Level.WRITE)
    body = _body(
        report_schemas.LipeSettingIn,
        periodicity=request.Periodicity,
        quarterly_by_law=bool(request.QuarterlyByLaw),
        declarant_tax_code=request.DeclarantTaxCode,
        declarant_role=request.DeclarantRole,
    )
    return _settings(await reports.put_setting(call.session, call.principal, access, request.Year, body))


async def set_received_invoice_vat(call: Call, request: t.SetReceivedInvoiceVatRequest) -> t.VatEntries:
    """Only the fields given change (as REST's body without the others)."""
    access = await _reports(call, request.CompanyId, Level.WRITE)
    given = {
        "recorded_on": request.RecordedOn,
        "deductible_percent": request.DeductiblePercent,
        "settled_on": request.SettledOn,
    }
    body = _body(
        report_schemas.DocumentVatIn,
        **{name: value for name, value in given.items() if value is not None},
        reason=request.Reason,
    )
    entries = await reports.set_received_vat(
        call.session, call.principal, access, uuid.UUID(request.ReceivedInvoiceId), body, call.storage()
    )
    return _vat_entries(entries)


async def set_invoice_vat(call: Call, request: t.SetInvoiceVatRequest) -> t.VatEntries:
    access = await _reports(call, request.CompanyId, Level.WRITE)
    body = _body(report_schemas.CollectedIn, collected_on=request.CollectedOn, reason=request.Reason)
    entries = await reports.set_invoice_vat(
        call.session, call.principal, access, uuid.UUID(request.InvoiceId), body, call.storage()
    )
    return _vat_entries(entries)


async def set_supplier_deductibility(call: Call, request: t.SetSupplierDeductibilityRequest) -> t.VatEntries:
    access = await _reports(call, request.CompanyId, Level.WRITE)
    body = _body(report_schemas.SupplierDeductibilityIn, percent=request.Percent, reason=request.Reason)
    entries = await reports.set_supplier_deductibility(
        call.session, call.principal, access, request.Supplier, body, call.storage()
    )
    return _vat_entries(entries)


async def _reports(call: Call, company_id: str, level: Level) -> CompanyAccess:
    return await call.company(company_id, Area.REPORTS, level)


_SUBMISSIONS = TypeAdapter(list[report_schemas.SubmissionOut])


async def _kept(pending: Awaitable[report_schemas.SubmissionOut]) -> bytes:
    return (await pending).model_dump_json().encode()


async def _kept_list(pending: Awaitable[list[report_schemas.SubmissionOut]]) -> bytes:
    return _SUBMISSIONS.dump_json(await pending)


def _body(model: type[BodyT], **fields: Any) -> BodyT:
    """REST's request body from the SOAP fields: its rules hold (InvalidInput, as REST's 422)."""
    try:
        return model(**fields)
    except ValidationError as error:
        raise InvalidInput(
            "invalid request",
            errors=[
                {"path": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in error.errors()
            ],
        ) from None


_KINDS = {value: name for name, value in t.REPORT_KINDS.items()}
_ADJUSTMENTS = {
    "previous_debit": "PreviousDebit",
    "previous_period_credit": "PreviousPeriodCredit",
    "previous_year_credit": "PreviousYearCredit",
    "eu_car_payments": "EuCarPayments",
    "tax_credits": "TaxCredits",
    "advance": "Advance",
    "advance_method": "AdvanceMethod",
    "exceptional_events": "ExceptionalEvents",
    "subcontracting": "Subcontracting",
    "extraordinary_operations": "ExtraordinaryOperations",
}


def _settlement(out: report_schemas.SettlementOut) -> t.LipeSettlement:
    adjustments = {
        _ADJUSTMENTS[name]: DecimalValue(value) if name in AMOUNT_FIELDS else value
        for name, value in out.adjustments.items()
        if value is not None and name in _ADJUSTMENTS
    }
    return t.LipeSettlement(
        Year=out.year,
        Period=out.period,
        Periodicity=out.periodicity,
        Figures=[
            t.LipeFigure(
                Code=f.code,
                Column=f.column,
                Amount=f.amount,
                Rule=f.rule,
                Parts=[t.LipePart(Source=p.source, Amount=p.amount, Rule=p.rule) for p in f.parts],
            )
            for f in out.figures
        ],
        Excluded=[t.LipeExclusion(Figure=e.figure, Source=e.source, Reason=e.reason) for e in out.excluded],
        Issues=[t.LipeIssue(Code=i.code, Path=i.path, Message=i.message) for i in out.issues],
        Adjustments=t.LipeAdjustments(**adjustments),
    )


def _vat_entry(out: report_schemas.VatEntryOut) -> t.VatEntry:
    return t.VatEntry(
        SourceType=out.source_type,
        SourceId=str(out.source_id),
        Position=out.position,
        Line=out.line,
        Direction=out.direction,
        Numero=out.numero,
        Counterparty=out.counterparty,
        TipoDocumento=out.tipo_documento,
        Natura=out.natura,
        Aliquota=out.aliquota,
        Esigibilita=out.esigibilita,
        DocumentDate=out.document_date,
        RecordedOn=out.recorded_on,
        SettledOn=out.settled_on,
        Taxable=out.taxable,
        Vat=out.vat,
        DeductiblePercent=out.deductible_percent,
        DeductibleVat=out.deductible_vat,
    )


def _settings(out: report_schemas.LipeSettingOut) -> t.LipeSettings:
    return t.LipeSettings(
        Year=out.year,
        Periodicity=out.periodicity,
        QuarterlyByLaw=out.quarterly_by_law,
        DeclarantTaxCode=out.declarant_tax_code,
        DeclarantRole=out.declarant_role,
    )


def _vat_entries(entries: list[report_schemas.VatEntryOut]) -> t.VatEntries:
    return t.VatEntries(Entries=[_vat_entry(e) for e in entries])


def _optional_id(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None


def _submission(out: report_schemas.SubmissionOut) -> t.ReportSubmission:
    return t.ReportSubmission(
        Id=str(out.id),
        Kind=_KINDS[out.kind],
        Year=out.year,
        State=out.state,
        FileName=out.file_name,
        SubstitutesId=str(out.substitutes_id) if out.substitutes_id else None,
        IdFile=out.id_file,
        SentAt=out.sent_at,
        OutcomeFileName=out.outcome_file_name,
        Errors=[_error(e) for e in out.errors],
        CreatedAt=out.created_at,
        DocumentKind=out.document_kind,
        Period=out.period,
        CancelsId=_optional_id(out.cancels_id),
        CorrectsId=_optional_id(out.corrects_id),
        Position=out.position,
        CancelledById=_optional_id(out.cancelled_by_id),
    )


# --- REST models into SOAP ones ------------------------------------------------------------------
def _invoice(out: schemas.InvoiceOut) -> t.Invoice:
    return t.Invoice(
        Id=str(out.id),
        CompanyId=str(out.company_id),
        State=out.state.value,
        Format=out.format,
        TipoDocumento=out.tipo_documento,
        Numero=out.numero,
        Data=out.data,
        CustomerId=out.customer_id,
        CustomerName=out.customer_name,
        Total=out.total,
        FileName=out.file_name,
        IdentificativoSdi=out.identificativo_sdi,
        SdiReceivedAt=out.sdi_received_at,
        QueuedAt=out.queued_at,
        CreatedAt=out.created_at,
        Errors=[_error(e) for e in out.errors],
    )


def _notification(notification: Any) -> t.Notification:
    out = schemas.NotificationOut.model_validate(notification)
    return t.Notification(
        Id=str(out.id),
        Type=out.type,
        FileName=out.file_name,
        IdentificativoSdi=out.identificativo_sdi,
        Summary=_json(out.summary),
        Applied=out.applied,
        CreatedAt=out.created_at,
    )


def _event(out: event_schemas.EventOut) -> t.Event:
    return t.Event(
        Id=str(out.id),
        Type=out.type,
        Timestamp=out.timestamp,
        CompanyId=str(out.company_id) if out.company_id else None,
        SubjectType=out.subject_type,
        SubjectId=str(out.subject_id),
        Data=_json(out.data),
    )


def _received_invoice(out: inbox_schemas.ReceivedInvoiceOut) -> t.ReceivedInvoice:
    return t.ReceivedInvoice(
        Id=str(out.id),
        CompanyId=str(out.company_id),
        FileId=str(out.file_id),
        IdentificativoSdi=out.identificativo_sdi,
        Source=out.source,
        FileName=out.file_name,
        Position=out.position,
        State=out.state.value,
        Readable=out.readable,
        Format=out.format,
        TipoDocumento=out.tipo_documento,
        Numero=out.numero,
        Data=out.data,
        Divisa=out.divisa,
        Total=out.total,
        Supplier=t.Supplier(
            PartitaIva=out.supplier.partita_iva,
            CodiceFiscale=out.supplier.codice_fiscale,
            Name=out.supplier.name,
        ),
        SignatureStatus=out.signature_status,
        DuplicateOf=str(out.duplicate_of) if out.duplicate_of else None,
        SelfInvoiceOf=str(out.self_invoice_of) if out.self_invoice_of else None,
        ReceivedAt=out.received_at,
        ReadAt=out.read_at,
        DownloadedAt=out.downloaded_at,
    )


def _outcome(out: inbox_schemas.OutcomeOut) -> t.Outcome:
    return t.Outcome(
        Id=str(out.id),
        Esito=out.esito,
        Descrizione=out.descrizione,
        State=out.state,
        FileName=out.file_name,
        Answer=out.answer,
        ScartoFileName=out.scarto_file_name,
        Error=out.error,
        CreatedAt=out.created_at,
        SentAt=out.sent_at,
    )


def _payment_term(term: dict[str, Any]) -> t.PaymentTerm:
    """REST's instalment (inbox/reading.py's keys) as a typed PaymentTerm."""
    return t.PaymentTerm(
        Condizioni=term.get("condizioni"),
        Modalita=term.get("modalita"),
        DataRiferimento=_date(term.get("data_riferimento")),
        Giorni=term.get("giorni"),
        Scadenza=_date(term.get("scadenza")),
        Importo=DecimalValue(term["importo"]) if term.get("importo") is not None else None,
        Beneficiario=term.get("beneficiario"),
        IstitutoFinanziario=term.get("istituto_finanziario"),
        Iban=term.get("iban"),
        CodicePagamento=term.get("codice_pagamento"),
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _error(error: dict[str, Any]) -> t.Error:
    return t.Error(
        Code=error.get("code"), Path=error.get("path") or None, Message=str(error.get("message", ""))
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
