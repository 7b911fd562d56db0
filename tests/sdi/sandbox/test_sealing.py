"""The sandbox's prepared XAdES signer makes the signature `sign_xades` makes, and it verifies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree

from fatturahub.fatturapa.signature import sign_xades, verify_xades
from fatturahub.sdi.messages import Flow, build_message, parse_message
from fatturahub.sdi.sandbox import notices
from fatturahub.sdi.sandbox.certificate import throwaway_signer
from fatturahub.sdi.sandbox.sealing import DS, Sealer
from fatturahub.sdi.sandbox.state import ReceivedFile

SIGNER = throwaway_signer()


def _receipt(flow: Flow):
    file = ReceivedFile(7, "IT01234567890_00001.xml", b"<x/>", datetime.now(UTC))
    file.flow, file.codice_destinatario = flow, "0000000"
    return notices.delivery_receipt(file, datetime.now(UTC), "42")


def _shape(document: bytes) -> list[tuple[str, str | None, str | None]]:
    """Tags and reference attributes of the ds:Signature, ids left out (they are random)."""
    signature = etree.fromstring(document).find(f"{{{DS}}}Signature")
    shape = []
    for element in signature.iter():
        algorithm = element.get("Algorithm")
        kind = element.get("Type") if element.tag == f"{{{DS}}}Reference" else None
        shape.append((etree.QName(element).localname, algorithm, kind))
    return shape


@pytest.mark.parametrize("flow", [Flow.B2B, Flow.PA])
def test_sealed_notification_verifies_and_is_the_message(flow: Flow) -> None:
    message = _receipt(flow)
    sealed = notices.seal(message, Sealer(SIGNER))
    report = verify_xades(sealed)
    assert all(check.ok for check in report.checks), report.checks
    assert parse_message(sealed).model_copy(update={"Signature": None}) == message


@pytest.mark.parametrize("flow", [Flow.B2B, Flow.PA])
def test_same_signature_structure_as_sign_xades(flow: Flow) -> None:
    message = _receipt(flow)
    ours = notices.seal(message, Sealer(SIGNER))
    reference = build_message(message, sign=lambda xml: sign_xades(xml, SIGNER))
    assert _shape(ours) == _shape(reference)


def test_tampered_sealed_notification_fails() -> None:
    sealed = notices.seal(_receipt(Flow.B2B), Sealer(SIGNER))
    tampered = sealed.replace(b"<MessageId>42</MessageId>", b"<MessageId>43</MessageId>")
    assert tampered != sealed
    assert not all(check.ok for check in verify_xades(tampered).checks)
