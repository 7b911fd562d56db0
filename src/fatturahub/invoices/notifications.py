"""SDI's notifications about our invoices: kept verbatim, matched, and applied to the state.

A notification is matched by IdentificativoSdI and its file name (which starts with the name of
the invoice file we reserved before sending), else by the file name alone. The same file
delivered twice is kept once; one that arrives out of order is kept and applied only if it moves
the invoice forward.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fatturahub.fatturapa.issues import FatturaPAError
from fatturahub.fatturapa.naming import InvalidFileName, NotificationFileName
from fatturahub.invoices import events
from fatturahub.invoices.models import Invoice, Notification
from fatturahub.invoices.service import move
from fatturahub.invoices.states import InvoiceState, Outcome, after
from fatturahub.sdi.messages import notification_type, parse_message

log = logging.getLogger("fatturahub.invoices")
NAME_ALREADY_USED = "00002"  # NS for a file name SDI has seen: our retry of a file it already took


def _summary(message: Any) -> dict[str, Any]:
    """The parts of a notification the ERP cares about, as plain data."""
    summary: dict[str, Any] = {}
    errors = getattr(getattr(message, "ListaErrori", None), "Errore", None)
    if errors:
        summary["errors"] = [
            {"code": e.Codice, "message": e.Descrizione, "hint": getattr(e, "Suggerimento", None)}
            for e in errors
        ]
    esito = getattr(getattr(message, "EsitoCommittente", None), "Esito", None)
    if esito is not None:
        summary["esito"] = str(esito)
        summary["descrizione"] = getattr(message.EsitoCommittente, "Descrizione", None)
    for field in ("DataOraRicezione", "DataOraConsegna", "Descrizione", "Note"):
        value = getattr(message, field, None)
        if value is not None:
            summary[field] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return summary


def outcome_of(type_code: str, summary: dict[str, Any]) -> Outcome | None:
    if type_code == "NE":
        return Outcome.ACCEPTED if summary.get("esito") == "EC01" else Outcome.REFUSED
    return {
        "RC": Outcome.DELIVERED,
        "NS": Outcome.REJECTED,
        "MC": Outcome.NOT_DELIVERED,
        "DT": Outcome.EXPIRED,
        "AT": Outcome.UNDELIVERABLE,
    }.get(type_code)


# Built once: every notification runs them.
_BY_IDENTIFICATIVO = select(Invoice).where(Invoice.identificativo_sdi == bindparam("identificativo_sdi"))
_BY_FILE_NAME = select(Invoice).where(Invoice.file_name.in_(bindparam("names", expanding=True)))
_ALREADY_RECORDED = select(Notification.id).where(Notification.file_name == bindparam("file_name"))


async def _match(session: AsyncSession, identificativo_sdi: str, file_name: str) -> Invoice | None:
    """The invoice holding `identificativo_sdi` whose file the notification's name is about; else
    the invoice of that file. An identificativo alone is not trusted: a sandbox restarted against
    the same database numbers from 1 again, and SDI's own notifications always name the file."""
    try:
        stem = NotificationFileName.parse(file_name).invoice_stem
    except InvalidFileName:
        stem = None
    names = [f"{stem}.xml", f"{stem}.xml.p7m", f"{stem}.zip"] if stem else []
    for invoice in await session.scalars(_BY_IDENTIFICATIVO, {"identificativo_sdi": identificativo_sdi}):
        if not names or invoice.file_name in names:
            return invoice
    return await session.scalar(_BY_FILE_NAME, {"names": names}) if names else None


# The SOAP operation a notification came with, when its file cannot be read.
TYPE_BY_OPERATION = {
    "RicevutaConsegna": "RC",
    "NotificaScarto": "NS",
    "NotificaMancataConsegna": "MC",
    "NotificaEsito": "NE",
    "NotificaDecorrenzaTermini": "DT",
    "AttestazioneTrasmissioneFattura": "AT",
}


async def record_notification(
    session: AsyncSession, *, operation: str, identificativo_sdi: str, file_name: str, content: bytes
) -> Notification | None:
    """Keep and apply one notification; None when this very file was already recorded.

    A file we cannot read is still kept verbatim (and the ERP told), but it moves nothing:
    refusing it would only make SDI deliver it again, forever."""
    if await session.scalar(_ALREADY_RECORDED, {"file_name": file_name}):
        return None
    try:
        message = parse_message(content)
        type_code, summary = str(notification_type(message)), _summary(message)
    except FatturaPAError as exc:
        log.warning("unreadable SDI notification %s kept as it is: %s", file_name, exc)
        message, type_code, summary = None, TYPE_BY_OPERATION[operation], {"unreadable": str(exc)}
    invoice = await _match(session, identificativo_sdi, file_name)
    applied = False
    if invoice is not None and message is not None:
        applied = await _apply(session, invoice, type_code, summary, identificativo_sdi)
    notification = Notification(  # added once applied: inserted whole, not inserted then updated
        invoice_id=invoice.id if invoice else None,
        type=type_code,
        file_name=file_name,
        identificativo_sdi=identificativo_sdi,
        content=content,
        summary=summary,
        applied=applied,
    )
    session.add(notification)
    if invoice is not None:
        await events.publish_invoice(
            session,
            invoice,
            "invoice.notification_received",
            notification={"type": type_code, "file_name": file_name, "summary": summary},
        )
    await session.flush()
    return notification


async def _apply(
    session: AsyncSession, invoice: Invoice, type_code: str, summary: dict[str, Any], identificativo_sdi: str
) -> bool:
    codes = {e["code"] for e in summary.get("errors", [])}
    if type_code == "NS" and codes == {NAME_ALREADY_USED}:
        return False  # our retry of a file SDI already took: its own notifications follow by name
    outcome = outcome_of(type_code, summary)
    for _ in range(3):  # re-read and re-decide if the state changed under us
        # SDI speaks of the file it took: after a retry answered 00002, its id replaces the
        # retry's (set again after each re-read: the refresh in `move` forgets it)
        invoice.identificativo_sdi = identificativo_sdi
        target = after(InvoiceState(invoice.state), outcome) if outcome else None
        if target is None:
            return False
        if await move(session, invoice, target):
            if type_code == "NS":
                invoice.errors = {"items": summary.get("errors", [])}
            return True
    return False


class NotificationRecorder:
    """The TrasmissioneFatture endpoint's sink: one transaction per notification."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def __call__(
        self, *, operation: str, identificativo_sdi: str, file_name: str, content: bytes
    ) -> None:
        async with self.sessions() as session:
            await record_notification(
                session,
                operation=operation,
                identificativo_sdi=identificativo_sdi,
                file_name=file_name,
                content=content,
            )
            await session.commit()
