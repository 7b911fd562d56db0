"""The entries of an upload: the members of ZIPs (nested folders too) and plain files. Pure.

Untrusted archives: the number of members, their total uncompressed size and each member's
compression ratio are limited before anything is read (zip bombs), every member is read into
memory with a bound, nothing touches the disk, and a member's name is only ever a label in a
report, never a path. Entries are addressed by their position in the archive, so two members
with the same name stay two entries.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

MAX_ENTRIES = 10_000
MAX_ENTRY_BYTES = 10 * 1024 * 1024  # a 5 MB invoice, base64-encoded and signed, with room
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024  # uncompressed, all members together
MAX_RATIO = 100  # uncompressed / compressed size of a member; XML invoices stay far below
RATIO_FLOOR = 64 * 1024  # smaller members cannot hurt, whatever their ratio
JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
# SDI's own messages next to the invoices in exports (metadata files, receipts): not invoices
SDI_MESSAGE = re.compile(r"_(MT|RC|NS|MC|NE|DT|AT|EC|SE|ES)_\d{3}\.xml$", re.IGNORECASE)
MAX_LABEL = 300


class ArchiveRefused(Exception):
    """The upload as a whole is refused (unreadable ZIP, too many entries, a zip bomb)."""


class EntryError(Exception):
    """One entry cannot be read; the others go on."""


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


@dataclass(frozen=True)
class Entry:
    label: str  # how reports name it: the member's path in the ZIP, or the file's name
    upload: int  # which upload
    member: int | None  # position in the ZIP's directory; None for a plain file


def is_zip(content: bytes) -> bool:
    return content[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def ignored(name: str) -> bool:
    """Directories, macOS/Windows junk and SDI's messages: neither imported nor reported."""
    path = PurePosixPath(name.replace("\\", "/"))
    base = path.name.lower()
    return (
        name.endswith(("/", "\\"))
        or "__MACOSX" in path.parts
        or base.startswith("._")
        or base in JUNK_NAMES
        or bool(SDI_MESSAGE.search(base))
    )


def entries(uploads: Sequence[Upload]) -> list[Entry]:
    """Every entry to import, in a fixed order; ArchiveRefused past the limits."""
    found: list[Entry] = []
    uncompressed = 0
    for index, upload in enumerate(uploads):
        if not is_zip(upload.content):
            if not ignored(upload.name):
                found.append(Entry(label(upload.name), index, None))
            continue
        prefix = f"{upload.name}/" if len(uploads) > 1 else ""
        for position, info in enumerate(_directory(upload)):
            if info.is_dir() or ignored(info.filename):
                continue
            _check_ratio(upload.name, info)
            uncompressed += info.file_size
            found.append(Entry(label(prefix + info.filename), index, position))
        if len(found) > MAX_ENTRIES:
            raise ArchiveRefused(f"more than {MAX_ENTRIES} files: split the history in several imports")
    if uncompressed > MAX_TOTAL_BYTES:
        raise ArchiveRefused(f"the ZIP files expand to more than {MAX_TOTAL_BYTES:,} bytes")
    return found


def label(name: str) -> str:
    printable = "".join(c if c.isprintable() else "?" for c in name)
    return printable[:MAX_LABEL] or "(no name)"


def _directory(upload: Upload) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(io.BytesIO(upload.content)) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise ArchiveRefused(f"{label(upload.name)}: not a readable ZIP file ({exc})") from None


def _check_ratio(upload: str, info: zipfile.ZipInfo) -> None:
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ArchiveRefused(
            f"{label(upload)}: {label(info.filename)} expands more than {MAX_RATIO} times (a zip bomb?)"
        )


class Reader:
    """Reads entries out of the stored uploads (`load(index)` gives an upload's bytes), keeping
    each ZIP open once."""

    def __init__(self, load: Callable[[int], bytes]) -> None:
        self._load = load
        self._zips: dict[int, zipfile.ZipFile] = {}

    def read(self, entry: Entry) -> bytes:
        if entry.member is None:
            content = self._load(entry.upload)
            if len(content) > MAX_ENTRY_BYTES:
                raise EntryError(f"larger than {MAX_ENTRY_BYTES:,} bytes")
            return content
        return self._member(entry.upload, entry.member)

    def _member(self, upload: int, position: int) -> bytes:
        archive = self._zip(upload)
        info = archive.infolist()[position]
        if info.file_size > MAX_ENTRY_BYTES:
            raise EntryError(f"larger than {MAX_ENTRY_BYTES:,} bytes")
        try:
            with archive.open(info) as handle:
                content = handle.read(MAX_ENTRY_BYTES + 1)  # the directory's size may lie
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError, OSError) as exc:
            raise EntryError(f"cannot be extracted: {exc}") from None
        if len(content) > MAX_ENTRY_BYTES:
            raise EntryError(f"larger than {MAX_ENTRY_BYTES:,} bytes")
        return content

    def _zip(self, upload: int) -> zipfile.ZipFile:
        if upload not in self._zips:
            self._zips[upload] = zipfile.ZipFile(io.BytesIO(self._load(upload)))
        return self._zips[upload]

    def close(self) -> None:
        for archive in self._zips.values():
            archive.close()
        self._zips.clear()
