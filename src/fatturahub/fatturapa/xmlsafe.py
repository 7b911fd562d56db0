"""The one way untrusted XML is parsed: no entities, no DTDs, no network, bounded size."""

from __future__ import annotations

import threading

from lxml import etree

from fatturahub.fatturapa.issues import FILE_TOO_LARGE, FORMAT, UnreadableInput

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers are not thread-safe; one per thread, reused.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            collect_ids=False,
            remove_comments=False,
        )
        _local.parser = parser
    return parser


def check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise UnreadableInput.single(
            FILE_TOO_LARGE, f"file is {len(data):,} bytes, more than the {max_bytes:,} allowed"
        )


def parse_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._ElementTree:
    """Parse bytes into a tree, refusing anything a FatturaPA file never needs (DTDs, entities)."""
    check_size(data, max_bytes)
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        if b"<!DOCTYPE" in data[:4096]:  # e.g. an external DTD we refused to fetch
            raise _dtd_refused() from None
        raise UnreadableInput.single(FORMAT, f"not well-formed XML: {exc}") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _dtd_refused()
    return tree


def _dtd_refused() -> UnreadableInput:
    return UnreadableInput.single(FORMAT, "DTDs and entity declarations are not allowed")
