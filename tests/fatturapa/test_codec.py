"""XML codec: parse, serialize, round trip, lexical fidelity, signatures, JSON form."""

from __future__ import annotations

import base64
import json
import threading
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree
from tests.support.samples import DATA, OFFICIAL, OFFICIAL_INVOICES

from fatturahub import fatturapa
from fatturahub.fatturapa import schemas
from fatturahub.fatturapa.canonical import canonical
from fatturahub.fatturapa.model import ordinaria

V122 = "fatturapa/Schema_del_file_xml_FatturaPA_v1.2.2.xsd"
V123 = "fatturapa/Schema_del_file_xml_FatturaPA_v1.2.3.xsd"


def _round_trip(data: bytes) -> bytes:
    return fatturapa.serialize(fatturapa.parse(data))


def _replace(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, old
    return data.replace(old, new, 1)


@pytest.mark.parametrize("path", OFFICIAL_INVOICES, ids=lambda p: p.name)
def test_official_samples_round_trip_losslessly_and_stay_valid(path):
    data = path.read_bytes()
    out = _round_trip(data)
    assert out.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert canonical(out) == canonical(data)
    assert fatturapa.validate(out) == []


@pytest.mark.parametrize("path", OFFICIAL_INVOICES, ids=lambda p: p.name)
def test_official_samples_parse_as_v122_documents_too(path):
    data = path.read_bytes()
    tree = etree.fromstring(data)
    assert schemas.validate(tree, schemas.schema(V122)) == []
    assert fatturapa.parse(data).versione in ("FPA12", "FPR12")


def test_parsed_values_are_typed(fpr01):
    document = fatturapa.parse(fpr01)
    body = document.FatturaElettronicaBody[0]
    general = body.DatiGenerali.DatiGeneraliDocumento
    assert general.TipoDocumento is ordinaria.TipoDocumento.TD01
    assert general.TipoDocumento.meaning == "Fattura"
    assert isinstance(general.Data, date)
    summary = body.DatiBeniServizi.DatiRiepilogo[0]
    assert summary.AliquotaIVA == Decimal("22.00")
    assert isinstance(summary.Imposta, Decimal)
    header = document.FatturaElettronicaHeader
    assert header.CedentePrestatore.DatiAnagrafici.RegimeFiscale is ordinaria.RegimeFiscale.RF19


def test_every_body_of_a_lotto_is_read(lotto):
    document = fatturapa.parse(lotto)
    numbers = [b.DatiGenerali.DatiGeneraliDocumento.Numero for b in document.FatturaElettronicaBody]
    assert numbers == ["12", "456"]


def test_non_canonical_lexical_forms_survive(fpr01):
    data = _replace(fpr01, b"<NumeroLinea>1</NumeroLinea>", b"<NumeroLinea>01</NumeroLinea>")
    data = _replace(data, b"<AliquotaIVA>22.00</AliquotaIVA>", b"<AliquotaIVA>022.00</AliquotaIVA>")
    data = _replace(data, b"<Data>2014-12-18</Data>", b"<Data>2014-12-18Z</Data>")
    assert fatturapa.validate(data) == []
    document = fatturapa.parse(data)
    line = document.FatturaElettronicaBody[0].DatiBeniServizi.DettaglioLinee[0]
    assert line.NumeroLinea == 1 and line.AliquotaIVA == Decimal("22.00")
    assert canonical(fatturapa.serialize(document)) == canonical(data)


def test_datetime_fraction_and_offset_survive():
    data = (OFFICIAL / "v1.2" / "IT01234567890_FPA03.xml").read_bytes()
    assert b"2017-01-10T16:46:12.000+02:00" in data
    assert b"16:46:12.000+02:00" in _round_trip(data)


def _with_attachment(data: bytes, payload: bytes, *, line_length: int | None = None) -> bytes:
    encoded = base64.b64encode(payload).decode()
    if line_length:
        encoded = "\n".join(encoded[i : i + line_length] for i in range(0, len(encoded), line_length))
    block = (
        "<Allegati><NomeAttachment>contratto.pdf</NomeAttachment>"
        "<FormatoAttachment>PDF</FormatoAttachment>"
        f"<Attachment>{encoded}</Attachment></Allegati>"
    ).encode()
    return _replace(data, b"</FatturaElettronicaBody>", block + b"</FatturaElettronicaBody>")


@pytest.mark.parametrize("line_length", [None, 76])
def test_attachments_round_trip_byte_exact(fpr01, line_length):
    payload = bytes(range(256)) * 50
    data = _with_attachment(fpr01, payload, line_length=line_length)
    document = fatturapa.parse(data)
    assert document.FatturaElettronicaBody[0].Allegati[0].Attachment == payload
    assert canonical(fatturapa.serialize(document)) == canonical(data)


SIGNATURE = (
    b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="sig-1"><ds:SignedInfo>'
    b'<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
    b'<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    b'<ds:Reference URI=""><ds:Transforms><ds:Transform '
    b'Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>'
    b'<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
    b"<ds:DigestValue>q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=</ds:DigestValue></ds:Reference>"
    b"</ds:SignedInfo><ds:SignatureValue>AAECAwQFBgcICQ==</ds:SignatureValue></ds:Signature>"
)


def test_enveloped_signature_is_kept_verbatim_or_dropped_on_purpose(fpr01):
    data = _replace(fpr01, b"</p:FatturaElettronica>", SIGNATURE + b"</p:FatturaElettronica>")
    assert fatturapa.validate(data) == []
    document = fatturapa.parse(data)
    assert "AAECAwQFBgcICQ==" in document.Signature
    assert canonical(fatturapa.serialize(document)) == canonical(data)

    unsigned = document.model_copy(update={"Signature": None})
    out = fatturapa.serialize(unsigned)
    assert b"Signature" not in out
    assert canonical(out) == canonical(fpr01)


def test_processing_instructions_and_root_attributes_are_kept(fpr01):
    data = _replace(
        fpr01,
        b"<p:FatturaElettronica",
        b'<?xml-stylesheet type="text/xsl" href="fatturaPA.xsl"?>\n<p:FatturaElettronica',
    )
    data = _replace(data, b'versione="FPR12"', b'versione="FPR12" SistemaEmittente="ERP-X"')
    document = fatturapa.parse(data)
    assert document.SistemaEmittente == "ERP-X"
    out = fatturapa.serialize(document)
    assert b"<?xml-stylesheet" in out
    assert canonical(out) == canonical(data)


def test_the_json_form_is_fatturapa_and_converts_back(lotto):
    document = fatturapa.parse(lotto)
    text = document.model_dump_json(exclude_none=True, exclude_defaults=True)
    raw = json.loads(text)
    assert raw["versione"] == "FPA12"
    assert list(raw["FatturaElettronicaHeader"])[:2] == ["DatiTrasmissione", "CedentePrestatore"]
    assert raw["FatturaElettronicaBody"][0]["DatiBeniServizi"]["DettaglioLinee"][0]["PrezzoTotale"]
    again = fatturapa.from_json(text)
    assert fatturapa.validate(again) == []
    assert again.model_dump() == document.model_dump()


def test_json_amounts_are_written_with_the_decimals_the_schema_wants(fpr01):
    raw = json.loads(fatturapa.parse(fpr01).model_dump_json(exclude_none=True))
    summary = raw["FatturaElettronicaBody"][0]["DatiBeniServizi"]["DatiRiepilogo"][0]
    summary["AliquotaIVA"], summary["Imposta"] = "22", "1E+1"
    out = fatturapa.serialize(fatturapa.from_json(json.dumps(raw)))
    assert b"<AliquotaIVA>22.00</AliquotaIVA>" in out
    assert b"<Imposta>10.00</Imposta>" in out


def test_json_errors_name_the_element(fpr01):
    raw = json.loads(fatturapa.parse(fpr01).model_dump_json())
    raw["FatturaElettronicaBody"][0]["DatiGenerali"]["DatiGeneraliDocumento"]["TipoDocumento"] = "TD99"
    del raw["FatturaElettronicaHeader"]["CedentePrestatore"]
    with pytest.raises(fatturapa.InvalidDocument) as caught:
        fatturapa.from_json(json.dumps(raw))
    paths = {issue.path for issue in caught.value.issues}
    assert "/FatturaElettronica/FatturaElettronicaHeader/CedentePrestatore" in paths
    assert (
        "/FatturaElettronica/FatturaElettronicaBody[1]/DatiGenerali/DatiGeneraliDocumento/TipoDocumento"
        in paths
    )
    with pytest.raises(fatturapa.InvalidDocument):
        fatturapa.from_json(b"{not json")


def test_schema_errors_carry_code_path_and_message(fpr01):
    data = _replace(fpr01, b"<Data>2014-12-18</Data>", b"<Data>18/12/2014</Data>")
    with pytest.raises(fatturapa.InvalidDocument) as caught:
        fatturapa.parse(data)
    [issue] = caught.value.issues
    assert issue.code == "00200"
    assert issue.path == "/FatturaElettronica/FatturaElettronicaBody/DatiGenerali/DatiGeneraliDocumento/Data"
    assert "18/12/2014" in issue.message


def test_more_than_fifty_format_errors_end_with_00201(fpr01):
    causali = b"".join(b"<Causale>\xe2\x82\xac</Causale>" for _ in range(60))
    data = _replace(fpr01, b"<Numero>123</Numero>", b"<Numero>123</Numero>" + causali)
    issues = fatturapa.validate(data)
    assert len(issues) == 51 and issues[-1].code == "00201"


def test_concurrent_validations_each_get_their_own_errors(fpr01):
    """lxml keeps the error log on the schema object: threads validating at once (the inbox reads
    in a thread while requests validate on the loop) must not see each other's errors, or none."""
    invalid = _replace(fpr01, b"<Data>2014-12-18</Data>", b"<Data>18/12/2014</Data>")
    wrong: list[list] = []
    compiled: list[etree.XMLSchema] = []  # kept alive, so their ids stay distinct

    def validate_many(data: bytes) -> None:
        tree = etree.fromstring(data)
        compiled.append(schemas.schema(V123))
        for _ in range(1500):  # as every caller does: the schema asked for where it is used
            issues = schemas.validate(tree, schemas.schema(V123))
            if (data == invalid) != any("18/12/2014" in issue.message for issue in issues):
                wrong.append(issues)

    threads = [threading.Thread(target=validate_many, args=(data,)) for data in (invalid, fpr01, fpr01)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert len({id(schema) for schema in compiled}) == len(threads)  # a compiled copy each


def test_lenient_reading_keeps_an_invalid_document_and_lists_its_deviations(fpr01):
    data = _replace(fpr01, b"<Numero>123</Numero>", b"<Numero>123</Numero><Extra>x</Extra>")
    data = _replace(data, b"<AliquotaIVA>22.00</AliquotaIVA>", b"<AliquotaIVA>ventidue</AliquotaIVA>")
    reading = fatturapa.read(data, lenient=True)
    assert not reading.valid
    messages = " ".join(issue.message for issue in reading.errors)
    assert "'Extra'" in messages and "ventidue" in messages
    body = reading.document.FatturaElettronicaBody[0]
    assert body.DatiGenerali.DatiGeneraliDocumento.Numero == "123"
    assert body.DatiBeniServizi.DettaglioLinee[0].AliquotaIVA is None  # unreadable: left out
    assert body.DatiBeniServizi.DatiRiepilogo[0].AliquotaIVA == Decimal("22.00")
    with pytest.raises(fatturapa.InvalidDocument):
        fatturapa.parse(data)


def test_semplificata_reads_writes_and_validates():
    data = (DATA / "semplificata.xml").read_bytes()
    reading = fatturapa.read(data)
    assert reading.valid, reading.errors
    assert reading.format == "FSM10"
    assert isinstance(reading.document, fatturapa.FatturaElettronicaSemplificata)
    assert reading.document.FatturaElettronicaBody[0].DatiBeniServizi[0].Importo == Decimal("122.00")
    assert canonical(fatturapa.serialize(reading.document)) == canonical(data)
    again = fatturapa.from_json(reading.document.model_dump_json(exclude_none=True))
    assert fatturapa.validate(again) == []


def test_v123_only_codes_parse(fpr01):
    data = _replace(fpr01, b"<RegimeFiscale>RF19</RegimeFiscale>", b"<RegimeFiscale>RF20</RegimeFiscale>")
    data = _replace(data, b"<TipoDocumento>TD01</TipoDocumento>", b"<TipoDocumento>TD29</TipoDocumento>")
    document = fatturapa.parse(data)
    assert document.FatturaElettronicaBody[0].DatiGenerali.DatiGeneraliDocumento.TipoDocumento == "TD29"
    assert schemas.validate(etree.fromstring(data), schemas.schema(V122)) != []


def test_the_retired_2014_format_is_refused_with_a_clear_error():
    for name in ("IT01234567890_11111.xml", "IT01234567890_11111.xml.p7m"):
        with pytest.raises(fatturapa.UnsupportedVersion, match="no longer accepted"):
            fatturapa.read((OFFICIAL / "legacy-2014" / name).read_bytes())


def test_other_xml_is_not_an_invoice():
    with pytest.raises(fatturapa.NotAnInvoice, match="RicevutaConsegna"):
        fatturapa.read((OFFICIAL / "messaggi" / "IT01234567890_11111_RC_001.xml").read_bytes())


def test_remembered_text_survives_copies_and_pickling():
    import copy
    import pickle

    data = (OFFICIAL / "v1.2" / "IT01234567890_FPA03.xml").read_bytes()
    document = fatturapa.parse(data)
    for clone in (
        copy.deepcopy(document),
        document.model_copy(deep=True),
        pickle.loads(pickle.dumps(document)),
    ):
        assert b"16:46:12.000+02:00" in fatturapa.serialize(clone)
