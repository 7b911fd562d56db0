"""The pure core of the passive cycle: routing, duplicate keys, payment terms, the outcome term."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from tests.inbox import builders
from tests.support.samples import OFFICIAL

from fatturahub.inbox.reading import Party, read_metadata, read_received
from fatturahub.inbox.routing import Candidate, route
from fatturahub.inbox.rules import duplicate_key, outcome_file_name, outcome_refusal
from fatturahub.inbox.states import SignatureStatus

A, B = uuid.uuid4(), uuid.uuid4()


def company(
    account: uuid.UUID, vat: str | None = "01234567890", cf: str | None = None, code: str = "AAAAAAA"
):
    return Candidate(uuid.uuid4(), account, vat, cf, code)


def test_a_single_match_by_partita_iva_is_routed():
    target = company(A)
    decided = route(Party("IT", "01234567890"), "0000000", [target], set())
    assert (decided.company_id, decided.account_id) == (target.company_id, A)


def test_a_numeric_codice_fiscale_matches_the_company_partita_iva():
    target = company(A)
    assert route(Party(codice_fiscale="01234567890"), None, [target], set()).company_id == target.company_id


def test_a_foreign_vat_number_never_matches_an_italian_partita_iva():
    decided = route(Party("DE", "01234567890"), None, [company(A)], set())
    assert decided.quarantined and decided.account_id is None


def test_the_codice_destinatario_breaks_a_tie_across_accounts():
    first, second = company(A, code="AAAAAAA"), company(B, code="BBBBBBB")
    decided = route(Party("IT", "01234567890"), "BBBBBBB", [first, second], {B})
    assert decided.company_id == second.company_id


def test_an_unbroken_tie_goes_to_the_operator_quarantine():
    decided = route(Party("IT", "01234567890"), "0000000", [company(A), company(B)], set())
    assert decided.quarantined and decided.account_id is None and "2 companies" in decided.detail


def test_no_match_goes_to_the_account_using_the_codice_destinatario():
    decided = route(Party("IT", "99999999999"), "AAAAAAA", [], {A})
    assert decided.quarantined and decided.account_id == A
    assert route(None, "AAAAAAA", [], {A, B}).account_id is None  # unreadable, two accounts


def test_duplicate_keys_keep_vat_group_members_apart():
    day = date(2026, 1, 2)
    assert duplicate_key("IT1", "CF1", "TD01", "7", day) != duplicate_key("IT1", "CF2", "TD01", "7", day)
    assert duplicate_key("IT1", None, "TD01", "7", day) == duplicate_key("IT1", None, "TD01", "7", day)
    assert duplicate_key(None, None, "TD01", "7", day) is None


def test_every_dettaglio_pagamento_is_an_instalment():
    content = (OFFICIAL / "v1.2" / "IT01234567890_FPR01.xml").read_bytes()
    two = content.replace(b"</DettaglioPagamento>", b"</DettaglioPagamento>" + _second_instalment(), 1)
    reading = read_received(two)
    assert reading.readable and reading.signature_status == SignatureStatus.UNSIGNED
    terms = reading.bodies[0].payment_terms
    assert len(terms) == 2 and terms[1] == {**terms[1], "importo": "10.00", "scadenza": "2030-01-31"}


def _second_instalment() -> bytes:
    return (
        b"<DettaglioPagamento><ModalitaPagamento>MP05</ModalitaPagamento>"
        b"<DataScadenzaPagamento>2030-01-31</DataScadenzaPagamento>"
        b"<ImportoPagamento>10.00</ImportoPagamento></DettaglioPagamento>"
    )


def test_unreadable_bytes_give_an_unreadable_reading():
    reading = read_received(b"nothing here")
    assert not reading.readable and reading.problem and reading.bodies == []


def test_metadata_is_read_and_a_broken_one_read_loosely():
    assert (
        read_metadata(builders.metadata("42", "IT01234567890_00001.xml", "ABCDEFG"))["CodiceDestinatario"]
        == "ABCDEFG"
    )
    loose = read_metadata(
        b"<MetadatiInvioFile><CodiceDestinatario>XYZ1234</CodiceDestinatario></MetadatiInvioFile>"
    )
    assert loose["CodiceDestinatario"] == "XYZ1234" and "warning" in loose


def test_the_outcome_term_and_who_may_answer():
    received = datetime(2026, 1, 1, tzinfo=UTC)
    within = received + timedelta(days=14)
    assert outcome_refusal(format="FPA12", received_at=received, expired=False, now=within) is None
    assert "15-day" in outcome_refusal(
        format="FPA12", received_at=received, expired=False, now=received + timedelta(days=15, seconds=1)
    )
    assert "DecorrenzaTermini" in outcome_refusal(
        format="FPA12", received_at=received, expired=True, now=within
    )
    assert "FPA12" in outcome_refusal(format="FPR12", received_at=received, expired=False, now=within)


def test_outcome_file_names_follow_the_received_file():
    assert outcome_file_name("IT01234567890_11111.xml.p7m", 1) == "IT01234567890_11111_EC_001.xml"
    assert outcome_file_name("IT01234567890_1A2B3.xml", 12) == "IT01234567890_1A2B3_EC_012.xml"
