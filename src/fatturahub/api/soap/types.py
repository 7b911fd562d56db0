"""The SOAP contract's messages: Spyne models in one explicit namespace, named for the WSDL.

Fields mirror the REST bodies (invoices/schemas.py, inbox/schemas.py, webhooks/schemas.py) in the
PascalCase ERPs expect from SOAP. Every complex type sets its name and the namespace, so the WSDL does
not depend on Python class names or Spyne's defaults (`server.wsdl_document` also fixes the schema's order).
"""

from __future__ import annotations

from typing import Any

from spyne import Array, Boolean, ByteArray, ComplexModel, Date, DateTime, Decimal, Fault, Integer, Unicode

from fatturahub.fiscal.lipe import AdvanceMethod, ExceptionalEvents
from fatturahub.inbox.states import ReceivedState, SignatureStatus
from fatturahub.invoices.states import InvoiceState
from fatturahub.reports.lipe import DOCUMENT_FIGURES
from fatturahub.reports.submissions import SubmissionState
from fatturahub.webhooks.filters import TYPE_PATTERN

NAMESPACE = "urn:fatturahub:soap:v1"
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
MAX_LIMIT = 200
REPORT_KINDS = {"LIPE": "LI", "DATI_FATTURA": "DF"}  # the SOAP name of each reports FileType


def required(kind: Any) -> Any:
    return kind.customize(min_occurs=1, nillable=False)


def optional(kind: Any) -> Any:
    return kind.customize(min_occurs=0, nillable=False)


# Spyne names each restricted field's simple type after it ("ListInvoicesRequest_LimitType").
Uuid = Unicode.customize(pattern=UUID_PATTERN)
Cursor = Unicode.customize(max_len=200)
State = Unicode.customize(values=[state.value for state in InvoiceState])
# the same patterns as webhooks ("invoice.*"); XSD patterns are anchored already
EventTypePattern = Unicode.customize(max_len=100, pattern=TYPE_PATTERN.strip("^$"))
ReceivedStateValue = Unicode.customize(values=[state.value for state in ReceivedState])
SignatureStatusValue = Unicode.customize(values=[status.value for status in SignatureStatus])
TipoDocumento = Unicode.customize(pattern="TD[0-9]{2}")
Esito = Unicode.customize(values=["EC01", "EC02"])
Numero = Unicode.customize(max_len=20)
Limit = Integer.customize(ge=1, le=MAX_LIMIT)


class Model(ComplexModel):
    __namespace__ = NAMESPACE


# --- shared parts -----------------------------------------------------------------------------
class Error(Model):
    """One problem: SDI's code when it has one (00200, 00400, …), where, and what."""

    __type_name__ = "Error"
    Code = optional(Unicode)
    Path = optional(Unicode)
    Message = required(Unicode)


ErrorList = Array(Error, type_name="ErrorList")


class Invoice(Model):
    __type_name__ = "Invoice"
    Id = required(Uuid)
    CompanyId = required(Uuid)
    State = required(Unicode)
    Format = required(Unicode)
    TipoDocumento = required(Unicode)
    Numero = required(Unicode)
    Data = required(Date)
    CustomerId = required(Unicode)
    CustomerName = required(Unicode)
    Total = optional(Decimal)
    FileName = optional(Unicode)
    IdentificativoSdi = optional(Unicode)
    SdiReceivedAt = optional(DateTime)
    QueuedAt = optional(DateTime)
    CreatedAt = required(DateTime)
    Errors = ErrorList.customize(min_occurs=0, nillable=False)


class Notification(Model):
    __type_name__ = "Notification"
    Id = required(Uuid)
    Type = required(Unicode)  # RC, NS, MC, NE, DT or AT
    FileName = required(Unicode)
    IdentificativoSdi = required(Unicode)
    Summary = required(Unicode)  # what it says, as JSON (errors, outcome, dates)
    Applied = required(Boolean)
    CreatedAt = required(DateTime)


NotificationList = Array(Notification, type_name="NotificationList")


class Event(Model):
    __type_name__ = "Event"
    Id = required(Uuid)
    Type = required(Unicode)
    Timestamp = required(DateTime)
    CompanyId = optional(Uuid)
    SubjectType = required(Unicode)
    SubjectId = required(Uuid)
    Data = required(Unicode)  # the event's data, as JSON


# --- requests and responses -------------------------------------------------------------------
class SendInvoiceRequest(Model):
    __type_name__ = "SendInvoiceRequest"
    CompanyId = required(Uuid)
    File = required(ByteArray)  # FatturaPA XML or .p7m (base64 in the envelope)
    Send = Boolean.customize(min_occurs=0, nillable=False, default=True)  # false keeps a draft
    IdempotencyKey = optional(Unicode.customize(min_len=1, max_len=200))


class InvoiceResponse(Model):
    __type_name__ = "InvoiceResponse"
    Invoice = required(Invoice)


class ValidateInvoiceRequest(Model):
    __type_name__ = "ValidateInvoiceRequest"
    File = required(ByteArray)


class ValidationReport(Model):
    __type_name__ = "ValidationReport"
    Valid = required(Boolean)
    Errors = ErrorList.customize(min_occurs=1, nillable=False)


class GetInvoiceRequest(Model):
    """One of: InvoiceId; FileName; Numero with Data."""

    __type_name__ = "GetInvoiceRequest"
    CompanyId = required(Uuid)
    InvoiceId = optional(Uuid)
    FileName = optional(Unicode.customize(max_len=60))
    Numero = optional(Numero)
    Data = optional(Date)


class InvoiceDetail(Model):
    __type_name__ = "InvoiceDetail"
    Invoice = required(Invoice)
    Notifications = NotificationList.customize(min_occurs=1, nillable=False)


class ListInvoicesRequest(Model):
    __type_name__ = "ListInvoicesRequest"
    CompanyId = required(Uuid)
    State = optional(State)
    DateFrom = optional(Date)
    DateTo = optional(Date)
    Numero = optional(Numero)
    Customer = optional(Unicode.customize(max_len=80))  # customer id or part of the name
    IdentificativoSdi = optional(Unicode.customize(max_len=36))
    Limit = Limit.customize(min_occurs=0, nillable=False, default=50)
    Cursor = optional(Cursor)


class InvoicePage(Model):
    __type_name__ = "InvoicePage"
    Items = Array(Invoice, type_name="InvoiceList").customize(min_occurs=1, nillable=False)
    NextCursor = optional(Unicode)


class InvoiceRef(Model):
    __type_name__ = "InvoiceRef"
    CompanyId = required(Uuid)
    InvoiceId = required(Uuid)


class NotificationsResponse(Model):
    __type_name__ = "NotificationsResponse"
    Notifications = NotificationList.customize(min_occurs=1, nillable=False)


class NotificationRef(Model):
    __type_name__ = "NotificationRef"
    CompanyId = required(Uuid)
    InvoiceId = required(Uuid)
    NotificationId = required(Uuid)


class FileResponse(Model):
    __type_name__ = "FileResponse"
    FileName = required(Unicode)
    Content = required(ByteArray)  # exactly as SDI sent it


class ListEventsRequest(Model):
    __type_name__ = "ListEventsRequest"
    Type = optional(EventTypePattern)
    CompanyId = optional(Uuid)
    Limit = Limit.customize(min_occurs=0, nillable=False, default=50)
    Cursor = optional(Cursor)


class EventFeed(Model):
    __type_name__ = "EventFeed"
    Items = Array(Event, type_name="EventList").customize(min_occurs=1, nillable=False)
    NextCursor = optional(Unicode)  # resume here (set after every non-empty page)
    HasMore = required(Boolean)


# --- the passive cycle: received invoices (inbox/schemas.py) -------------------------------------
class Supplier(Model):
    __type_name__ = "Supplier"
    PartitaIva = optional(Unicode)  # with its country code, e.g. IT01234567890
    CodiceFiscale = optional(Unicode)
    Name = optional(Unicode)


class ReceivedInvoice(Model):
    """One invoice body of a file SDI delivered (a lotto has several, by Position)."""

    __type_name__ = "ReceivedInvoice"
    Id = required(Uuid)
    CompanyId = required(Uuid)
    FileId = required(Uuid)
    IdentificativoSdi = optional(Unicode)  # none for imported history
    Source = required(Unicode)  # sdi: delivered by SDI; import: imported history
    FileName = required(Unicode)
    Position = required(Integer)
    State = required(Unicode)  # new, read, accepted, refused, expired
    Readable = required(Boolean)  # false: no readable invoice in the file; get the original
    Format = optional(Unicode)
    TipoDocumento = optional(Unicode)
    Numero = optional(Unicode)
    Data = optional(Date)
    Divisa = optional(Unicode)
    Total = optional(Decimal)
    Supplier = required(Supplier)
    SignatureStatus = required(Unicode)  # valid, invalid, unsigned or unverifiable
    DuplicateOf = optional(Uuid)
    SelfInvoiceOf = optional(Uuid)
    ReceivedAt = required(DateTime)  # starts a PA's 15 days
    ReadAt = optional(DateTime)
    DownloadedAt = optional(DateTime)


ReceivedInvoiceList = Array(ReceivedInvoice, type_name="ReceivedInvoiceList")


class Outcome(Model):
    """A NotificaEsitoCommittente we sent (or are sending) about a received invoice."""

    __type_name__ = "Outcome"
    Id = required(Uuid)
    Esito = required(Unicode)  # EC01 accept, EC02 refuse
    Descrizione = optional(Unicode)
    State = required(Unicode)  # queued, sent, rejected or failed
    FileName = required(Unicode)
    Answer = optional(Unicode)  # SDI's: ES00, ES01
    ScartoFileName = optional(Unicode)
    Error = optional(Unicode)
    CreatedAt = required(DateTime)
    SentAt = optional(DateTime)


OutcomeList = Array(Outcome, type_name="OutcomeList")


class PaymentTerm(Model):
    """One DettaglioPagamento (an instalment), in file order."""

    __type_name__ = "PaymentTerm"
    Condizioni = optional(Unicode)
    Modalita = optional(Unicode)
    DataRiferimento = optional(Date)
    Giorni = optional(Integer)
    Scadenza = optional(Date)
    Importo = optional(Decimal)
    Beneficiario = optional(Unicode)
    IstitutoFinanziario = optional(Unicode)
    Iban = optional(Unicode)
    CodicePagamento = optional(Unicode)


Texts = Array(Unicode, type_name="TextList")


class ListReceivedInvoicesRequest(Model):
    __type_name__ = "ListReceivedInvoicesRequest"
    CompanyId = required(Uuid)
    Supplier = optional(Unicode.customize(max_len=80))  # P.IVA, codice fiscale or part of the name
    DateFrom = optional(Date)
    DateTo = optional(Date)
    Numero = optional(Numero)
    AmountMin = optional(Decimal)
    AmountMax = optional(Decimal)
    TipoDocumento = optional(TipoDocumento)
    State = optional(ReceivedStateValue)
    SignatureStatus = optional(SignatureStatusValue)
    Downloaded = optional(Boolean)  # false: only those the ERP has not acquired yet
    Readable = optional(Boolean)
    Limit = Limit.customize(min_occurs=0, nillable=False, default=50)
    Cursor = optional(Cursor)


class ReceivedInvoicePage(Model):
    __type_name__ = "ReceivedInvoicePage"
    Items = ReceivedInvoiceList.customize(min_occurs=1, nillable=False)
    NextCursor = optional(Unicode)


class GetReceivedInvoiceRequest(Model):
    __type_name__ = "GetReceivedInvoiceRequest"
    CompanyId = required(Uuid)
    InvoiceId = required(Uuid)
    IncludeOriginal = Boolean.customize(min_occurs=0, nillable=False, default=False)  # the file as delivered


class ReceivedInvoiceDetail(Model):
    __type_name__ = "ReceivedInvoiceDetail"
    Invoice = required(ReceivedInvoice)
    Xml = optional(ByteArray)  # the whole file's plain XML, out of its envelopes (when readable)
    OriginalFile = optional(ByteArray)  # exactly as SDI delivered it (.xml or .p7m), on request
    Document = optional(Unicode)  # FatturaPA JSON of the header and this body, as REST's `document`
    SdiMetadata = required(Unicode)  # what SDI's metadata file says, as JSON
    MetadataFileName = required(Unicode)
    MetadataFile = optional(ByteArray)  # SDI's metadata file, verbatim
    Signature = optional(Unicode)  # the signature verification report, as JSON
    Warnings = ErrorList.customize(min_occurs=1, nillable=False)  # deviations from the schema
    Repairs = Texts.customize(min_occurs=1, nillable=False)
    Envelopes = Texts.customize(min_occurs=1, nillable=False)
    Problem = optional(Unicode)
    PaymentTerms = Array(PaymentTerm, type_name="PaymentTermList").customize(min_occurs=1, nillable=False)
    OutcomeDeadline = optional(DateTime)  # PA invoices: the last moment for an outcome
    ExpiredAt = optional(DateTime)
    Outcomes = OutcomeList.customize(min_occurs=1, nillable=False)


class ReceivedInvoiceRef(Model):
    __type_name__ = "ReceivedInvoiceRef"
    CompanyId = required(Uuid)
    InvoiceId = required(Uuid)


class ReceivedInvoiceResponse(Model):
    __type_name__ = "ReceivedInvoiceResponse"
    Invoice = required(ReceivedInvoice)


class SendEsitoCommittenteRequest(Model):
    __type_name__ = "SendEsitoCommittenteRequest"
    CompanyId = required(Uuid)
    InvoiceId = required(Uuid)
    Esito = required(Esito)  # EC01 accept, EC02 refuse
    Descrizione = optional(Unicode.customize(max_len=255))  # the reason; required for EC02
    IdempotencyKey = optional(Unicode.customize(min_len=1, max_len=200))


class OutcomeResponse(Model):
    __type_name__ = "OutcomeResponse"
    Outcome = required(Outcome)


# --- reports: LIPE and Dati Fattura (REST: reports/endpoints.py, bodies in reports/schemas.py) ----
Year = Integer.customize(ge=2017, le=2100)
Quarter = Integer.customize(ge=1, le=4)
LipePeriod = Unicode.customize(pattern="Q[1-4]|0[1-9]|1[0-2]")  # a quarter, or a month
FigureCode = Unicode.customize(values=list(DOCUMENT_FIGURES))
ReportKind = Unicode.customize(values=list(REPORT_KINDS))  # LIPE (IVP18) or DATI_FATTURA (DTE/DTR)
SubmissionStateValue = Unicode.customize(values=[state.value for state in SubmissionState])
DatiFatturaKind = Unicode.customize(values=["DTE", "DTR"])  # as REST's submission body
DatiFatturaPeriod = Unicode.customize(pattern="H[12]|Q[1-4]")
DatiFatturaFileKind = Unicode.customize(values=["DTE", "DTR", "ANN"])  # DTE/DTR and their cancellations
IdFile = Unicode.customize(max_len=40)
TaxCode = Unicode.customize(pattern="[A-Z0-9]{11,16}")
Percent = Decimal.customize(ge=0, le=100, total_digits=5, fraction_digits=2)
Periodicity = Unicode.customize(values=["monthly", "quarterly"])
DeclarantRole = Unicode.customize(pattern="[1-9]|1[1-5]")  # CodiceCaricaDichiarante
DocumentPosition = Integer.customize(ge=1, le=1000)  # Posizione of a document in a Dati Fattura file
SupplierVat = Unicode.customize(min_len=3, max_len=30)  # country + VAT number: IT01234567890
ReportLimit = Integer.customize(ge=1, le=500)  # REST's limit on these lists
Amount = Decimal.customize(ge=0, total_digits=15, fraction_digits=2)
Reason = Unicode.customize(min_len=1, max_len=500)  # why: kept in the audit log
IdempotencyKey = Unicode.customize(min_len=1, max_len=200)


class LipePart(Model):
    """One part of a figure: ledger lines summed by type and month, or another figure."""

    __type_name__ = "LipePart"
    Source = required(Unicode)
    Amount = required(Decimal)
    Rule = required(Unicode)


class LipeFigure(Model):
    __type_name__ = "LipeFigure"
    Code = required(Unicode)  # VP2 … VP14
    Column = optional(Unicode.customize(values=["debit", "credit"]))  # VP6 and VP14
    Amount = required(Decimal)
    Rule = required(Unicode)
    Parts = Array(LipePart, type_name="LipePartList").customize(min_occurs=1, nillable=False)


class LipeExclusion(Model):
    """A ledger line left out of a figure, and why."""

    __type_name__ = "LipeExclusion"
    Figure = required(Unicode)
    Source = required(Unicode)
    Reason = required(Unicode)


class LipeIssue(Model):
    __type_name__ = "LipeIssue"
    Code = required(Unicode)
    Path = required(Unicode)
    Message = required(Unicode)


class LipeAdjustments(Model):
    """What the documents do not say about a period (REST's `adjustments`)."""

    __type_name__ = "LipeAdjustments"
    PreviousDebit = optional(Decimal)  # VP7
    PreviousPeriodCredit = optional(Decimal)  # VP8
    PreviousYearCredit = optional(Decimal)  # VP9
    EuCarPayments = optional(Decimal)  # VP10
    TaxCredits = optional(Decimal)  # VP11
    Advance = optional(Decimal)  # VP13
    AdvanceMethod = optional(Unicode)
    ExceptionalEvents = optional(Unicode)
    Subcontracting = optional(Boolean)
    ExtraordinaryOperations = optional(Boolean)


class LipeSettlement(Model):
    __type_name__ = "LipeSettlement"
    Year = required(Integer)
    Period = required(Unicode)  # Q1..Q4 or 01..12
    Periodicity = required(Unicode)  # monthly or quarterly
    Figures = Array(LipeFigure, type_name="LipeFigureList").customize(min_occurs=1, nillable=False)
    Excluded = Array(LipeExclusion, type_name="LipeExclusionList").customize(min_occurs=1, nillable=False)
    Issues = Array(LipeIssue, type_name="LipeIssueList").customize(min_occurs=1, nillable=False)
    Adjustments = required(LipeAdjustments)


class GetLipeSettlementRequest(Model):
    __type_name__ = "GetLipeSettlementRequest"
    CompanyId = required(Uuid)
    Year = required(Year)
    Period = required(LipePeriod)


class VatEntry(Model):
    """One line of the VAT ledger derived from an invoice (REST's VatEntryOut)."""

    __type_name__ = "VatEntry"
    SourceType = required(Unicode)
    SourceId = required(Uuid)
    Position = required(Integer)
    Line = required(Integer)
    Direction = required(Unicode)
    Numero = required(Unicode)
    Counterparty = required(Unicode)
    TipoDocumento = required(Unicode)
    Natura = optional(Unicode)
    Aliquota = required(Decimal)
    Esigibilita = required(Unicode)
    DocumentDate = required(Date)
    RecordedOn = optional(Date)
    SettledOn = optional(Date)
    Taxable = required(Decimal)
    Vat = required(Decimal)
    DeductiblePercent = required(Decimal)
    DeductibleVat = required(Decimal)


class LipeContribution(Model):
    __type_name__ = "LipeContribution"
    Entry = required(VatEntry)
    Amount = required(Decimal)
    Rule = required(Unicode)


class GetLipeFigureDocumentsRequest(Model):
    __type_name__ = "GetLipeFigureDocumentsRequest"
    CompanyId = required(Uuid)
    Year = required(Year)
    Period = required(LipePeriod)
    Code = required(FigureCode)
    Limit = ReportLimit.customize(min_occurs=0, nillable=False, default=100)
    Cursor = optional(Cursor)


class LipeFigureDocuments(Model):
    __type_name__ = "LipeFigureDocuments"
    Code = required(Unicode)
    Items = Array(LipeContribution, type_name="LipeContributionList").customize(min_occurs=1, nillable=False)
    NextCursor = optional(Unicode)


class SetLipeAdjustmentsRequest(Model):
    """Replaces the period's adjustments (as REST's PUT); the figures recompute."""

    __type_name__ = "SetLipeAdjustmentsRequest"
    CompanyId = required(Uuid)
    Year = required(Year)
    Period = required(LipePeriod)
    PreviousDebit = optional(Amount)  # VP7, first period of the year only
    PreviousPeriodCredit = optional(Amount)  # VP8, first period only (later: carried)
    PreviousYearCredit = optional(Amount)  # VP9
    EuCarPayments = optional(Amount)  # VP10
    TaxCredits = optional(Amount)  # VP11
    Advance = optional(Amount)  # VP13, December or Q4
    AdvanceMethod = optional(Unicode.customize(values=[m.value for m in AdvanceMethod]))
    ExceptionalEvents = optional(Unicode.customize(values=[e.value for e in ExceptionalEvents]))
    Subcontracting = Boolean.customize(min_occurs=0, nillable=False, default=False)
    ExtraordinaryOperations = Boolean.customize(min_occurs=0, nillable=False, default=False)
    Reason = required(Reason)


class GetLipeXmlRequest(Model):
    __type_name__ = "GetLipeXmlRequest"
    CompanyId = required(Uuid)
    Year = required(Year)
    Quarter = required(Quarter)
    IntermediaryTaxCode = optional(TaxCode)  # required when a delegate account asks


class LipeXml(Model):
    __type_name__ = "LipeXml"
    Xml = required(ByteArray)  # the IVP18 file, checked against the official schema


class SendLipeRequest(Model):
    __type_name__ = "SendLipeRequest"
    CompanyId = required(Uuid)
    Year = required(Year)
    Quarter = required(Quarter)
    Substitutes = optional(Uuid)  # a corrective communication replacing this accepted submission
    IntermediaryTaxCode = optional(TaxCode)
    IdempotencyKey = optional(IdempotencyKey)


class ReportSubmission(Model):
    __type_name__ = "ReportSubmission"
    Id = required(Uuid)
    Kind = required(ReportKind)
    Year = required(Integer)
    State = required(Unicode)  # queued, sent, processing, accepted, accepted_with_warnings, rejected, failed
    FileName = required(Unicode)
    SubstitutesId = optional(Uuid)
    IdFile = optional(Unicode)
    SentAt = optional(DateTime)
    OutcomeFileName = optional(Unicode)
    Errors = ErrorList.customize(min_occurs=1, nillable=False)  # SDI's, when rejected
    CreatedAt = required(DateTime)
    DocumentKind = optional(Unicode)  # Dati Fattura: DTE, DTR or ANN
    Period = optional(Unicode)  # Dati Fattura: H1, H2, Q1..Q4
    CancelsId = optional(Uuid)  # an ANN: the submission it cancels
    CorrectsId = optional(Uuid)  # a Rettifica: the submission it corrects
    Position = optional(Integer)  # Posizione cancelled or corrected; none: the whole file
    CancelledById = optional(Uuid)  # the accepted ANN of this whole file


class ReportSubmissionResponse(Model):
    __type_name__ = "ReportSubmissionResponse"
    Submission = required(ReportSubmission)


ReportSubmissionList = Array(ReportSubmission, type_name="ReportSubmissionList")


class ListReportSubmissionsRequest(Model):
    __type_name__ = "ListReportSubmissionsRequest"
    CompanyId = required(Uuid)
    Kind = required(ReportKind)
    Year = optional(Year)
    State = optional(SubmissionStateValue)
    Limit = ReportLimit.customize(min_occurs=0, nillable=False, default=50)
    Cursor = optional(Cursor)
    Period = optional(DatiFatturaPeriod)  # Dati Fattura (REST's filters on /dati-fatture/submissions)
    DocumentKind = optional(DatiFatturaFileKind)  # what the file holds: DTE, DTR or ANN
    IdFile = optional(IdFile)  # the IdFile SDI gave the file


class ReportSubmissionPage(Model):
    __type_name__ = "ReportSubmissionPage"
    Items = ReportSubmissionList.customize(min_occurs=1, nillable=False)
    NextCursor = optional(Unicode)


class GetReportSubmissionRequest(Model):
    __type_name__ = "GetReportSubmissionRequest"
    CompanyId = required(Uuid)
    SubmissionId = required(Uuid)
    Kind = optional(ReportKind)  # when given, a submission of another kind is NotFound (as REST's paths)
    IncludeFiles = Boolean.customize(min_occurs=0, nillable=False, default=False)


class ReportSubmissionDetail(Model):
    __type_name__ = "ReportSubmissionDetail"
    Submission = required(ReportSubmission)
    File = optional(ByteArray)  # as stored and sent (signed when the company has a certificate)
    OutcomeFile = optional(ByteArray)  # SDI's outcome file, once it answered


class SendDatiFattureRequest(Model):
    __type_name__ = "SendDatiFattureRequest"
    CompanyId = required(Uuid)
    Year = required(Year)
    Period = required(DatiFatturaPeriod)  # H1, H2 (until 2017) or Q1..Q4; until June 2022
    Kind = required(DatiFatturaKind)  # DTE: invoices issued; DTR: invoices received
    IdempotencyKey = optional(IdempotencyKey)


class ReportSubmissionsResponse(Model):
    """One submission per file (split every 1,000 documents)."""

    __type_name__ = "ReportSubmissionsResponse"
    Submissions = ReportSubmissionList.customize(min_occurs=1, nillable=False)


class CancelDatiFattureRequest(Model):
    """ANN of a DTE/DTR submission SDI accepted: the whole file, or one ANN per `Position`."""

    __type_name__ = "CancelDatiFattureRequest"
    CompanyId = required(Uuid)
    SubmissionId = required(Uuid)
    Position = DocumentPosition.customize(min_occurs=0, max_occurs=1000, nillable=False)
    Reason = optional(Reason)


class CorrectDatiFattureRequest(Model):
    """A Rettifica per `Position` of a DTE/DTR submission SDI accepted, from the ledger's data."""

    __type_name__ = "CorrectDatiFattureRequest"
    CompanyId = required(Uuid)
    SubmissionId = required(Uuid)
    Position = DocumentPosition.customize(min_occurs=1, max_occurs=1000, nillable=False)
    Reason = optional(Reason)


class GetDatiFattureXmlRequest(Model):
    __type_name__ = "GetDatiFattureXmlRequest"
    CompanyId = required(Uuid)
    Year = required(Year)
    Period = required(DatiFatturaPeriod)
    Kind = required(DatiFatturaKind)
    Part = Integer.customize(ge=1, min_occurs=0, nillable=False, default=1)  # split every 1,000 documents


class DatiFattureXml(Model):
    __type_name__ = "DatiFattureXml"
    Xml = required(ByteArray)  # the DTE or DTR file, checked against DatiFatturav2.1


class GetLipeSettingsRequest(Model):
    __type_name__ = "GetLipeSettingsRequest"
    CompanyId = required(Uuid)
    Year = required(Year)


class SetLipeSettingsRequest(Model):
    """A year's LIPE setting (as REST's PUT …/lipe/settings/{year})."""

    __type_name__ = "SetLipeSettingsRequest"
    CompanyId = required(Uuid)
    Year = required(Year)
    Periodicity = required(Periodicity)
    QuarterlyByLaw = Boolean.customize(min_occurs=0, nillable=False, default=False)  # art. 74 c. 4
    DeclarantTaxCode = optional(TaxCode)  # CFDichiarante
    DeclarantRole = optional(DeclarantRole)  # CodiceCaricaDichiarante


class LipeSettings(Model):
    __type_name__ = "LipeSettings"
    Year = required(Integer)
    Periodicity = required(Unicode)
    QuarterlyByLaw = required(Boolean)
    DeclarantTaxCode = optional(Unicode)
    DeclarantRole = optional(Unicode)


class SetReceivedInvoiceVatRequest(Model):
    """Recording date, deductible percentage, payment date (deferred VAT) of a received invoice:
    the fields given change, the others stay."""

    __type_name__ = "SetReceivedInvoiceVatRequest"
    CompanyId = required(Uuid)
    ReceivedInvoiceId = required(Uuid)
    RecordedOn = optional(Date)
    DeductiblePercent = optional(Percent)
    SettledOn = optional(Date)
    Reason = required(Reason)


class SetInvoiceVatRequest(Model):
    """The day a deferred-VAT invoice was collected (absent: not collected yet)."""

    __type_name__ = "SetInvoiceVatRequest"
    CompanyId = required(Uuid)
    InvoiceId = required(Uuid)
    CollectedOn = optional(Date)
    Reason = required(Reason)


class SetSupplierDeductibilityRequest(Model):
    """The deductible percentage of every invoice of a supplier, those already received included."""

    __type_name__ = "SetSupplierDeductibilityRequest"
    CompanyId = required(Uuid)
    Supplier = required(SupplierVat)
    Percent = required(Percent)
    Reason = required(Reason)


class VatEntries(Model):
    """The ledger lines a change touched, as they are now (REST's list of VatEntryOut)."""

    __type_name__ = "VatEntries"
    Entries = Array(VatEntry, type_name="VatEntryList").customize(min_occurs=1, nillable=False)


# --- faults -----------------------------------------------------------------------------------
class ServiceFault(Fault):
    """Declares the fault's <detail> for the WSDL; faults.py writes it (Spyne would put a Fault
    subclass's fields beside faultcode, outside <detail>, which SOAP 1.1 does not allow)."""

    __namespace__ = NAMESPACE
    __type_name__ = "ServiceFault"
    Type = required(Unicode)  # the REST problem type: invalid-input, not-found, …
    Errors = ErrorList.customize(min_occurs=1, nillable=False)
