"""File storage for what we keep verbatim (invoice files), content-addressed on the local disk.

Writes go to a temporary file renamed into place, so a crash never leaves a half-written file,
and the same content stored twice is one file.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from pathlib import Path


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    async def put(self, content: bytes) -> str:
        """Store `content`; returns its key (the SHA-256 hex). The write and its fsync (~1 ms)
        run in a thread: on the event loop they would stall every other request meanwhile."""
        return await asyncio.to_thread(self._write, content)

    @staticmethod
    def key_of(content: bytes) -> str:
        """The key `put` stores `content` under."""
        return hashlib.sha256(content).hexdigest()

    def _write(self, content: bytes) -> str:
        key = self.key_of(content)
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def _path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key[2:4] / key
