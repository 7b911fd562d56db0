"""REST endpoints of bulk imports: upload history, follow its progress."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile, status

from fatturahub.api.deps import PrincipalDep, SessionDep, SettingsDep, company_access
from fatturahub.errors import InvalidInput
from fatturahub.imports import archive, schemas, service
from fatturahub.imports.models import HistoryImport
from fatturahub.imports.states import Direction
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.permissions import Area, Level

router = APIRouter(prefix="/v1", tags=["imports"])
BASE = "/companies/{company_id}/imports"
MAX_UPLOAD = 200 * 1024 * 1024  # all files of one request together
MAX_FILES = 1000  # files in one request (a ZIP holds up to archive.MAX_ENTRIES)
# A company the caller cannot see is 404 before the upload is parsed, as on every company route;
# the level needed depends on the direction and is checked by the service.
VISIBLE_COMPANY = Depends(company_access(Area.ACTIVE_INVOICES, Level.NONE))


def _out(batch: HistoryImport) -> dict:
    return {
        "id": batch.id,
        "company_id": batch.company_id,
        "direction": batch.direction,
        "state": batch.state,
        "progress": schemas.Progress(
            total=batch.total,
            processed=batch.processed,
            imported=batch.imported,
            skipped_duplicates=batch.skipped_duplicates,
            failed=batch.failed,
        ),
        "size": batch.size,
        "problem": batch.problem,
        "created_at": batch.created_at,
        "started_at": batch.started_at,
        "finished_at": batch.finished_at,
    }


def _detail(batch: HistoryImport) -> schemas.ImportDetail:
    errors = batch.errors["items"]
    return schemas.ImportDetail(
        **_out(batch),
        errors=[schemas.FileError(**e) for e in errors],
        errors_truncated=batch.failed > len(errors),
    )


async def _uploads(files: list[UploadFile]) -> list[archive.Upload]:
    if len(files) > MAX_FILES:
        raise _refused(f"more than {MAX_FILES} files in one request: send a ZIP")
    uploads, size = [], 0
    for file in files:
        content = await file.read(MAX_UPLOAD - size + 1)
        size += len(content)
        if size > MAX_UPLOAD:
            raise _refused(f"more than {MAX_UPLOAD:,} bytes in one request")
        uploads.append(archive.Upload(file.filename or f"file-{len(uploads) + 1}", content))
    return uploads


def _refused(message: str) -> InvalidInput:
    return InvalidInput("upload too large", errors=[{"path": "files", "message": message}])


@router.post(
    BASE,
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.ImportDetail,
    dependencies=[VISIBLE_COMPANY],
)
async def create_import(
    company_id: uuid.UUID,
    direction: Direction,
    files: Annotated[
        list[UploadFile],
        File(description="one ZIP (nested folders; XML, .p7m, base64) or many invoice files"),
    ],
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    response: Response,
) -> schemas.ImportDetail:
    """Import history: active (invoices this company issued, kept as `imported`, never sent) or
    passive (invoices it received). Stored and charged first, then imported by a job; follow it
    at the Location. Files already stored are skipped and counted; each failing file is listed."""
    batch = await service.create_import(
        session,
        principal,
        company_id,
        direction,
        await _uploads(files),
        storage=LocalStorage(settings.storage_path),
    )
    response.headers["Location"] = f"/v1/companies/{company_id}/imports/{batch.id}"
    return _detail(batch)


@router.get(BASE, response_model=schemas.ImportPage)
async def list_imports(
    company_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> schemas.ImportPage:
    page = await service.list_imports(session, principal, company_id, limit=limit, cursor=cursor)
    return schemas.ImportPage(
        items=[schemas.ImportOut(**_out(b)) for b in page.items], next_cursor=page.next_cursor
    )


@router.get(BASE + "/{import_id}", response_model=schemas.ImportDetail)
async def get_import(
    company_id: uuid.UUID, import_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> schemas.ImportDetail:
    """State, progress (committed chunk by chunk) and per-file errors."""
    return _detail(await service.get_import(session, principal, company_id, import_id))
