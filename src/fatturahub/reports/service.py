"""The reports operations REST and SOAP share: compute and explain a period, adjust it, build the
IVP18 file, submit it, and search submissions. Moved out of reports/endpoints.py unchanged so that
the SOAP façade calls the same code; the endpoints only read HTTP and call these."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.audit.service import record
from fatturahub.db.pagination import paginate
from fatturahub.errors import InvalidInput, NotFound
from fatturahub.fiscal.datifatture import DatiFatturaFile
from fatturahub.fiscal.lipe import Settlement
from fatturahub.fiscal.naming import FileType
from fatturahub.fiscal.periods import Periodicity
from fatturahub.reports import (
    adjusting,
    communication,
    corrections,
    datifatture,
    ledger,
    lipe,
    repository,
    schemas,
    submissions,
)
from fatturahub.reports.models import DataSubmission, VatEntry
from fatturahub.reports.pages import decode_position, encode_position
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.models import Company
from fatturahub.tenancy.principal import CompanyAccess, Principal


async def company_of(session: AsyncSession, access: CompanyAccess) -> Company:
    return await session.get_one(Company, access.company_id)


# ---- figures and their documents --------------------------------------------------------------


async def settlement(
    session: AsyncSession, access: CompanyAccess, year: int, period: str, storage: LocalStorage
) -> schemas.SettlementOut:
    computed = await lipe.compute(session, access.company_id, lipe.parse_period(year, period), storage)
    return settlement_out(computed.settlement)


async def figure_documents(
    session: AsyncSession,
    access: CompanyAccess,
    year: int,
    period: str,
    code: str,
    storage: LocalStorage,
    *,
    limit: int,
    cursor: str | None,
) -> schemas.ContributionPage:
    the_period = lipe.parse_period(year, period)
    await ledger.refresh(session, access.company_id, storage)
    found, after = await lipe.figure_documents(
        session,
        access.company_id,
        the_period,
        code.upper(),
        after=decode_position(cursor) if cursor else None,
        limit=limit,
    )
    items = [
        schemas.ContributionOut(entry=entry_out(c.entry), amount=c.effect.amount, rule=c.effect.rule)
        for c in found
    ]
    return schemas.ContributionPage(
        code=code.upper(), items=items, next_cursor=after and encode_position(*after)
    )


def entry_out(entry: VatEntry) -> schemas.VatEntryOut:
    return schemas.VatEntryOut.model_validate(entry, from_attributes=True)


def settlement_out(s: Settlement) -> schemas.SettlementOut:
    columns = {
        id(s.vp6_debit): "debit",
        id(s.vp6_credit): "credit",
        id(s.vp14_debit): "debit",
        id(s.vp14_credit): "credit",
    }
    a = s.adjustments
    return schemas.SettlementOut(
        year=s.period.year,
        period=lipe.period_label(s.period),
        periodicity=s.period.periodicity.value,
        figures=[
            schemas.FigureOut(
                code=f.code,
                column=columns.get(id(f)),
                amount=f.amount,
                rule=f.rule,
                parts=[schemas.PartOut(source=p.source, amount=p.amount, rule=p.rule) for p in f.parts],
            )
            for f in s.figures()
        ],
        excluded=[
            schemas.ExclusionOut(figure=e.figure, source=e.line.source, reason=e.reason) for e in s.excluded
        ],
        issues=[schemas.IssueOut(code=i.code, path=i.path, message=i.message) for i in s.issues],
        adjustments={name: str(getattr(a, name)) for name in lipe.AMOUNT_FIELDS}
        | {
            "advance_method": a.advance_method and a.advance_method.value,
            "exceptional_events": a.exceptional_events and a.exceptional_events.value,
            "subcontracting": a.subcontracting,
            "extraordinary_operations": a.extraordinary_operations,
        },
    )


async def adjust(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    year: int,
    period: str,
    body: schemas.AdjustmentsIn,
    storage: LocalStorage,
) -> schemas.SettlementOut:
    """Replace what the documents do not say about the period; the figures recompute."""
    the_period = lipe.parse_period(year, period)
    amounts = body.model_dump(mode="json", exclude={"reason"}, exclude_none=True)
    await lipe.save_adjustments(session, access.company_id, the_period, amounts, body.reason)
    record(
        session,
        principal,
        action="lipe.adjusted",
        target=await company_of(session, access),
        access=access,
        details={"year": year, "period": period, "adjustments": amounts, "reason": body.reason},
    )
    computed = await lipe.compute(session, access.company_id, the_period, storage)
    return settlement_out(computed.settlement)


# ---- the IVP18 file and its submission ----------------------------------------------------------


async def quarter_xml(
    session: AsyncSession,
    access: CompanyAccess,
    year: int,
    quarter: int,
    intermediary: str | None,
    storage: LocalStorage,
) -> bytes:
    """The IVP18 communication of a quarter, checked against the official schema (InvalidInput with
    the schema's errors when it does not validate)."""
    setting = await repository.setting(session, access.company_id, year)
    monthly = setting is not None and setting.periodicity == Periodicity.MONTHLY
    periods = communication.quarter_periods(year, quarter, monthly)
    computed = await lipe.compute(session, access.company_id, periods[-1], storage)
    settlements = [s for s in computed.settlements if s.period in periods]
    lipe_file = communication.communication(
        await company_of(session, access),
        setting,
        settlements,
        delegated=access.delegation_id is not None,
        intermediary_tax_code=intermediary,
        today=date.today(),
    )
    return communication.checked_xml(lipe_file)


async def submit_lipe(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    year: int,
    body: schemas.SubmissionIn,
    *,
    storage: LocalStorage,
    secret_key: str,
) -> schemas.SubmissionOut:
    content = await quarter_xml(session, access, year, body.quarter, body.intermediary_tax_code, storage)
    company = await company_of(session, access)
    submission = await submissions.submit(
        session,
        company,
        secret_key=secret_key,
        kind=FileType.LIPE,
        year=year,
        content=content,
        storage=storage,
        substitutes=body.substitutes,
    )
    await session.flush()
    record(
        session,
        principal,
        action="lipe.submitted",
        target=submission,
        access=access,
        details={"year": year, "quarter": body.quarter, "file_name": submission.file_name},
    )
    return submission_out(submission)


# ---- Dati Fattura -------------------------------------------------------------------------------


async def dati_fattura_files(
    session: AsyncSession, access: CompanyAccess, year: int, period: str, kind: str, storage: LocalStorage
) -> list[DatiFatturaFile]:
    first, last = datifatture.period_days(year, period)
    await ledger.refresh(session, access.company_id, storage)
    return await datifatture.files(session, await company_of(session, access), kind, first, last)


async def submit_dati_fattura(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    year: int,
    period: str,
    kind: str,
    *,
    storage: LocalStorage,
    secret_key: str,
) -> list[schemas.SubmissionOut]:
    """One submission per file of the period's data (split every 1,000 documents)."""
    built = await dati_fattura_files(session, access, year, period, kind, storage)
    contents = [datifatture.checked(file) for file in built]
    company = await company_of(session, access)
    sent = [
        await submissions.submit(
            session,
            company,
            secret_key=secret_key,
            kind=FileType.DATI_FATTURA,
            year=year,
            content=content,
            storage=storage,
            substitutes=None,
        )
        for content in contents
    ]
    for submission in sent:  # what reports.corrections and the search need
        submission.document_kind, submission.period = kind, period
    await session.flush()
    for submission in sent:
        record(
            session,
            principal,
            action="dati_fattura.submitted",
            target=submission,
            access=access,
            details={"year": year, "period": period, "kind": kind, "file_name": submission.file_name},
        )
    return [submission_out(s) for s in sent]


# ---- submissions --------------------------------------------------------------------------------


async def list_submissions(
    session: AsyncSession,
    access: CompanyAccess,
    kind: FileType,
    *,
    year: int | None,
    state: str | None,
    limit: int,
    cursor: str | None,
    period: str | None = None,
    document_kind: str | None = None,
    id_file: str | None = None,
) -> schemas.SubmissionPage:
    """Submissions of `kind` in the order they were made; Dati Fattura's also by period, kind of
    file (DTE, DTR, ANN) and the IdFile SDI gave."""
    query = repository.submissions_query(access.company_id, kind.value, year, state)
    query = repository.filter_submissions(query, period=period, document_kind=document_kind, id_file=id_file)
    page = await paginate(session, query, DataSubmission, limit=limit, cursor=cursor)
    return schemas.SubmissionPage(items=[submission_out(s) for s in page.items], next_cursor=page.next_cursor)


async def submission(
    session: AsyncSession, access: CompanyAccess, submission_id: uuid.UUID, kind: FileType | None
) -> DataSubmission:
    """One submission of the company (of `kind`, when given); NotFound otherwise."""
    found = await repository.submission(session, access.company_id, submission_id)
    if found is None or (kind is not None and found.kind != kind.value):
        raise NotFound(f"submission {submission_id} not found")
    return found


def submission_out(row: DataSubmission) -> schemas.SubmissionOut:
    return schemas.SubmissionOut.model_validate(
        {
            **{f: getattr(row, f) for f in schemas.SubmissionOut.model_fields if f != "errors"},
            "errors": row.errors.get("items", []),
        }
    )


def outcome_file(row: DataSubmission) -> tuple[bytes, str]:
    """SDI's outcome file and its name; NotFound before SDI has answered."""
    if row.outcome is None or row.outcome_file_name is None:
        raise NotFound("no outcome file yet")
    return row.outcome, row.outcome_file_name


# ---- settings -----------------------------------------------------------------------------------


async def get_setting(session: AsyncSession, access: CompanyAccess, year: int) -> schemas.LipeSettingOut:
    row = await repository.setting(session, access.company_id, year)
    if row is None:
        raise NotFound(f"no LIPE setting for {year}")
    return schemas.LipeSettingOut.model_validate(row, from_attributes=True)


async def put_setting(
    session: AsyncSession, principal: Principal, access: CompanyAccess, year: int, body: schemas.LipeSettingIn
) -> schemas.LipeSettingOut:
    row = await repository.save_setting(session, access.company_id, year, **body.model_dump())
    record(
        session,
        principal,
        action="lipe.setting_changed",
        target=await company_of(session, access),
        access=access,
        details={"year": year, **body.model_dump()},
    )
    return schemas.LipeSettingOut.model_validate(row, from_attributes=True)


# ---- VAT of single documents and suppliers ------------------------------------------------------


async def set_received_vat(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    received_id: uuid.UUID,
    body: schemas.DocumentVatIn,
    storage: LocalStorage,
) -> list[schemas.VatEntryOut]:
    """Recording date, deductible percentage, payment date (deferred VAT) of a received invoice."""
    received = await repository.received_invoice(session, access.company_id, received_id)
    if received is None:
        raise NotFound(f"received invoice {received_id} not found")
    await ledger.refresh(session, access.company_id, storage)
    entries = await adjusting.document_entries(
        session, access.company_id, repository.RECEIVED_INVOICE, received_id
    )
    changes = body.model_dump(exclude={"reason"}, exclude_unset=True)
    adjusting.apply(entries, **changes)
    record(
        session,
        principal,
        action="received_invoice.vat_adjusted",
        target=received,
        access=access,
        details={**body.model_dump(mode="json", exclude_unset=True)},
    )
    return [entry_out(e) for e in entries]


async def set_invoice_vat(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    invoice_id: uuid.UUID,
    body: schemas.CollectedIn,
    storage: LocalStorage,
) -> list[schemas.VatEntryOut]:
    """The day a deferred-VAT invoice was collected: its VAT becomes chargeable then."""
    invoice = await repository.invoice(session, access.company_id, invoice_id)
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} not found")
    await ledger.refresh(session, access.company_id, storage)
    entries = await adjusting.document_entries(session, access.company_id, repository.INVOICE, invoice_id)
    adjusting.apply(entries, settled_on=body.collected_on)
    record(
        session,
        principal,
        action="invoice.vat_adjusted",
        target=invoice,
        access=access,
        details=body.model_dump(mode="json"),
    )
    return [entry_out(e) for e in entries]


async def set_supplier_deductibility(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    supplier: str,
    body: schemas.SupplierDeductibilityIn,
    storage: LocalStorage,
) -> list[schemas.VatEntryOut]:
    """The deductible percentage of every invoice of a supplier (IT01234567890), those already
    received included; a percentage set later on one invoice prevails."""
    if not supplier[:2].isalpha():
        raise InvalidInput(
            "invalid supplier", errors=[{"path": "supplier", "message": "country + VAT number"}]
        )
    await ledger.refresh(session, access.company_id, storage)
    await repository.set_supplier_percent(session, access.company_id, supplier, body.percent)
    entries = await repository.supplier_entries(session, access.company_id, supplier)
    adjusting.apply(entries, deductible_percent=body.percent)
    record(
        session,
        principal,
        action="lipe.supplier_deductibility",
        target=await company_of(session, access),
        access=access,
        details={"supplier": supplier, **body.model_dump(mode="json")},
    )
    return [entry_out(e) for e in entries]


# ---- Dati Fattura: preview, cancellation (ANN), correction (Rettifica) --------------------------


async def dati_fattura_xml(
    session: AsyncSession,
    access: CompanyAccess,
    year: int,
    period: str,
    kind: str,
    part: int,
    storage: LocalStorage,
) -> bytes:
    """One file (`part`, from 1) of the period's DTE or DTR data, checked against DatiFatturav2.1."""
    built = await dati_fattura_files(session, access, year, period, kind, storage)
    if part > len(built):
        raise NotFound(f"the period has {len(built)} file(s)")
    return datifatture.checked(built[part - 1])


async def cancel_dati_fattura(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    submission_id: uuid.UUID,
    body: schemas.CancellationIn,
    *,
    storage: LocalStorage,
    secret_key: str,
) -> list[schemas.SubmissionOut]:
    """ANN of a DTE/DTR file SDI accepted: the whole file, or one ANN per position given."""
    original = await submission(session, access, submission_id, FileType.DATI_FATTURA)
    made = await corrections.cancel(
        session,
        await company_of(session, access),
        original,
        body.positions,
        secret_key=secret_key,
        storage=storage,
    )
    action = "dati_fattura.cancellation_submitted"
    await _record_follow_ups(session, principal, access, action, "cancels", original, made, body.reason)
    return [submission_out(s) for s in made]


async def correct_dati_fattura(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    submission_id: uuid.UUID,
    body: schemas.CorrectionIn,
    *,
    storage: LocalStorage,
    secret_key: str,
) -> list[schemas.SubmissionOut]:
    """A Rettifica per position of a DTE/DTR file SDI accepted, from the ledger's current data."""
    original = await submission(session, access, submission_id, FileType.DATI_FATTURA)
    await ledger.refresh(session, access.company_id, storage)
    made = await corrections.correct(
        session,
        await company_of(session, access),
        original,
        body.positions,
        secret_key=secret_key,
        storage=storage,
    )
    action = "dati_fattura.correction_submitted"
    await _record_follow_ups(session, principal, access, action, "corrects", original, made, body.reason)
    return [submission_out(s) for s in made]


async def _record_follow_ups(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    action: str,
    relation: str,
    original: DataSubmission,
    made: list[DataSubmission],
    reason: str | None,
) -> None:
    """Audit each ANN or Rettifica with the submission it cancels or corrects, and why."""
    await session.flush()
    for made_one in made:
        details = {
            relation: str(original.id),
            "id_file": original.id_file,
            "position": made_one.position,
            "file_name": made_one.file_name,
            "reason": reason,
        }
        record(session, principal, action=action, target=made_one, access=access, details=details)
