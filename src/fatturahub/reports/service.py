"""The reports operations REST and SOAP share: compute and explain a period, adjust it, build the
IVP18 file, submit it, and search submissions. Moved out of reports/endpoints.py unchanged so that
the SOAP façade calls the same code; the endpoints only read HTTP and call these."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.audit.service import record
from fatturahub.db.pagination import paginate
from fatturahub.errors import NotFound
from fatturahub.fiscal.datifatture import DatiFatturaFile
from fatturahub.fiscal.lipe import Settlement
from fatturahub.fiscal.naming import FileType
from fatturahub.fiscal.periods import Periodicity
from fatturahub.reports import communication, datifatture, ledger, lipe, repository, schemas, submissions
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
) -> schemas.SubmissionPage:
    query = repository.submissions_query(access.company_id, kind.value, year, state)
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
