"""build_message: every message type comes out valid against its official schema."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from lxml import etree
from pydantic import ValidationError
from signxml import XMLVerifier

from fatturahub.fatturapa.issues import InvalidDocument
from fatturahub.fatturapa.schemas import schema, validate
from fatturahub.sdi.messages import (
    EsitoCommittenteType,
    Message,
    ScartoType,
    awaits_signature,
    b2b,
    build_message,
    pa,
    parse_message,
)

RECEIVED = datetime(2024, 3, 1, 10, 15, 30)  # naive: Europe/Rome
DELIVERED = datetime(2024, 3, 1, 10, 16, 5)
DSIG = "{http://www.w3.org/2000/09/xmldsig#}Signature"

PA_ARCHIVE = pa.RiferimentoArchivioType(IdentificativoSdI=1000, NomeFile="IT01234567890_A0001.zip")
B2B_ARCHIVE = b2b.RiferimentoArchivioType(IdentificativoSdI="1000", NomeFile="IT01234567890_A0001.zip")
LOTTO_BODY = pa.RiferimentoFatturaType(NumeroFattura="FT/2024/12", AnnoFattura=2024, PosizioneFattura=2)
HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
ESITO = pa.NotificaEsitoCommittente(
    IdentificativoSdI=4711,
    RiferimentoFattura=LOTTO_BODY,
    Esito=EsitoCommittenteType.EC02,
    Descrizione="CIG mancante",
    MessageIdCommittente="PA-0001",
)

SAMPLES: dict[str, Message] = {
    "pa-RC": pa.RicevutaConsegna(
        IdentificativoSdI=4711,
        NomeFile="IT01234567890_00001.xml",
        DataOraRicezione=RECEIVED,
        DataOraConsegna=DELIVERED,
        Destinatario=pa.DestinatarioType(Codice="UFABCD", Descrizione="Comune di Prova"),
        RiferimentoArchivio=PA_ARCHIVE,
        MessageId="9001",
        PecMessageId="<opec.1@pec.example>",
        Note="Società consegnataria",
        IntermediarioConDupliceRuolo="Si",
    ),
    "pa-NS": pa.NotificaScarto(
        IdentificativoSdI=4711,
        NomeFile="IT01234567890_00001.xml",
        DataOraRicezione=RECEIVED,
        ListaErrori=pa.ListaErroriType(
            Errore=[
                pa.ErroreType(Codice="00200", Descrizione="File non conforme al formato"),
                pa.ErroreType(Codice="00404", Descrizione="Fattura duplicata"),
            ]
        ),
        MessageId="9002",
    ),
    "pa-MC": pa.NotificaMancataConsegna(
        IdentificativoSdI=4711,
        NomeFile="IT01234567890_00001.xml",
        DataOraRicezione=RECEIVED,
        Descrizione="Canale del destinatario non raggiungibile",
        MessageId="9003",
    ),
    "pa-NE": pa.NotificaEsito(
        IdentificativoSdI=4711,
        NomeFile="IT01234567890_00001.xml",
        EsitoCommittente=ESITO,
        MessageId="9004",
        IntermediarioConDupliceRuolo="Si",
    ),
    "pa-DT": pa.NotificaDecorrenzaTermini(
        IdentificativoSdI=4711,
        RiferimentoFattura=LOTTO_BODY,
        NomeFile="IT01234567890_00001.xml",
        Descrizione="Decorsi i termini",
        MessageId="9005",
    ),
    "pa-AT": pa.AttestazioneTrasmissioneFattura(
        IdentificativoSdI=4711,
        NomeFile="IT01234567890_00001.xml",
        DataOraRicezione=RECEIVED,
        Destinatario=pa.DestinatarioType(Codice="UFABCD", Descrizione="Comune di Prova"),
        MessageId="9006",
        HashFileOriginale=HASH,
    ),
    "pa-EC": ESITO,
    "pa-SE": pa.ScartoEsitoCommittente(
        IdentificativoSdI=4711,
        Scarto=ScartoType.EN01,
        MessageId="9007",
        MessageIdCommittente="PA-0001",
        Note="Termini scaduti",
    ),
    "pa-MT": pa.MetadatiInvioFile(
        IdentificativoSdI=4711,
        NomeFile="IT01234567890_00001.xml",
        CodiceDestinatario="UFABCD",
        Formato="FPA12",
        TentativiInvio=1,
        MessageId="9008",
    ),
    "b2b-RC": b2b.RicevutaConsegna(
        IdentificativoSdI="4711",
        NomeFile="IT01234567890_00002.xml",
        Hash=HASH,
        DataOraRicezione=RECEIVED,
        DataOraConsegna=DELIVERED,
        Destinatario=b2b.DestinatarioType(Codice="ABC1234"),
        RiferimentoArchivio=B2B_ARCHIVE,
        MessageId="b2b-9001",
        FlussoSemplificato="Si",
    ),
    "b2b-NS": b2b.RicevutaScarto(
        IdentificativoSdI="4712",
        NomeFile="IT01234567890_00003.xml",
        Hash=HASH,
        DataOraRicezione=RECEIVED,
        ListaErrori=b2b.ListaErroriType(
            Errore=[
                b2b.ErroreType(
                    Codice="00423",
                    Descrizione="PrezzoTotale non calcolato correttamente",
                    Suggerimento="Verificare quantità e prezzo unitario della linea 2",
                )
            ]
        ),
        MessageId="b2b-9002",
    ),
    "b2b-MC": b2b.RicevutaImpossibilitaRecapito(
        IdentificativoSdI="4713",
        NomeFile="IT01234567890_00004.xml",
        Hash=HASH,
        DataOraRicezione=RECEIVED,
        DataMessaADisposizione=date(2024, 3, 3),
        Descrizione="Fattura messa a disposizione nell'area riservata",
        MessageId="b2b-9003",
    ),
    "b2b-MT": b2b.FileMetadati(
        IdentificativoSdI="4714",
        NomeFile="IT01234567890_00005.xml",
        Hash=HASH,
        CodiceDestinatario="0000000",
        Formato="FPR12",
        TentativiInvio=2,
        MessageId="b2b-9004",
    ),
}
SIGNABLE = [key for key, message in SAMPLES.items() if "Signature" in type(message).model_fields]
UNSIGNABLE = [key for key in SAMPLES if key not in SIGNABLE]


def schema_issues(document: bytes, message: Message) -> list[str]:
    return [issue.message for issue in validate(etree.fromstring(document), schema(message.FLOW.xsd))]


@pytest.mark.parametrize("key", SIGNABLE)
def test_signed_build_validates_and_verifies(key, sign, certificate_and_key):
    message = SAMPLES[key]

    document = build_message(message, sign=sign)

    assert schema_issues(document, message) == []
    XMLVerifier().verify(document, x509_cert=certificate_and_key[0])
    parsed = parse_message(document)
    assert parsed.model_copy(update={"Signature": None}) == message
    assert etree.fromstring(parsed.Signature).tag == DSIG


@pytest.mark.parametrize("key", list(SAMPLES))
def test_unsigned_build_lacks_nothing_but_a_required_signature(key):
    message = SAMPLES[key]

    issues = schema_issues(build_message(message), message)

    if message.SIGNATURE_REQUIRED:
        # The one finding the official schema has: the trailing ds:Signature is missing.
        (issue,) = issues
        assert "Missing child element(s)" in issue
        assert DSIG in issue
    else:
        assert issues == []


@pytest.mark.parametrize("key", list(SAMPLES))
def test_build_then_parse_gives_the_message_back(key, sign):
    message = SAMPLES[key]
    document = build_message(message, sign=sign) if message.SIGNATURE_REQUIRED else build_message(message)

    parsed = parse_message(document)

    assert parsed.model_copy(update={"Signature": None} if key in SIGNABLE else {}) == message


def test_output_shape():
    document = build_message(SAMPLES["pa-RC"])

    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert "Società".encode() in document
    root = etree.fromstring(document)
    assert root.tag == "{http://www.fatturapa.gov.it/sdi/messaggi/v1.0}RicevutaConsegna"
    assert root.prefix == "types"
    assert root.attrib == {"versione": "1.0", "IntermediarioConDupliceRuolo": "Si"}
    assert [child.tag for child in root][:3] == [
        "IdentificativoSdI",
        "NomeFile",
        "DataOraRicezione",
    ]
    assert root.findtext("DataOraRicezione") == "2024-03-01T10:15:30+01:00"


def test_awaits_signature():
    assert awaits_signature(SAMPLES["pa-RC"])
    assert not awaits_signature(SAMPLES["pa-EC"])  # the PA may sign it, the schema does not ask
    assert not awaits_signature(SAMPLES["b2b-MT"])


def test_esito_committente_signed_by_the_pa_travels_inside_notifica_esito(sign):
    signed_esito = parse_message(build_message(ESITO, sign=sign))
    notifica = SAMPLES["pa-NE"].model_copy(update={"EsitoCommittente": signed_esito})

    document = build_message(notifica, sign=sign)

    parsed = parse_message(document)
    assert parsed.EsitoCommittente.Signature == signed_esito.Signature
    assert schema_issues(document, notifica) == []


def test_unsigned_check_still_catches_a_missing_element():
    # HashFileOriginale comes right before ds:Signature: its absence must not pass for
    # "only the signature is missing".
    incomplete = pa.AttestazioneTrasmissioneFattura.model_construct(
        **{**dict(SAMPLES["pa-AT"]), "HashFileOriginale": None}
    )

    with pytest.raises(InvalidDocument, match=r"Missing child element.*HashFileOriginale \)"):
        build_message(incomplete)


def test_unsigned_check_still_catches_a_bad_value():
    wrong = SAMPLES["pa-NS"].model_construct(**{**dict(SAMPLES["pa-NS"]), "MessageId": ""})

    with pytest.raises(InvalidDocument, match="MessageId"):
        build_message(wrong)


def test_models_refuse_what_the_schema_would():
    with pytest.raises(ValidationError, match="CodiceDestinatario"):
        pa.MetadatiInvioFile(
            IdentificativoSdI=1,
            NomeFile="x",
            CodiceDestinatario="abc",
            Formato="FPA12",
            TentativiInvio=1,
            MessageId="1",
        )
    with pytest.raises(ValidationError, match="Errore"):
        pa.ListaErroriType(Errore=[])
    with pytest.raises(ValidationError, match="versione"):
        pa.MetadatiInvioFile(**{**dict(SAMPLES["pa-MT"]), "versione": "1.1"})


def test_naive_timestamps_are_rome_time_winter_and_summer():
    winter = SAMPLES["pa-MC"]
    summer = winter.model_copy(update={"DataOraRicezione": datetime(2024, 7, 1, 9, 0)})

    assert winter.DataOraRicezione.utcoffset() == timedelta(hours=1)
    assert pa.NotificaMancataConsegna.model_validate(dict(summer)).DataOraRicezione.utcoffset() == timedelta(
        hours=2
    )


# --- signing callback misuse ---------------------------------------------------------------


def test_signer_that_misplaces_the_signature_is_caught(sign):
    def sign_then_move_first(document: bytes) -> bytes:
        root = etree.fromstring(sign(document))
        root.insert(0, root[-1])
        return etree.tostring(root)

    with pytest.raises(InvalidDocument, match="Signature"):
        build_message(SAMPLES["pa-DT"], sign=sign_then_move_first)


def test_signer_that_does_not_sign_is_caught():
    with pytest.raises(InvalidDocument, match="Signature"):
        build_message(SAMPLES["pa-RC"], sign=lambda document: document)
    with pytest.raises(ValueError, match="without a ds:Signature"):
        build_message(SAMPLES["pa-EC"], sign=lambda document: document)


def test_signer_that_changes_the_content_is_caught(sign):
    def sign_other_text(document: bytes) -> bytes:
        return sign(document.replace(b"Decorsi i termini", b"Altro testo"))

    with pytest.raises(ValueError, match="changed the content"):
        build_message(SAMPLES["pa-DT"], sign=sign_other_text)


@pytest.mark.parametrize("key", UNSIGNABLE)
def test_metadata_cannot_be_signed(key, sign):
    with pytest.raises(ValueError, match="no ds:Signature in its schema"):
        build_message(SAMPLES[key], sign=sign)


def test_already_signed_message_is_not_signed_again(official, sign):
    with pytest.raises(ValueError, match="already signed"):
        build_message(parse_message(official("RC")), sign=sign)
