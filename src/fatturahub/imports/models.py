"""The table of bulk imports: what was uploaded, how far the job got, what failed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fatturahub.db.base import Base, IdMixin


class HistoryImport(IdMixin, Base):
    """One upload of history. The entries (files, or ZIP members) are processed in a fixed order
    and `processed` is committed with each chunk's rows, so a resumed job starts where the last
    commit left off and never imports an entry twice."""

    __tablename__ = "history_import"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.id"), index=True)
    direction: Mapped[str] = mapped_column(String(7))  # active | passive
    state: Mapped[str] = mapped_column(String(7))
    uploads: Mapped[dict[str, Any]]  # {"items": [{"name", "key", "size"}]}, stored verbatim
    size: Mapped[int] = mapped_column(BigInteger)  # bytes uploaded, charged to the quota
    total: Mapped[int] = mapped_column(Integer)  # entries (files) to process
    processed: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)  # invoices (bodies) stored
    skipped_duplicates: Mapped[int] = mapped_column(Integer, default=0)  # invoices already stored
    failed: Mapped[int] = mapped_column(Integer, default=0)  # entries that could not be imported
    errors: Mapped[dict[str, Any]]  # {"items": [{"file", "error"}]}, the first MAX_ERRORS kept
    problem: Mapped[str | None] = mapped_column(String(500))  # why the whole import failed
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    # `processed` is set by the job and checked on every UPDATE: a chunk commits once
    __mapper_args__ = {"version_id_col": processed, "version_id_generator": False}  # noqa: RUF012
