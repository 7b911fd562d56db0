"""Use cases of bulk imports: upload (stored and charged first, then a job), read, list.

Which area an import needs follows its direction: active_invoices for issued invoices,
received_invoices for received ones; write to create, read to look.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.audit.service import record
from fatturahub.db.pagination import Page
from fatturahub.errors import Forbidden, InvalidInput, NotFound
from fatturahub.imports import archive, repository
from fatturahub.imports.models import HistoryImport
from fatturahub.imports.states import Direction, ImportState
from fatturahub.imports.tasks import IMPORT_JOB
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.access import accessible_companies, require_company
from fatturahub.tenancy.models import Company
from fatturahub.tenancy.permissions import Area, Level
from fatturahub.tenancy.principal import CompanyAccess, Principal
from fatturahub.tenancy.services.accounts import charge_storage
from fatturahub.worker.queue import enqueue

AREAS = {Direction.ACTIVE: Area.ACTIVE_INVOICES, Direction.PASSIVE: Area.RECEIVED_INVOICES}
MAX_ATTEMPTS = 10  # a job that keeps failing (not a file: the database, the disk) ends as failed


async def create_import(
    session: AsyncSession,
    principal: Principal,
    company_id: uuid.UUID,
    direction: Direction,
    uploads: list[archive.Upload],
    *,
    storage: LocalStorage,
) -> HistoryImport:
    """Check the uploads' limits, charge and store them verbatim, and queue the job."""
    access = await require_company(session, principal, company_id, AREAS[direction], Level.WRITE)
    try:
        entries = archive.entries(uploads)
    except archive.ArchiveRefused as exc:
        raise _invalid("the upload cannot be imported", str(exc)) from None
    if not entries:
        raise _invalid("nothing to import", "no invoice files found")
    company = await session.get_one(Company, access.company_id)
    size = sum(len(upload.content) for upload in uploads)
    await charge_storage(session, company.account_id, size)
    batch = HistoryImport(
        id=uuid.uuid4(),
        account_id=company.account_id,
        company_id=company.id,
        direction=direction.value,
        state=ImportState.QUEUED.value,
        uploads={"items": [await _stored(storage, upload) for upload in uploads]},
        size=size,
        total=len(entries),
        processed=0,
        imported=0,
        skipped_duplicates=0,
        failed=0,
        errors={"items": []},
    )
    session.add(batch)
    await session.flush()
    enqueue(session, IMPORT_JOB, {"import_id": str(batch.id)}, max_attempts=MAX_ATTEMPTS)
    record(
        session,
        principal,
        action="import.created",
        target=batch,
        access=access,
        details={"direction": direction.value, "files": len(entries), "size": size},
    )
    return batch


def _invalid(detail: str, message: str) -> InvalidInput:
    return InvalidInput(detail, errors=[{"path": "files", "message": message}])


async def _stored(storage: LocalStorage, upload: archive.Upload) -> dict[str, object]:
    content = upload.content
    return {"name": archive.label(upload.name), "key": await storage.put(content), "size": len(content)}


async def _visible(session: AsyncSession, principal: Principal, company_id: uuid.UUID) -> CompanyAccess:
    access = (await accessible_companies(session, principal, company_id=company_id)).get(company_id)
    if access is None:
        raise NotFound(f"company {company_id} not found")
    return access


def _readable_directions(access: CompanyAccess) -> list[str]:
    return [d.value for d, area in AREAS.items() if access.allows(area, Level.READ)]


async def get_import(
    session: AsyncSession, principal: Principal, company_id: uuid.UUID, import_id: uuid.UUID
) -> HistoryImport:
    access = await _visible(session, principal, company_id)
    batch = await repository.get_import(session, access, import_id)
    if batch.direction not in _readable_directions(access):
        raise Forbidden(f"{AREAS[Direction(batch.direction)].value}: read level required on this company")
    return batch


async def list_imports(
    session: AsyncSession, principal: Principal, company_id: uuid.UUID, *, limit: int, cursor: str | None
) -> Page[HistoryImport]:
    """The imports of the directions the caller may read, oldest first."""
    access = await _visible(session, principal, company_id)
    directions = _readable_directions(access)
    if not directions:
        raise Forbidden("active_invoices or received_invoices: read level required on this company")
    return await repository.list_imports(session, access, directions, limit=limit, cursor=cursor)
