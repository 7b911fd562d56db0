"""SDICoop: submit a file to SDI's SdIRiceviFile web service, a PA recipient's outcome (EC) to
SDI's SdIRiceviNotifica, and LIPE / Dati Fattura files to the Sistema Ricevente's
SdITrasmissioneFile v2.0 (Trasmetti, then Esito until processed) (SOAP 1.1 over mutual TLS).

Each request goes out as plain SOAP with the file inline in base64, which SDI accepts; the answer
is read whether SDI sends it plain or as MTOM. Both are checked against the official XSD, so a
contract mismatch shows up as an error here rather than as a missing IdentificativoSdI later.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import weakref
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from lxml import etree

from fatturahub.sdi import soap
from fatturahub.sdi.channels import sdidati
from fatturahub.sdi.channels.base import (
    Acceptance,
    ChannelConfigurationError,
    DataFileOutcome,
    DataFileReceipt,
    DataFileSubmission,
    OutcomeAnswer,
    OutcomeSubmission,
    Refused,
    Submission,
    TransportError,
)
from fatturahub.sdi.messages.base import ROME

RICEVI_FILE_ACTION = "http://www.fatturapa.it/SdIRiceviFile/RiceviFile"
REQUEST_ELEMENT = "fileSdIAccoglienza"
ANSWER_ELEMENT = "rispostaSdIRiceviFile"
NOTIFICA_ESITO_ACTION = "http://www.fatturapa.it/SdIRicezioneNotifiche/NotificaEsito"
OUTCOME_REQUEST_ELEMENT = "fileSdI"  # SdIRiceviNotifica_v1.0.wsdl: NotificaEsito's input part
OUTCOME_ANSWER_ELEMENT = "rispostaSdINotificaEsito"
DEFAULT_TIMEOUT = 60.0
REFUSAL_REASONS = {
    "EI01": "SDI refused the file: empty file (EI01, file vuoto)",
    "EI02": "SDI refused the file: service unavailable (EI02, servizio non disponibile)",
    "EI03": "SDI refused the file: user not enabled (EI03, utente non abilitato)",
}
_REFUSED = "the Sistema Ricevente refused the file: "
DATA_REFUSAL_REASONS = {
    sdidati.EMPTY_FILE: _REFUSED + "empty file (EI01, file vuoto)",
    sdidati.SERVICE_UNAVAILABLE: _REFUSED + "service unavailable (EI02, servizio non disponibile)",
    sdidati.USER_NOT_ENABLED: _REFUSED + "user not enabled (EI03, utente non abilitato)",
    sdidati.WRONG_FILE_TYPE: _REFUSED + "TipoFile does not fit the file (EI04, tipo file non corretto)",
}


class SdiCoopChannel:
    """A client of SDI's SdIRiceviFile and SdIRiceviNotifica endpoints (https, client certificate)
    or the sandbox's. Without `outcome_endpoint_url` the channel only submits files; without
    `data_endpoint_url` (SdITrasmissioneFile) it cannot transmit LIPE / Dati Fattura files."""

    def __init__(
        self,
        endpoint_url: str,
        *,
        outcome_endpoint_url: str | None = None,
        data_endpoint_url: str | None = None,
        client_cert: Path | None = None,
        client_key: Path | None = None,
        ca_bundle: Path | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if timeout <= 0:
            raise ChannelConfigurationError(f"timeout must be positive, not {timeout}")
        self.endpoint_url = _checked_url(endpoint_url)
        self.outcome_endpoint_url = _checked_url(outcome_endpoint_url) if outcome_endpoint_url else None
        self.data_endpoint_url = _checked_url(data_endpoint_url) if data_endpoint_url else None
        self.timeout = timeout
        self._tls = _tls_context(
            client_cert, client_key, ca_bundle, _stamps(client_cert, client_key, ca_bundle)
        )

    async def submit(self, submission: Submission) -> Acceptance:
        response = await self._post(self.endpoint_url, RICEVI_FILE_ACTION, request_envelope(submission))
        return _acceptance(response)

    async def send_outcome(self, outcome: OutcomeSubmission) -> OutcomeAnswer:
        """NotificaEsito: SDI answers at once whether it takes the EC (ES01) or not (ES00 + SE)."""
        if self.outcome_endpoint_url is None:
            raise ChannelConfigurationError(
                "no outcome_endpoint_url (SdIRiceviNotifica) in the channel settings: cannot send outcomes"
            )
        envelope = outcome_request_envelope(outcome)
        response = await self._post(self.outcome_endpoint_url, NOTIFICA_ESITO_ACTION, envelope)
        return _outcome_answer(response)

    async def transmit_file(self, submission: DataFileSubmission) -> DataFileReceipt:
        """Trasmetti: the Sistema Ricevente answers at once with the IDFile (or Errore EI01-EI04);
        the outcome follows, asked with `file_outcome`."""
        envelope = sdidati.trasmetti(submission.file_name, submission.tipo_file, submission.content)
        response = await self._post(self._data_url(), sdidati.TRASMETTI_ACTION, envelope)
        return _receipt(response)

    async def file_outcome(self, id_file: str) -> DataFileOutcome:
        """Esito: SF01 still processing, SF02 processed (with the EsitoFile), SF03 error."""
        response = await self._post(self._data_url(), sdidati.ESITO_ACTION, sdidati.esito(str(id_file)))
        return _data_outcome(response)

    def _data_url(self) -> str:
        if self.data_endpoint_url is None:
            raise ChannelConfigurationError(
                "no data_endpoint_url (SdITrasmissioneFile) in the channel settings: "
                "cannot transmit LIPE or Dati Fattura files"
            )
        return self.data_endpoint_url

    async def _post(self, url: str, action: str, envelope: bytes) -> httpx.Response:
        headers = {"Content-Type": soap.SOAP_CONTENT_TYPE, "SOAPAction": f'"{action}"'}
        try:
            return await _client(self._tls, self.timeout).post(url, content=envelope, headers=headers)
        except httpx.TimeoutException as exc:
            raise TransportError(f"{url}: no answer within {self.timeout:g}s") from exc
        except httpx.HTTPError as exc:
            raise TransportError(f"{url}: {type(exc).__name__}: {_reason(exc)}") from exc


# Keep-alive clients, per event loop (a client's connections belong to the loop that opened
# them) and per TLS setup: a submission reuses an open mutual-TLS connection instead of a new
# TCP connection and TLS handshake each time.
_CLIENTS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[ssl.SSLContext, float], httpx.AsyncClient]
] = weakref.WeakKeyDictionary()


def _client(tls: ssl.SSLContext, timeout: float) -> httpx.AsyncClient:
    clients = _CLIENTS.setdefault(asyncio.get_running_loop(), {})
    client = clients.get((tls, timeout))
    if client is None or client.is_closed:
        client = clients[(tls, timeout)] = httpx.AsyncClient(verify=tls, timeout=timeout)
    return client


def _reason(error: BaseException) -> str:
    # httpx's own message is often empty (e.g. a TLS peer that hangs up): the cause has the words.
    cause: BaseException | None = error
    while cause is not None and not str(cause):
        cause = cause.__cause__ or cause.__context__
    return str(cause) if cause is not None else "no details"


def request_envelope(submission: Submission) -> bytes:
    """The RiceviFile request, checked against the XSD before it leaves."""
    body = soap.body_element(
        soap.TRASMISSIONE_TYPES,
        REQUEST_ELEMENT,
        [("NomeFile", submission.file_name), ("File", submission.content)],
    )
    return _checked_envelope(body, "RiceviFile")


def outcome_request_envelope(outcome: OutcomeSubmission) -> bytes:
    """The NotificaEsito request, checked against the XSD before it leaves."""
    children: list[tuple[str, str | bytes]] = [
        ("IdentificativoSdI", outcome.identificativo_sdi),
        ("NomeFile", outcome.file_name),
        ("File", outcome.content),
    ]
    body = soap.body_element(soap.RICEZIONE_TYPES, OUTCOME_REQUEST_ELEMENT, children)
    return _checked_envelope(body, "NotificaEsito")


def _checked_envelope(body: etree._Element, operation: str) -> bytes:
    try:
        soap.validate_body(body)
    except soap.SoapError as exc:
        raise ValueError(f"cannot build a valid {operation} request: {exc}") from None
    return soap.envelope(body)


def _acceptance(response: httpx.Response) -> Acceptance:
    message = _answer(response, soap.TRASMISSIONE_TYPES, ANSWER_ELEMENT)
    error = message.text("Errore")
    if error:
        raise Refused(error, REFUSAL_REASONS[error])  # the XSD allows only EI01-EI03
    try:
        return Acceptance(soap.identificativo_sdi(message), _utc(message.text("DataOraRicezione") or ""))
    except (soap.SoapError, ValueError) as exc:
        raise TransportError(f"unexpected RiceviFile answer: {exc}") from None


def _outcome_answer(response: httpx.Response) -> OutcomeAnswer:
    message = _answer(response, soap.RICEZIONE_TYPES, OUTCOME_ANSWER_ELEMENT)
    esito = message.text("Esito") or ""  # the XSD allows only ES00, ES01, ES02
    scarto = message.body.find("ScartoEsito")
    if scarto is None:
        if esito == "ES00":
            raise TransportError("NotificaEsito answered ES00 without the ScartoEsito file")
        return OutcomeAnswer(esito, None, None)
    file = soap.Message(scarto)
    try:
        return OutcomeAnswer(esito, file.text("NomeFile"), file.binary("File"))
    except soap.SoapError as exc:
        raise TransportError(f"unexpected NotificaEsito answer: {exc}") from None


def _receipt(response: httpx.Response) -> DataFileReceipt:
    message = _data_answer(response, sdidati.TRASMETTI_ANSWER)
    error = message.text("Errore")
    if error:
        raise Refused(error, DATA_REFUSAL_REASONS[error])  # the XSD allows only EI01-EI04
    try:
        return DataFileReceipt(
            str(int(message.text("IDFile") or "")), _utc(message.text("DataOraRicezione") or "")
        )
    except ValueError as exc:
        raise TransportError(f"unexpected Trasmetti answer: {exc}") from None


def _data_outcome(response: httpx.Response) -> DataFileOutcome:
    message = _data_answer(response, sdidati.ESITO_ANSWER)
    error = message.text("Errore")  # the XSD allows only EE01, EE02
    if error == sdidati.ESITO_UNAVAILABLE:
        raise TransportError(
            "the Sistema Ricevente is unavailable (EE01, servizio non disponibile): ask again"
        )
    if error == sdidati.ESITO_NOT_ENABLED:
        raise Refused(error, "the Sistema Ricevente refused the request: user not enabled (EE02)")
    state = message.text("Esito") or ""  # SF01, SF02, SF03 (XSD)
    notifica = message.body.find("Notifica")
    if notifica is None:
        if state == sdidati.PROCESSED:
            raise TransportError("Esito answered SF02 without the Notifica (EsitoFile)")
        return DataFileOutcome(state, None, None)
    file = soap.Message(notifica)
    try:
        return DataFileOutcome(state, file.text("NomeFile"), file.binary("File"))
    except soap.SoapError as exc:
        raise TransportError(f"unexpected Esito answer: {exc}") from None


def _data_answer(response: httpx.Response, element: str) -> soap.Message:
    try:
        message = sdidati.read(response.content, response.headers.get("content-type"))
    except soap.SoapError as exc:
        raise TransportError(f"the Sistema Ricevente answered HTTP {response.status_code}: {exc}") from None
    if response.status_code != httpx.codes.OK:
        raise TransportError(f"the Sistema Ricevente answered HTTP {response.status_code}")
    if message.name != element:
        raise TransportError(f"unexpected answer element {message.body.tag}, expected {element}")
    return message


def _answer(response: httpx.Response, namespace: str, element: str) -> soap.Message:
    try:
        message = soap.parse(response.content, response.headers.get("content-type"))
    except soap.SoapError as exc:
        raise TransportError(f"SDI answered HTTP {response.status_code}: {exc}") from None
    if response.status_code != httpx.codes.OK:
        raise TransportError(f"SDI answered HTTP {response.status_code}")
    if (message.namespace, message.name) != (namespace, element):
        raise TransportError(f"unexpected answer element {message.body.tag}, expected {element}")
    return message


def _utc(value: str) -> datetime:
    """An xs:dateTime in UTC; SDI runs on Italian time, so one without an offset is Europe/Rome."""
    moment = datetime.fromisoformat(value.strip())
    return (moment if moment.tzinfo else moment.replace(tzinfo=ROME)).astimezone(UTC)


def _checked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChannelConfigurationError(f"endpoint URL {url!r} is not an http(s) URL")
    return url


def _stamps(*paths: Path | None) -> tuple[float | None, ...]:
    """When each file last changed: a renewed certificate makes a new context, not a stale one."""
    return tuple(Path(p).stat().st_mtime if p is not None and Path(p).is_file() else None for p in paths)


# Loading the trust store takes milliseconds: measured as a third of the send job's time when
# every submission built its own context. Contexts are shared per set of files.
@functools.lru_cache(maxsize=64)
def _tls_context(
    client_cert: Path | None,
    client_key: Path | None,
    ca_bundle: Path | None,
    stamps: tuple[float | None, ...],
) -> ssl.SSLContext:
    """Server verification (a custom CA or the public ones) plus, for SDI, our client certificate."""
    if client_key is not None and client_cert is None:
        raise ChannelConfigurationError("client_key given without client_cert")
    try:
        context = (
            ssl.create_default_context(cafile=str(_readable("ca_bundle", ca_bundle)))
            if ca_bundle is not None
            else httpx.create_ssl_context()
        )
        if client_cert is not None:
            key = _readable("client_key", client_key) if client_key is not None else None
            context.load_cert_chain(_readable("client_cert", client_cert), key, password=_no_password)
    except ssl.SSLError as exc:
        raise ChannelConfigurationError(f"cannot load the TLS certificates: {exc}") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _no_password() -> bytes:
    # Without a callback OpenSSL would prompt on the terminal for the passphrase of an encrypted key.
    raise ChannelConfigurationError(
        "client_key is encrypted: give an unencrypted key readable only by the service user"
    )


def _readable(setting: str, path: Path) -> Path:
    if not Path(path).is_file():
        raise ChannelConfigurationError(f"{setting}: {path} is not a readable file")
    return Path(path)
