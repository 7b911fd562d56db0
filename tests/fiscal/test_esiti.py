"""EsitoFile outcomes (DatiFatturaMessaggi v2.0). No official sample exists in the spec set:
these are built from Tabella 1 of the Specifiche tecniche notifiche di esito and validated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fatturahub.fatturapa.issues import InvalidDocument
from fatturahub.fiscal.esiti import EsitoFile, Outcome, OutcomeError, build, description, parse

SIGNATURE = """<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
<ds:Reference URI=""><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>
<ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>"""


def esito(outcome: str, errors: str = "", received: str = "2026-05-20T10:15:00.000+02:00") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ns2:EsitoFile xmlns:ns2="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/file/v2.0" versione="2.0">
<TipoFile>LI</TipoFile><IDFile>123456789</IDFile><NomeFile>IT01234567890_LI_00011.xml</NomeFile>
<DataOraRicezione>{received}</DataOraRicezione><Esito>{outcome}</Esito>{errors}
<MessageID>987654</MessageID>{SIGNATURE}</ns2:EsitoFile>""".encode()


def test_validated():
    result = parse(esito("ES01"))
    assert result.outcome is Outcome.VALIDATED and result.outcome.accepted
    assert (result.file_type, result.id_file, result.message_id) == ("LI", "123456789", "987654")
    assert result.received_at == datetime(2026, 5, 20, 8, 15, tzinfo=UTC)
    assert result.errors == ()


def test_rejected_with_errors_and_local_time():
    errors = (
        "<ListaErrori><Errore><Codice>00400</Codice><Descrizione>Codice fiscale errato</Descrizione></Errore>"
    )
    errors += (
        "<Errore><Codice>00401</Codice><Descrizione>Periodo non coerente</Descrizione></Errore></ListaErrori>"
    )
    result = parse(esito("ES03", errors, received="2026-01-20T10:15:00"))
    assert result.outcome is Outcome.REJECTED and not result.outcome.accepted
    assert [e.code for e in result.errors] == ["00400", "00401"]
    assert result.received_at == datetime(2026, 1, 20, 9, 15, tzinfo=UTC)  # Rome is UTC+1 in winter


def test_validated_with_warnings_and_an_invalid_outcome():
    assert parse(esito("ES02")).outcome is Outcome.VALIDATED_WITH_WARNINGS
    with pytest.raises(InvalidDocument) as raised:
        parse(esito("ES09"))
    assert raised.value.issues[0].path == "/EsitoFile/Esito"


@pytest.fixture(scope="module")
def sign():
    from tests.support.cms import throwaway_signer

    from fatturahub.fatturapa.signature import Signer, sign_xades, verify_xades

    certificate, key = throwaway_signer()
    signer = Signer(certificate, key)

    def sealed(xml: bytes) -> bytes:
        signed = sign_xades(xml, signer)
        assert verify_xades(signed).valid
        return signed

    return sealed


@pytest.mark.parametrize(
    "original",
    [
        EsitoFile(
            file_type="LI",
            id_file="123456789",
            file_name="IT01234567890_LI_00011.xml.p7m",
            received_at=datetime(2026, 5, 20, 8, 15, 30, 250000, tzinfo=UTC),
            outcome=Outcome.VALIDATED,
            errors=(),
            message_id="987654",
        ),
        EsitoFile(
            file_type="DF",
            id_file="42",
            file_name="IT01234567890_DF_0000A.xml",
            received_at=datetime(2026, 1, 20, 9, 15, tzinfo=UTC),
            outcome=Outcome.REJECTED,
            errors=(
                OutcomeError("00200", "File non conforme al formato: /DatiFattura/DTE"),
                OutcomeError("00400", description("Natura non presente\n a fronte di Aliquota €0")),
            ),
            message_id="7",
            archive_id="41",
            archive_name="IT01234567890_FL_00001.zip",
            pec_message_id="<abc@pec.example>",
            note="Simulato",
        ),
    ],
)
def test_build_round_trips_through_parse(sign, original):
    data = build(original, sign=sign)
    assert parse(data) == original
    assert b'versione="2.0"' in data


def test_build_refuses_what_the_schema_refuses(sign):
    bad = EsitoFile("LI", "0", "IT01234567890_LI_00011.xml", datetime(2026, 5, 20, tzinfo=UTC),
                    Outcome.VALIDATED, (), "1")  # fmt: skip
    with pytest.raises(InvalidDocument) as raised:
        build(bad, sign=sign)
    assert raised.value.issues[0].path == "/EsitoFile/IDFile"


def test_descriptions_fit_the_schema():
    assert description("a\tb\n  c €") == "a b c ?"
    assert description("") == "-"
    assert len(description("x" * 300)) == 255
