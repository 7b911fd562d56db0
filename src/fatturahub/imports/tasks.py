"""The import job: every entry of the uploads, in chunks, each chunk committed with its progress.

A chunk's rows and the new `processed` commit together, and `processed` is the row's version
(compare-and-set): a job resumed after a crash starts at the first uncommitted entry, and a
second worker that took the job over (expired lease) cannot commit the same chunk twice. The
duplicate checks would catch a repeat anyway. Reading happens before any write of the chunk, so
SQLite's write lock is held only for the inserts.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from fatturahub.db.base import utcnow
from fatturahub.imports import archive, events, repository
from fatturahub.imports.importing import Counts, Prepared, Rejected, identity, prepare, store
from fatturahub.imports.models import HistoryImport
from fatturahub.imports.states import Direction, ImportState
from fatturahub.settings import Settings
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.models import Company
from fatturahub.worker.models import Job
from fatturahub.worker.runner import Handler

IMPORT_JOB = "import.run"
CHUNK = 25  # entries per transaction: progress a poller sees move, short write locks
MAX_ERRORS = 1000  # per-file errors kept on the import; `failed` counts them all

log = logging.getLogger("fatturahub.imports")


def handlers(settings: Settings) -> dict[str, Handler]:
    storage = LocalStorage(settings.storage_path)
    lease = timedelta(seconds=settings.job_lease_seconds)

    async def run(session: AsyncSession, job: Job) -> None:
        await run_import(session, job, storage=storage, lease=lease)

    return {IMPORT_JOB: run}


async def run_import(session: AsyncSession, job: Job, *, storage: LocalStorage, lease: timedelta) -> None:
    import_id = uuid.UUID(job.payload["import_id"])
    batch = await session.get(HistoryImport, import_id)
    if batch is None or batch.state in (ImportState.DONE, ImportState.FAILED):
        return
    try:
        await _run(session, job, batch, storage, lease)
    except StaleDataError:
        await session.rollback()  # another worker committed this chunk: it carries on
        log.warning("import %s advanced by another worker; this one stops", import_id)
    except Exception as exc:
        if job.attempts < job.max_attempts:
            raise  # retried later, from the last committed chunk
        await session.rollback()
        batch = await session.get_one(HistoryImport, import_id, populate_existing=True)
        await _finish(session, batch, ImportState.FAILED, problem=f"{type(exc).__name__}: {exc}"[:500])


async def _run(
    session: AsyncSession, job: Job, batch: HistoryImport, storage: LocalStorage, lease: timedelta
) -> None:
    company = await session.get_one(Company, batch.company_id)
    stored = batch.uploads["items"]
    contents = [storage.get(item["key"]) for item in stored]
    uploads = [archive.Upload(item["name"], content) for item, content in zip(stored, contents, strict=True)]
    entries = archive.entries(uploads)
    reader = archive.Reader(lambda index: contents[index])
    batch.state = ImportState.RUNNING
    batch.started_at = batch.started_at or utcnow()
    await session.commit()
    try:
        for start in range(batch.processed, len(entries), CHUNK):
            if not await repository.renew_lease(session, job, lease):
                log.warning("import %s: the job's lease was lost; stopping", batch.id)
                return
            await _chunk(session, storage, company, batch, reader, entries[start : start + CHUNK])
            await session.commit()
    finally:
        reader.close()
    await _finish(session, batch, ImportState.DONE)


async def _chunk(
    session: AsyncSession,
    storage: LocalStorage,
    company: Company,
    batch: HistoryImport,
    reader: archive.Reader,
    chunk: list[archive.Entry],
) -> None:
    direction = Direction(batch.direction)
    errors: list[dict[str, str]] = []
    prepared: list[Prepared] = []
    for entry in chunk:  # all reading first, before the chunk writes anything
        try:
            prepared.append(prepare(direction, entry.label, reader.read(entry), identity(company)))
        except (archive.EntryError, Rejected) as exc:
            errors.append({"file": entry.label, "error": str(exc)[:500]})
        except Exception as exc:  # a file that breaks the reader must not stop the import
            log.exception("import %s: reading %s failed", batch.id, entry.label)
            errors.append({"file": entry.label, "error": f"unreadable: {type(exc).__name__}: {exc}"[:500]})
    total = Counts()
    for file in prepared:
        counts = await store(session, storage, company, direction, file)
        total.imported += counts.imported
        total.skipped += counts.skipped
    _advance(batch, len(chunk), total, errors)
    await session.flush()  # the compare-and-set on `processed`: StaleDataError if taken over


def _advance(batch: HistoryImport, entries: int, counts: Counts, errors: list[dict[str, str]]) -> None:
    batch.processed += entries
    batch.imported += counts.imported
    batch.skipped_duplicates += counts.skipped
    batch.failed += len(errors)
    kept = batch.errors["items"]
    if errors and len(kept) < MAX_ERRORS:
        batch.errors = {"items": kept + errors[: MAX_ERRORS - len(kept)]}


async def _finish(
    session: AsyncSession, batch: HistoryImport, state: ImportState, *, problem: str | None = None
) -> None:
    batch.state = state
    batch.problem = problem
    batch.finished_at = utcnow()
    await events.publish_completed(session, batch)
