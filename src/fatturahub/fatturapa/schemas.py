"""Official XSDs vendored in the package, compiled once, validated offline."""

from __future__ import annotations

import re
import threading
from importlib import resources
from pathlib import Path

from lxml import etree

from fatturahub.fatturapa.issues import FORMAT, TOO_MANY_FORMAT_ERRORS, Issue

SPECS = Path(str(resources.files("fatturahub") / "specs"))
XMLDSIG = "xmldsig-core-schema.xsd"
MAX_FORMAT_ERRORS = 50  # SDI stops after 50 format errors (00201)


class _LocalXmlDsig(etree.Resolver):
    """The official schemas import xmldsig from w3.org: serve the vendored copy instead."""

    def resolve(self, url, pubid, context):
        if url and url.endswith(XMLDSIG):
            return self.resolve_filename(str(SPECS / "fatturapa" / XMLDSIG), context)
        return None


class _CompiledSchemas(threading.local):
    """Compiled schemas, per thread. lxml keeps a schema's error log on the schema object: a
    schema shared by threads validating at once (the inbox reads in a thread while requests
    validate on the loop) lets one thread's validation empty another's log, and an invalid
    document would pass. A copy costs ~1 MB and ~3 ms, once per thread that validates."""

    def __init__(self) -> None:
        self.by_path: dict[str, etree.XMLSchema] = {}


_compiled = _CompiledSchemas()


def schema(relative_path: str) -> etree.XMLSchema:
    """The compiled schema at `specs/<relative_path>`, for the calling thread only: get it where
    it is used, do not hand it to another thread."""
    compiled = _compiled.by_path.get(relative_path)
    if compiled is None:
        compiled = _compiled.by_path[relative_path] = _compile(relative_path)
    return compiled


def _compile(relative_path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalXmlDsig())
    document = etree.parse(str(SPECS / relative_path), parser)
    return etree.XMLSchema(document)


_PREFIX = re.compile(r"(?<=/)[A-Za-z_][\w.-]*:")


def unprefixed(path: str) -> str:
    """An XPath without namespace prefixes: /p:FatturaElettronica/... -> /FatturaElettronica/..."""
    return _PREFIX.sub("", path)


def validate(tree: etree._ElementTree | etree._Element, xsd: etree.XMLSchema) -> list[Issue]:
    """Schema errors as SDI 00200 issues, capped like SDI does (00201 past 50)."""
    if xsd.validate(tree):
        return []
    issues = [Issue(FORMAT, unprefixed(error.path or ""), error.message) for error in xsd.error_log]
    if len(issues) > MAX_FORMAT_ERRORS:
        summary = f"{len(issues)} format errors; checking stopped at {MAX_FORMAT_ERRORS}"
        issues = [*issues[:MAX_FORMAT_ERRORS], Issue(TOO_MANY_FORMAT_ERRORS, "", summary)]
    return issues
