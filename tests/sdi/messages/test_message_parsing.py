"""parse_message on the official samples and on what must be refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from fatturahub.fatturapa.issues import InvalidDocument, UnreadableInput
from fatturahub.fatturapa.schemas import schema, validate
from fatturahub.sdi.messages import (
    EsitoCommittenteType,
    Flow,
    NotificationType,
    ScartoType,
    b2b,
    build_message,
    pa,
    parse_message,
)

PA_NS = Flow.PA.namespace
B2B_NS = Flow.B2B.namespace
ALL_CODES = ["RC", "NS", "MC", "NE", "DT", "AT", "EC", "SE", "MT"]


@pytest.mark.parametrize(
    ("type_code", "message_type"),
    [
        ("RC", pa.RicevutaConsegna),
        ("NS", pa.NotificaScarto),
        ("MC", pa.NotificaMancataConsegna),
        ("NE", pa.NotificaEsito),
        ("DT", pa.NotificaDecorrenzaTermini),
        ("AT", pa.AttestazioneTrasmissioneFattura),
        ("EC", pa.NotificaEsitoCommittente),
        ("SE", pa.ScartoEsitoCommittente),
        ("MT", pa.MetadatiInvioFile),
    ],
)
def test_official_sample_parses_to_its_type(official, type_code, message_type):
    message = parse_message(official(type_code))

    assert type(message) is message_type
    assert message.TYPE_CODE is NotificationType(type_code)
    assert message.IdentificativoSdI == 111
    assert message.source == official(type_code)


def test_ricevuta_consegna(official):
    message = parse_message(official("RC"))

    assert message.NomeFile == "IT01234567890_11111.xml.p7m"
    assert message.DataOraRicezione == datetime(2013, 6, 6, 12, 0, tzinfo=UTC)
    assert message.DataOraConsegna == datetime(2013, 6, 6, 12, 1, tzinfo=UTC)
    assert message.Destinatario == pa.DestinatarioType(
        Codice="AAA111", Descrizione="Amministrazione di prova"
    )
    assert message.MessageId == "123456"
    assert message.Note == "Esempio"
    assert message.IntermediarioConDupliceRuolo == "Si"
    assert message.RiferimentoArchivio is None


def test_notifica_scarto_keeps_errors_and_archive(official):
    message = parse_message(official("NS"))

    assert message.RiferimentoArchivio == pa.RiferimentoArchivioType(
        IdentificativoSdI=100, NomeFile="IT01234567890_11111.zip"
    )
    assert message.ListaErrori.Errore == [
        pa.ErroreType(Codice="00100", Descrizione="Certificato di firma scaduto")
    ]


def test_mancata_consegna_reads_a_timestamp_without_offset_as_rome_time(official):
    message = parse_message(official("MC"))

    assert message.DataOraRicezione.utcoffset() == timedelta(hours=2)  # June: CEST
    assert message.DataOraRicezione == datetime(2013, 6, 6, 10, 0, tzinfo=UTC)
    assert message.Descrizione == "Notifica di esempio"


def test_notifica_esito_wraps_the_esito_committente(official):
    message = parse_message(official("NE"))

    esito = message.EsitoCommittente
    assert esito.Esito is EsitoCommittenteType.EC01
    assert esito.RiferimentoFattura == pa.RiferimentoFatturaType(
        NumeroFattura="1111", AnnoFattura=2013, PosizioneFattura=2
    )
    assert esito.MessageIdCommittente == "123456"
    assert esito.Signature is None
    assert message.Note == "Notifica di esito di esempio"


def test_decorrenza_termini(official):
    message = parse_message(official("DT"))

    assert message.NomeFile == "IT01234567890_11111.xml.p7m"
    assert message.Descrizione == "Notifica di esempio"
    assert message.IntermediarioConDupliceRuolo == "Si"


def test_attestazione_trasmissione(official):
    message = parse_message(official("AT"))

    assert message.HashFileOriginale == ("2c1f3a240a056d9537a8608fed310812ef7b1b7a410d0152f5c9c9e93486ae44")
    assert message.Destinatario.Codice == "AAAAAA"
    assert message.DataOraRicezione.isoformat() == "2014-04-01T12:00:00+02:00"


def test_esito_committente(official):
    message = parse_message(official("EC"))

    assert message.Esito is EsitoCommittenteType.EC01
    assert message.RiferimentoFattura.PosizioneFattura == 2
    assert message.Descrizione == "Esempio"
    assert message.Signature is None


def test_scarto_esito_committente(official):
    message = parse_message(official("SE"))

    assert message.Scarto is ScartoType.EN00
    assert message.MessageIdCommittente == "123456"


def test_metadati_invio_file(official):
    message = parse_message(official("MT"))

    assert message.CodiceDestinatario == "AAA111"
    assert message.Formato == "SDI10"
    assert message.TentativiInvio == 1
    assert not hasattr(message, "Signature")


@pytest.mark.parametrize("type_code", ["RC", "NS", "MC", "NE", "DT", "AT", "SE"])
def test_sdi_signature_is_kept_as_standalone_xml(official, type_code):
    signature = parse_message(official(type_code)).Signature

    element = etree.fromstring(signature)
    assert element.tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
    assert element.get("Id") == "Signature1"
    # Only the declarations the signature needs, not the document's types/xsi ones.
    assert set(element.nsmap) == {"ds"}
    original = etree.fromstring(official(type_code))[-1]
    exclusive_c14n = {"method": "c14n", "exclusive": True}
    assert etree.tostring(element, **exclusive_c14n) == etree.tostring(original, **exclusive_c14n)


@pytest.mark.parametrize("type_code", ALL_CODES)
def test_rebuilt_official_message_validates_and_says_the_same(official, type_code):
    message = parse_message(official(type_code))

    rebuilt = build_message(message)

    assert validate(etree.fromstring(rebuilt), schema(Flow.PA.xsd)) == []
    reparsed = parse_message(rebuilt)
    assert reparsed == message
    assert getattr(reparsed, "Signature", None) == getattr(message, "Signature", None)


def _c14n(document: bytes) -> bytes:
    # Compared: the root element, prefixes renamed, whitespace-only text dropped. Set aside
    # because the models deliberately do not carry them: the xml-stylesheet processing
    # instruction before the root and xsi:schemaLocation.
    root = etree.fromstring(document)
    return etree.canonicalize(
        etree.tostring(root, encoding="unicode"),
        strip_text=True,
        rewrite_prefixes=True,
        exclude_attrs=["{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"],
    ).encode()


@pytest.mark.parametrize("type_code", ["EC", "MT"])
def test_unsigned_official_message_round_trips_canonically(official, type_code):
    original = official(type_code)

    assert _c14n(build_message(parse_message(original))) == _c14n(original)


def test_canonical_comparison_sees_a_changed_value(official):
    changed = official("MT").replace(b"<TentativiInvio>1<", b"<TentativiInvio>2<")

    assert _c14n(changed) != _c14n(official("MT"))


# --- refused input -------------------------------------------------------------------------


def test_missing_required_element_is_reported_by_the_schema(official):
    data = official("MT").replace(b"<MessageId>123456</MessageId>", b"")

    with pytest.raises(InvalidDocument) as caught:
        parse_message(data)

    (issue,) = caught.value.issues
    assert issue.code == "00200"
    assert issue.path == "/MetadatiInvioFile/Note"
    assert "Expected is ( MessageId )" in issue.message


def test_sdi_message_without_its_signature_is_refused(official):
    data = etree.fromstring(official("RC"))
    data.remove(data[-1])

    with pytest.raises(InvalidDocument, match="Signature"):
        parse_message(etree.tostring(data))


def test_unknown_namespace_is_refused(official):
    data = official("MT").replace(PA_NS.encode(), b"urn:example:messaggi")

    with pytest.raises(InvalidDocument, match=r"neither the PA .* nor the B2B") as caught:
        parse_message(data)
    assert caught.value.issues[0].path == "/MetadatiInvioFile"


def test_b2b_root_in_the_pa_namespace_is_refused():
    data = f'<t:RicevutaScarto xmlns:t="{PA_NS}" versione="1.0"/>'.encode()

    with pytest.raises(InvalidDocument, match="RicevutaScarto is not a PA flow message"):
        parse_message(data)


def test_pa_message_in_the_b2b_namespace_is_judged_by_the_b2b_schema(official):
    # Same root name in both schemas: the B2B one wants a Hash the PA sample does not have.
    data = official("RC").replace(PA_NS.encode(), B2B_NS.encode())

    with pytest.raises(InvalidDocument, match="Expected is \\( Hash \\)"):
        parse_message(data)


def test_an_invoice_is_not_a_message():
    data = (
        b'<p:FatturaElettronica versione="FPR12"'
        b' xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"/>'
    )

    with pytest.raises(InvalidDocument, match="not an SDI message"):
        parse_message(data)


@pytest.mark.parametrize("data", [b"", b"not xml", b"<a><b></a>", b"\xff\xfe<x/>"])
def test_not_xml_is_unreadable(data):
    with pytest.raises(UnreadableInput, match="not well-formed"):
        parse_message(data)


def test_external_entities_are_refused():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<t:MetadatiInvioFile xmlns:t="' + PA_NS.encode() + b'" versione="1.0">'
        b"<IdentificativoSdI>1</IdentificativoSdI><NomeFile>&xxe;</NomeFile>"
        b"</t:MetadatiInvioFile>"
    )

    with pytest.raises(UnreadableInput, match="DTDs and entity declarations"):
        parse_message(data)


def test_entity_expansion_is_refused():
    data = b'<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><m>&b;</m>'

    with pytest.raises(UnreadableInput):
        parse_message(data)


def test_schema_valid_value_the_model_refuses_is_reported_with_its_path(official):
    # xs:integer with 12 digits allows a sign; an SDI identifier is never negative.
    data = official("MT").replace(b"<IdentificativoSdI>111<", b"<IdentificativoSdI>-111<")

    with pytest.raises(InvalidDocument) as caught:
        parse_message(data)

    (issue,) = caught.value.issues
    assert issue.path == "/MetadatiInvioFile/IdentificativoSdI"


# --- B2B -----------------------------------------------------------------------------------


def _b2b_impossibilita_recapito(root_name: str, namespace: str = B2B_NS) -> bytes:
    return (
        f'<ns:{root_name} xmlns:ns="{namespace}" versione="1.0">'
        "<IdentificativoSdI>4711</IdentificativoSdI>"
        "<NomeFile>IT01234567890_11111.xml</NomeFile>"
        "<Hash>ab12</Hash>"
        "<DataOraRicezione>2024-01-15T09:30:00.250</DataOraRicezione>"
        "<DataMessaADisposizione>2024-01-17+01:00</DataMessaADisposizione>"
        "<MessageId>M-1</MessageId>"
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
        '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
        '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
        '<ds:Reference URI=""><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
        "<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>"
        "<ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>"
        f"</ns:{root_name}>"
    ).encode()


def test_b2b_message_is_read_with_the_b2b_schema_and_types():
    message = parse_message(_b2b_impossibilita_recapito("RicevutaImpossibilitaRecapito"))

    assert type(message) is b2b.RicevutaImpossibilitaRecapito
    assert message.IdentificativoSdI == "4711"  # a string in the B2B schema
    assert message.DataMessaADisposizione.isoformat() == "2024-01-17"
    assert message.DataOraRicezione.isoformat() == "2024-01-15T09:30:00.250000+01:00"  # CET


def test_misspelled_b2b_root_seen_in_the_wild_is_tolerated():
    data = _b2b_impossibilita_recapito("RicevutaImpossibultaRecapito")

    message = parse_message(data)

    assert type(message) is b2b.RicevutaImpossibilitaRecapito
    assert message.source == data
    assert b"RicevutaImpossibilitaRecapito" in build_message(message)


def test_misspelled_root_is_not_tolerated_in_the_pa_namespace():
    data = _b2b_impossibilita_recapito("RicevutaImpossibultaRecapito", PA_NS)

    with pytest.raises(InvalidDocument, match="not a PA flow message"):
        parse_message(data)


def test_source_belongs_to_the_received_message_only(official):
    message = parse_message(official("MT"))

    assert message.model_copy().source == official("MT")
    assert message.model_copy(update={"Note": "changed"}).source is None
    assert message == parse_message(build_message(message))  # equality ignores the source
