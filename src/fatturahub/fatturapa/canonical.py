"""Canonical form of XML for comparing documents: C14N, whitespace-only text ignored."""

from __future__ import annotations

from lxml import etree

from fatturahub.fatturapa.xmlsafe import parse_xml


def canonical(xml: bytes) -> bytes:
    """C14N 1.0 of `xml` without comments, after dropping whitespace-only text nodes."""
    tree = parse_xml(xml, max_bytes=len(xml) + 1)
    for element in tree.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    return etree.tostring(tree, method="c14n", with_comments=False)
