"""REST endpoints of the reports context: LIPE figures, adjustments, the IVP18 file, submissions."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from fatturahub.api.deps import PrincipalDep, SessionDep, SettingsDep, company_access
from fatturahub.fiscal.naming import FileType
from fatturahub.reports import schemas, service, submissions
from fatturahub.reports.models import DataSubmission
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.permissions import Area, Level
from fatturahub.tenancy.principal import CompanyAccess

router = APIRouter(prefix="/v1/companies/{company_id}", tags=["reports"])
ReportsRead = Annotated[CompanyAccess, Depends(company_access(Area.REPORTS, Level.READ))]
ReportsWrite = Annotated[CompanyAccess, Depends(company_access(Area.REPORTS, Level.WRITE))]
TaxYear = Annotated[int, Path(ge=2017, le=2100, description="the tax year (LIPE exists since 2017)")]
Limit = Annotated[int, Query(ge=1, le=500)]


# ---- settings ---------------------------------------------------------------------------------


@router.get("/lipe/settings/{year}", response_model=schemas.LipeSettingOut)
async def get_setting(year: TaxYear, access: ReportsRead, session: SessionDep) -> schemas.LipeSettingOut:
    return await service.get_setting(session, access, year)


@router.put("/lipe/settings/{year}", response_model=schemas.LipeSettingOut)
async def put_setting(
    year: TaxYear,
    body: schemas.LipeSettingIn,
    access: ReportsWrite,
    session: SessionDep,
    principal: PrincipalDep,
) -> schemas.LipeSettingOut:
    return await service.put_setting(session, principal, access, year, body)


# ---- submissions (before /lipe/{year}/{period}, which would match their paths) ---------------


def _submission_routes(prefix: str, kind: FileType, *, listing: bool = True) -> None:
    """List, read and download the submissions of one kind of file, under `prefix`."""

    async def list_submissions(
        access: ReportsRead,
        session: SessionDep,
        limit: Limit = 50,
        cursor: str | None = None,
        year: Annotated[int | None, Query(ge=2017, le=2100)] = None,
        state: Annotated[submissions.SubmissionState | None, Query()] = None,
    ) -> schemas.SubmissionPage:
        return await service.list_submissions(
            session, access, kind, year=year, state=state, limit=limit, cursor=cursor
        )

    if listing:  # Dati Fattura: list_dati_fattura_submissions, with more filters
        router.get(f"{prefix}/submissions", response_model=schemas.SubmissionPage)(list_submissions)

    @router.get(f"{prefix}/submissions/{{submission_id}}", response_model=schemas.SubmissionOut)
    async def get_submission(
        submission_id: uuid.UUID, access: ReportsRead, session: SessionDep
    ) -> schemas.SubmissionOut:
        return service.submission_out(await _submission(session, access, submission_id, kind))

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
        return _download(*service.outcome_file(submission))


_submission_routes("/lipe", FileType.LIPE)
_submission_routes("/dati-fatture", FileType.DATI_FATTURA, listing=False)


@router.post("/lipe/{year}/submissions", response_model=schemas.SubmissionOut, status_code=201)
async def submit_lipe(
    year: TaxYear,
    body: schemas.SubmissionIn,
    access: ReportsWrite,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> schemas.SubmissionOut:
    return await service.submit_lipe(
        session,
        principal,
        access,
        year,
        body,
        storage=LocalStorage(settings.storage_path),
        secret_key=settings.signing_key(),
    )


async def _submission(
    session: SessionDep, access: CompanyAccess, submission_id: uuid.UUID, kind: FileType
) -> DataSubmission:
    return await service.submission(session, access, submission_id, kind)


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
    year: TaxYear,
    access: ReportsRead,
    session: SessionDep,
    settings: SettingsDep,
    quarter: Annotated[int, Query(ge=1, le=4, description="the quarter the communication is for")],
    intermediary_tax_code: Annotated[str | None, Query(pattern=r"^[A-Z0-9]{11,16}$")] = None,
) -> Response:
    """The IVP18 communication of a quarter (a module per month for monthly filers), validated
    against the official schema: 422 with the schema's errors when it does not validate."""
    storage = LocalStorage(settings.storage_path)
    content = await service.quarter_xml(session, access, year, quarter, intermediary_tax_code, storage)
    return Response(content, media_type="application/xml")


# ---- Dati Fattura -----------------------------------------------------------------------------


DatiFatturaKind = Literal["DTE", "DTR"]


@router.get(
    "/dati-fatture/{year}/{period}/{kind}/xml",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
async def dati_fattura_xml(
    year: TaxYear,
    period: str,
    kind: DatiFatturaKind,
    access: ReportsRead,
    session: SessionDep,
    settings: SettingsDep,
    part: Annotated[int, Query(ge=1, description="files are split every 1,000 documents")] = 1,
) -> Response:
    """DTE (issued) or DTR (received) data of a period (H1, H2, Q1..Q4; until June 2022),
    validated against DatiFatturav2.1: 422 with the schema's errors when it does not validate."""
    content = await service.dati_fattura_xml(
        session, access, year, period, kind, part, LocalStorage(settings.storage_path)
    )
    return Response(content, media_type="application/xml")


@router.post(
    "/dati-fatture/{year}/{period}/submissions", response_model=list[schemas.SubmissionOut], status_code=201
)
async def submit_dati_fattura(
    year: TaxYear,
    period: str,
    body: schemas.DatiFatturaSubmissionIn,
    access: ReportsWrite,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> list[schemas.SubmissionOut]:
    """One submission per file of the period's data (split every 1,000 documents)."""
    return await service.submit_dati_fattura(
        session,
        principal,
        access,
        year,
        period,
        body.kind,
        storage=LocalStorage(settings.storage_path),
        secret_key=settings.signing_key(),
    )


# ---- figures and their documents --------------------------------------------------------------


@router.get("/lipe/{year}/{period}", response_model=schemas.SettlementOut)
async def get_settlement(
    year: TaxYear, period: str, access: ReportsRead, session: SessionDep, settings: SettingsDep
) -> schemas.SettlementOut:
    """Every VP figure of the period, with the rule that gives it and the parts that make it up
    (ledger lines summed by type and month; `…/figures/{code}` lists the documents)."""
    return await service.settlement(session, access, year, period, LocalStorage(settings.storage_path))


@router.get("/lipe/{year}/{period}/figures/{code}", response_model=schemas.ContributionPage)
async def get_figure_documents(
    year: TaxYear,
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
    return await service.figure_documents(
        session, access, year, period, code, LocalStorage(settings.storage_path), limit=limit, cursor=cursor
    )


# ---- adjustments ------------------------------------------------------------------------------


@router.put("/lipe/{year}/{period}/adjustments", response_model=schemas.SettlementOut)
async def put_adjustments(
    year: TaxYear,
    period: str,
    body: schemas.AdjustmentsIn,
    access: ReportsWrite,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> schemas.SettlementOut:
    """Replace what the documents do not say about the period; the figures recompute."""
    return await service.adjust(
        session, principal, access, year, period, body, LocalStorage(settings.storage_path)
    )


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
    return await service.set_received_vat(
        session, principal, access, received_id, body, LocalStorage(settings.storage_path)
    )


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
    return await service.set_invoice_vat(
        session, principal, access, invoice_id, body, LocalStorage(settings.storage_path)
    )


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
    return await service.set_supplier_deductibility(
        session, principal, access, supplier, body, LocalStorage(settings.storage_path)
    )


# ---- Dati Fattura: search, cancellation (ANN), correction (Rettifica) --------------------------


@router.get("/dati-fatture/submissions", response_model=schemas.SubmissionPage)
async def list_dati_fattura_submissions(
    access: ReportsRead,
    session: SessionDep,
    limit: Limit = 50,
    cursor: str | None = None,
    year: Annotated[int | None, Query(ge=2017, le=2100)] = None,
    period: Annotated[str | None, Query(pattern=r"^(H[12]|Q[1-4])$")] = None,
    kind: Annotated[Literal["DTE", "DTR", "ANN"] | None, Query(description="what the file holds")] = None,
    state: Annotated[submissions.SubmissionState | None, Query()] = None,
    id_file: Annotated[str | None, Query(max_length=40, description="the IdFile SDI gave the file")] = None,
) -> schemas.SubmissionPage:
    """Dati Fattura submissions in the order they were made: DTE/DTR files of a period, their
    Rettifica corrections and ANN cancellations, filtered by year, period, kind, state, IdFile."""
    return await service.list_submissions(
        session,
        access,
        FileType.DATI_FATTURA,
        year=year,
        state=state,
        limit=limit,
        cursor=cursor,
        period=period,
        document_kind=kind,
        id_file=id_file,
    )


@router.post(
    "/dati-fatture/submissions/{submission_id}/cancellation",
    response_model=list[schemas.SubmissionOut],
    status_code=201,
    responses={409: {"description": "the submission is not accepted, not DTE/DTR, or already cancelled"}},
)
async def cancel_dati_fattura(
    submission_id: uuid.UUID,
    access: ReportsWrite,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    body: schemas.CancellationIn | None = None,
) -> list[schemas.SubmissionOut]:
    """ANN of a DTE/DTR file SDI accepted, naming the IdFile SDI gave it: the whole file, or one
    ANN per position given. Sent like any data file; once SDI accepts the ANN of the whole file,
    the cancelled submission shows `cancelled_by_id`."""
    return await service.cancel_dati_fattura(
        session,
        principal,
        access,
        submission_id,
        body or schemas.CancellationIn(),
        storage=LocalStorage(settings.storage_path),
        secret_key=settings.signing_key(),
    )


@router.post(
    "/dati-fatture/submissions/{submission_id}/corrections",
    response_model=list[schemas.SubmissionOut],
    status_code=201,
    responses={409: {"description": "the submission is not accepted, not DTE/DTR, or cancelled"}},
)
async def correct_dati_fattura(
    submission_id: uuid.UUID,
    body: schemas.CorrectionIn,
    access: ReportsWrite,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> list[schemas.SubmissionOut]:
    """A Rettifica per position of a DTE/DTR file SDI accepted: the document's data as the ledger
    holds them now (after corrected recording dates, deductibility, ...), pointing at the IdFile
    and Posizione it replaces."""
    return await service.correct_dati_fattura(
        session,
        principal,
        access,
        submission_id,
        body,
        storage=LocalStorage(settings.storage_path),
        secret_key=settings.signing_key(),
    )
