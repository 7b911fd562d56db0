"""SdITrasmissioneFile v2.0 ("SDIDati"): the Agenzia's Sistema Ricevente for LIPE and Dati Fattura
files. Messages of the official contract (SdITrasmissioneFile_v2.0.wsdl, TrasmissioneFileTypes_v2.0.xsd):

    Trasmetti  file{NomeFile, TipoFile, File}  ->  rispostaFile{IDFile, DataOraRicezione, Errore?}
    Esito      esito{IDFile}                   ->  rispostaEsito{Esito, Notifica?{NomeFile, File},
                                                                 DettaglioArchivio*, Errore?}

Document/literal: only the body element is namespaced, its children are unqualified. Shared by our
client (`SdiCoopChannel.transmit_file` / `file_outcome`) and the sandbox that plays the Sistema
Ricevente; every message is checked against the official XSD on both sides.
"""

from __future__ import annotations

from lxml import etree

from fatturahub.fatturapa import schemas
from fatturahub.sdi import soap

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/wsdl/trasmissionefile/v2.0"
XSD = "sdicoop/TrasmissioneFileTypes_v2.0.xsd"
WSDL = "sdicoop/SdITrasmissioneFile_v2.0.wsdl"
TRASMETTI_ACTION = "http://ivaservizi.agenziaentrate.gov.it/SdITrasmissioneFile/Trasmetti"
ESITO_ACTION = "http://ivaservizi.agenziaentrate.gov.it/SdITrasmissioneFile/Esito"
TRASMETTI_REQUEST = "file"
TRASMETTI_ANSWER = "rispostaFile"
ESITO_REQUEST = "esito"
ESITO_ANSWER = "rispostaEsito"
ACTIONS = {TRASMETTI_REQUEST: TRASMETTI_ACTION, ESITO_REQUEST: ESITO_ACTION}

# Errore of rispostaFile (ErroreInvio_Type) and of rispostaEsito (Errore_Type)
EMPTY_FILE = "EI01"
SERVICE_UNAVAILABLE = "EI02"
USER_NOT_ENABLED = "EI03"
WRONG_FILE_TYPE = "EI04"
ESITO_UNAVAILABLE = "EE01"
ESITO_NOT_ENABLED = "EE02"
# Esito of rispostaEsito (StatoFile_Type)
PROCESSING = "SF01"
PROCESSED = "SF02"
FAILED = "SF03"


def body(name: str, children: list[tuple[str, str | bytes]]) -> etree._Element:
    """`<tns:name><Child>…</Child>…</tns:name>`; bytes are written inline in base64."""
    return soap.body_element(NAMESPACE, name, children)


def validate(element: etree._Element) -> None:
    """Raise SoapError when `element` breaks the official TrasmissioneFileTypes_v2.0.xsd."""
    if etree.QName(element).namespace != NAMESPACE:
        raise soap.SoapError(f"unexpected body element {element.tag}")
    detached = etree.ElementTree(etree.fromstring(etree.tostring(element)))
    issues = schemas.validate(detached, schemas.schema(XSD))
    if issues:
        raise soap.SoapError("; ".join(f"{i.path}: {i.message}" for i in issues))


def read(data: bytes, content_type: str | None) -> soap.Message:
    """The body element of a plain or MTOM SOAP 1.1 message, checked against the XSD."""
    message = soap.parse(data, content_type, validate=False)
    validate(message.body)
    return message


def trasmetti(file_name: str, tipo_file: str, content: bytes) -> bytes:
    """The Trasmetti request envelope (checked before it leaves: ValueError if it breaks the XSD)."""
    element = body(TRASMETTI_REQUEST, [("NomeFile", file_name), ("TipoFile", tipo_file), ("File", content)])
    return _checked(element, "Trasmetti")


def esito(id_file: str) -> bytes:
    """The Esito request envelope."""
    return _checked(body(ESITO_REQUEST, [("IDFile", id_file)]), "Esito")


def _checked(element: etree._Element, operation: str) -> bytes:
    try:
        validate(element)
    except soap.SoapError as exc:
        raise ValueError(f"cannot build a valid {operation} request: {exc}") from None
    return soap.envelope(element)
