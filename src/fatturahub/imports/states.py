"""States and directions of a bulk import. Pure."""

from __future__ import annotations

from enum import StrEnum


class ImportState(StrEnum):
    QUEUED = "queued"  # uploaded and stored, waiting for a worker
    RUNNING = "running"  # a worker is importing, chunk by chunk
    DONE = "done"  # every entry processed (some may have failed: see the errors)
    FAILED = "failed"  # the import itself could not run to its end


class Direction(StrEnum):
    ACTIVE = "active"  # invoices the company issued
    PASSIVE = "passive"  # invoices the company received
