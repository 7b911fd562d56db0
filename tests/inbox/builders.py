"""Received files for the tests: official samples re-addressed to our companies, and SDI's
metadata file for them."""

from __future__ import annotations

import base64
import itertools
import random
from datetime import date

from lxml import etree
from tests.support.samples import OFFICIAL

from fatturahub.sdi.messages import build_message, pa

SAMPLES = OFFICIAL / "v1.2"
_IDS = itertools.count(random.randrange(10**9, 10**11, 10**6))
_FILES = itertools.count(1)


def identificativo() -> str:
    return str(next(_IDS))


def file_name(extension: str = ".xml") -> str:
    return f"IT01234567890_{next(_FILES) % 100000:05d}{extension}"


def invoice(
    recipient_vat: str | None,
    *,
    sample: str = "FPR01",
    numero: str = "123",
    tipo: str = "TD01",
    data: date | None = None,
    supplier_cf: str | None = None,
    supplier_name: str | None = None,
    attachment: bytes | None = None,
) -> bytes:
    """An official sample with its recipient (and every body's number and type) replaced."""
    tree = etree.parse(str(SAMPLES / f"IT01234567890_{sample}.xml"))
    root = tree.getroot()
    if recipient_vat:
        dati = root.find("FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici")
        vat = etree.Element("IdFiscaleIVA")
        etree.SubElement(vat, "IdPaese").text = "IT"
        etree.SubElement(vat, "IdCodice").text = recipient_vat
        dati.insert(0, vat)
    cedente = root.find("FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici")
    if supplier_cf:
        cf = cedente.find("CodiceFiscale")
        if cf is None:
            cf = etree.Element("CodiceFiscale")
            cedente.insert(1, cf)
        cf.text = supplier_cf
    if supplier_name:
        cedente.find("Anagrafica/Denominazione").text = supplier_name
    for position, body in enumerate(root.findall("FatturaElettronicaBody"), start=1):
        general = body.find("DatiGenerali/DatiGeneraliDocumento")
        general.find("Numero").text = numero if position == 1 else f"{numero}-{position}"
        general.find("TipoDocumento").text = tipo
        if data is not None:
            general.find("Data").text = data.isoformat()
        if attachment is not None:
            block = etree.SubElement(body, "Allegati")
            etree.SubElement(block, "NomeAttachment").text = "contratto.txt"
            etree.SubElement(block, "FormatoAttachment").text = "TXT"
            etree.SubElement(block, "Attachment").text = base64.b64encode(attachment).decode()
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def metadata(identificativo_sdi: str, name: str, codice_destinatario: str = "0000000") -> bytes:
    message = pa.MetadatiInvioFile(
        IdentificativoSdI=int(identificativo_sdi),
        NomeFile=name,
        CodiceDestinatario=codice_destinatario,
        Formato="FPR12",
        TentativiInvio=1,
        MessageId="1234567",
    )
    return build_message(message)


def codice_destinatario() -> str:
    return "".join(random.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=7))
