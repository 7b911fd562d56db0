"""Response bodies of the imports API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from fatturahub.imports.states import Direction, ImportState


class FileError(BaseModel):
    file: str = Field(description="the file's path inside the ZIP, or its name")
    error: str


class Progress(BaseModel):
    total: int = Field(description="files to import (directories, macOS junk, SDI messages left out)")
    processed: int = Field(description="files processed so far")
    imported: int = Field(description="invoices stored (a lotto counts each body)")
    skipped_duplicates: int = Field(description="invoices skipped: already stored for this company")
    failed: int = Field(description="files that could not be imported (see errors)")


class ImportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    company_id: uuid.UUID
    direction: Direction
    state: ImportState
    progress: Progress
    size: int = Field(description="bytes uploaded (charged to the storage quota)")
    problem: str | None = Field(description="why the import as a whole failed")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImportDetail(ImportOut):
    errors: list[FileError] = Field(description="per-file errors, the first 1000")
    errors_truncated: bool = Field(description="more files failed than the errors listed")


class ImportPage(BaseModel):
    items: list[ImportOut]
    next_cursor: str | None
