"""REST endpoints of the reports context: LIPE figures, adjustments, the IVP18 file, submissions."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from fatturahub.api.deps import PrincipalDep, SessionDep, SettingsDep, company_access
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
from fatturahub.tenancy.permissions import Area, Level
from fatturahub.tenancy.principal import CompanyAccess

router = APIRouter(prefix="/v1/companies/{company_id}", tags=["reports"])
ReportsRead = Annotated[CompanyAccess, Depends(company_access(Area.REPORTS, Level.READ))]
ReportsWrite = Annotated[CompanyAccess, Depends(company_access(Area.REPORTS, Level.WRITE))]
Year = Annotated[int, Query(ge=2017, le=2100)]
Limit = Annotated[int, Query(ge=1, le=500)]


async def _company(session: SessionDep, access: CompanyAccess) -> Company:
    return await session.get_one(Company, access.company_id)


# ---- settings ---------------------------------------------------------------------------------


@router.get("/lipe/settings/{year}", response_model=schemas.LipeSettingOut)
async def get_setting(year: int, access: ReportsRead, session: SessionDep) -> schemas.LipeSettingOut:
    row = await repository.setting(session, access.company_id, year)
    if row is None:
        raise NotFound(f"no LIPE setting for {year}")
    return _setting_out(row)


@router.put("/lipe/settings/{year}", response_model=schemas.LipeSettingOut)
async def put_setting(
    year: int, body: schemas.LipeSettingIn, access: ReportsWrite, session: SessionDep, principal: PrincipalDep
) -> schemas.LipeSettingOut:
    row = await repository.save_setting(session, access.company_id, year, **body.model_dump())
    record(
        session,
        principal,
        action="lipe.setting_changed",
        target=await _company(session, access),
        access=access,
        details={"year": year, **body.model_dump()},
    )
    return _setting_out(row)


def _setting_out(row: Any) -> schemas.LipeSettingOut:
    return schemas.LipeSettingOut.model_validate(row, from_attributes=True)


# ---- submissions (before /lipe/{year}/{period}, which would match their paths) ---------------


def _submission_routes(prefix: str, kind: FileType) -> None:
    """List, read and download the submissions of one kind of file, under `prefix`."""

    @router.get(f"{prefix}/submissions", response_model=schemas.SubmissionPage)
    async def list_submissions(
        access: ReportsRead,
        session: SessionDep,
        limit: Limit = 50,
        cursor: str | None = None,
        year: Annotated[int | None, Query()] = None,
        state: Annotated[submissions.SubmissionState | None, Query()] = None,
    ) -> schemas.SubmissionPage:
        query = repository.submissions_query(access.company_id, kind.value, year, state)
        page = await paginate(session, query, DataSubmission, limit=limit, cursor=cursor)
        return schemas.SubmissionPage(
            items=[_submission_out(s) for s in page.items], next_cursor=page.next_cursor
        )

    @router.get(f"{prefix}/submissions/{{submission_id}}", response_model=schemas.SubmissionOut)
    async def get_submission(
        submission_id: uuid.UUID, access: ReportsRead, session: SessionDep
    ) -> schemas.SubmissionOut:
        return _submission_out(await _submission(session, access, submission_id, kind))

    @router.get(f"{prefix}/submissions/{{submission_id}}/file", response_class=Response)
    async def submission_file(
        submission_id: uuid.UUID, access: ReportsRead, session: SessionDep, settings: SettingsDep
    ) -> Response:
        submission = await _submission(session, access, submission_id, kind)
        return _download(LocalStorage(settings.storage_path).get(submission.file_key), submission.file_name)

    @router.get(f"{prefix}/submissions/{{submission_id}}/outcome", response_class=Response)
    async def submission_outcome(
        submission_id: uuid.UUID, access: ReportsRead, session: SessionDep
    ) -> Response:
        submission = await _submission(session, access, submission_id, kind)
        if submission.outcome is None or submission.outcome_file_name is None:
            raise NotFound("no outcome file yet")
        return _download(submission.outcome, submission.outcome_file_name)


_submission_routes("/lipe", FileType.LIPE)
_submission_routes("/dati-fatture", FileType.DATI_FATTURA)


@router.post("/lipe/{year}/submissions", response_model=schemas.SubmissionOut, status_code=201)
async def submit_lipe(
    year: int,
    body: schemas.SubmissionIn,
    access: ReportsWrite,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> schemas.SubmissionOut:
    storage = LocalStorage(settings.storage_path)
    content = await _quarter_xml(session, access, year, body.quarter, body.intermediary_tax_code, storage)
    company = await _company(session, access)
    submission = await submissions.submit(
        session,
        company,
        secret_key=settings.signing_key(),
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
    return _submission_out(submission)


async def _submission(
    session: SessionDep, access: CompanyAccess, submission_id: uuid.UUID, kind: FileType
) -> DataSubmission:
    submission = await repository.submission(session, access.company_id, submission_id)
    if submission is None or submission.kind != kind.value:
        raise NotFound(f"submission {submission_id} not found")
    return submission


def _submission_out(row: DataSubmission) -> schemas.SubmissionOut:
    return schemas.SubmissionOut.model_validate(
        {
            **{f: getattr(row, f) for f in schemas.SubmissionOut.model_fields if f != "errors"},
            "errors": row.errors.get("items", []),
        }
    )


def _download(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ---- the IVP18 file ---------------------------------------------------------------------------


@router.get(
    "/lipe/{year}/xml", response_class=Response, responses={200: {"content": {"application/xml": {}}}}
)
async def lipe_xml(
    year: int,
    access: ReportsRead,
    session: SessionDep,
    settings: SettingsDep,
    quarter: Annotated[int, Query(ge=1, le=4, description="the quarter the communication is for")],
    intermediary_tax_code: Annotated[str | None, Query(pattern=r"^[A-Z0-9]{11,16}$")] = None,
) -> Response:
    """The IVP18 communication of a quarter (a module per month for monthly filers), validated
    against the official schema: 422 with the schema's errors when it does not validate."""
    storage = LocalStorage(settings.storage_path)
    content = await _quarter_xml(session, access, year, quarter, intermediary_tax_code, storage)
    return Response(content, media_type="application/xml")


async def _quarter_xml(
    session: SessionDep,
    access: CompanyAccess,
    year: int,
    quarter: int,
    intermediary: str | None,
    storage: LocalStorage,
) -> bytes:
    setting = await repository.setting(session, access.company_id, year)
    monthly = setting is not None and setting.periodicity == Periodicity.MONTHLY
    periods = communication.quarter_periods(year, quarter, monthly)
    computed = await lipe.compute(session, access.company_id, periods[-1], storage)
    settlements = [s for s in computed.settlements if s.period in periods]
    lipe_file = communication.communication(
        await _company(session, access),
        setting,
        settlements,
        delegated=access.delegation_id is not None,
        intermediary_tax_code=intermediary,
        today=date.today(),
    )
    return communication.checked_xml(lipe_file)


# ---- Dati Fattura -----------------------------------------------------------------------------


DatiFatturaKind = Literal["DTE", "DTR"]


@router.get(
    "/dati-fatture/{year}/{period}/{kind}/xml",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
async def dati_fattura_xml(
    year: int,
    period: str,
    kind: DatiFatturaKind,
    access: ReportsRead,
    session: SessionDep,
    settings: SettingsDep,
    part: Annotated[int, Query(ge=1, description="files are split every 1,000 documents")] = 1,
) -> Response:
    """DTE (issued) or DTR (received) data of a period (H1, H2, Q1..Q4; until June 2022),
    validated against DatiFatturav2.1: 422 with the schema's errors when it does not validate."""
    built = await _dati_fattura_files(
        session, access, year, period, kind, LocalStorage(settings.storage_path)
    )
    if part > len(built):
        raise NotFound(f"the period has {len(built)} file(s)")
    return Response(datifatture.checked(built[part - 1]), media_type="application/xml")


@router.post(
    "/dati-fatture/{year}/{period}/submissions", response_model=list[schemas.SubmissionOut], status_code=201
)
async def submit_dati_fattura(
    year: int,
    period: str,
    body: schemas.DatiFatturaSubmissionIn,
    access: ReportsWrite,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> list[schemas.SubmissionOut]:
    """One submission per file of the period's data (split every 1,000 documents)."""
    storage = LocalStorage(settings.storage_path)
    built = await _dati_fattura_files(session, access, year, period, body.kind, storage)
    contents = [datifatture.checked(file) for file in built]
    company = await _company(session, access)
    sent = [
        await submissions.submit(
            session,
            company,
            secret_key=settings.signing_key(),
            kind=FileType.DATI_FATTURA,
            year=year,
            content=content,
            storage=storage,
            substitutes=None,
        )
        for content in contents
    ]
    await session.flush()
    for submission in sent:
        record(
            session,
            principal,
            action="dati_fattura.submitted",
            target=submission,
            access=access,
            details={"year": year, "period": period, "kind": body.kind, "file_name": submission.file_name},
        )
    return [_submission_out(s) for s in sent]


async def _dati_fattura_files(
    session: SessionDep, access: CompanyAccess, year: int, period: str, kind: str, storage: LocalStorage
) -> list[DatiFatturaFile]:
    first, last = datifatture.period_days(year, period)
    await ledger.refresh(session, access.company_id, storage)
    return await datifatture.files(session, await _company(session, access), kind, first, last)


# ---- figures and their documents --------------------------------------------------------------


@router.get("/lipe/{year}/{period}", response_model=schemas.SettlementOut)
async def get_settlement(
    year: int, period: str, access: ReportsRead, session: SessionDep, settings: SettingsDep
) -> schemas.SettlementOut:
    """Every VP figure of the period, with the rule that gives it and the parts that make it up
    (ledger lines summed by type and month; `…/figures/{code}` lists the documents)."""
    computed = await lipe.compute(
        session, access.company_id, lipe.parse_period(year, period), LocalStorage(settings.storage_path)
    )
    return settlement_out(computed.settlement)


@router.get("/lipe/{year}/{period}/figures/{code}", response_model=schemas.ContributionPage)
async def get_figure_documents(
    year: int,
    period: str,
    code: str,
    access: ReportsRead,
    session: SessionDep,
    settings: SettingsDep,
    limit: Limit = 100,
    cursor: str | None = None,
) -> schemas.ContributionPage:
    """The documents of figure VP2, VP3, VP4 or VP5: every ledger line counting in it, with its
    amount and rule, in document-date order."""
    the_period = lipe.parse_period(year, period)
    await ledger.refresh(session, access.company_id, LocalStorage(settings.storage_path))
    found, after = await lipe.figure_documents(
        session,
        access.company_id,
        the_period,
        code.upper(),
        after=decode_position(cursor) if cursor else None,
        limit=limit,
    )
    items = [
        schemas.ContributionOut(entry=_entry_out(c.entry), amount=c.effect.amount, rule=c.effect.rule)
        for c in found
    ]
    return schemas.ContributionPage(
        code=code.upper(), items=items, next_cursor=after and encode_position(*after)
    )


def _entry_out(entry: VatEntry) -> schemas.VatEntryOut:
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


# ---- adjustments ------------------------------------------------------------------------------


@router.put("/lipe/{year}/{period}/adjustments", response_model=schemas.SettlementOut)
async def put_adjustments(
    year: int,
    period: str,
    body: schemas.AdjustmentsIn,
    access: ReportsWrite,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> schemas.SettlementOut:
    """Replace what the documents do not say about the period; the figures recompute."""
    the_period = lipe.parse_period(year, period)
    amounts = body.model_dump(mode="json", exclude={"reason"}, exclude_none=True)
    await lipe.save_adjustments(session, access.company_id, the_period, amounts, body.reason)
    record(
        session,
        principal,
        action="lipe.adjusted",
        target=await _company(session, access),
        access=access,
        details={"year": year, "period": period, "adjustments": amounts, "reason": body.reason},
    )
    computed = await lipe.compute(session, access.company_id, the_period, LocalStorage(settings.storage_path))
    return settlement_out(computed.settlement)


@router.put("/received-invoices/{received_id}/vat", response_model=list[schemas.VatEntryOut])
async def put_received_vat(
    received_id: uuid.UUID,
    body: schemas.DocumentVatIn,
    access: ReportsWrite,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> list[schemas.VatEntryOut]:
    """Recording date, deductible percentage, payment date (deferred VAT) of a received invoice."""
    received = await repository.received_invoice(session, access.company_id, received_id)
    if received is None:
        raise NotFound(f"received invoice {received_id} not found")
    await ledger.refresh(session, access.company_id, LocalStorage(settings.storage_path))
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
    return [_entry_out(e) for e in entries]


@router.put("/invoices/{invoice_id}/vat", response_model=list[schemas.VatEntryOut])
async def put_invoice_vat(
    invoice_id: uuid.UUID,
    body: schemas.CollectedIn,
    access: ReportsWrite,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> list[schemas.VatEntryOut]:
    """The day a deferred-VAT invoice was collected: its VAT becomes chargeable then."""
    invoice = await repository.invoice(session, access.company_id, invoice_id)
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} not found")
    await ledger.refresh(session, access.company_id, LocalStorage(settings.storage_path))
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
    return [_entry_out(e) for e in entries]


@router.put("/lipe/suppliers/{supplier}/deductibility", response_model=list[schemas.VatEntryOut])
async def put_supplier_deductibility(
    supplier: str,
    body: schemas.SupplierDeductibilityIn,
    access: ReportsWrite,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> list[schemas.VatEntryOut]:
    """The deductible percentage of every invoice of a supplier (IT01234567890), those already
    received included; a percentage set later on one invoice prevails."""
    if not supplier[:2].isalpha():
        raise InvalidInput(
            "invalid supplier", errors=[{"path": "supplier", "message": "country + VAT number"}]
        )
    await ledger.refresh(session, access.company_id, LocalStorage(settings.storage_path))
    await repository.set_supplier_percent(session, access.company_id, supplier, body.percent)
    entries = await repository.supplier_entries(session, access.company_id, supplier)
    adjusting.apply(entries, deductible_percent=body.percent)
    record(
        session,
        principal,
        action="lipe.supplier_deductibility",
        target=await _company(session, access),
        access=access,
        details={"supplier": supplier, **body.model_dump(mode="json")},
    )
    return [_entry_out(e) for e in entries]
