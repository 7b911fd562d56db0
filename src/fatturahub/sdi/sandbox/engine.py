"""The simulated SDI: takes files, processes them one by one in arrival order, answers for the
recipient, keeps the PA deadlines, and queues every notification for delivery. On the passive
side it delivers supplier invoices to a recipient, judges the recipient's outcomes (EC) and sends
DT when the recipient stays silent.

State lives in memory (it is a sandbox: a restart forgets everything). All of it is changed on
the event loop only: CPU work (checks, signatures) runs in a thread on values copied beforehand,
and every change that spans an `await` holds `_lock`, so concurrent requests see whole steps.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from fatturahub.fatturapa.controls import DuplicateKey
from fatturahub.fatturapa.naming import InvalidFileName, InvoiceFileName, NotificationType
from fatturahub.sdi.messages import EsitoCommittenteType, Flow, Message, ScartoType, pa
from fatturahub.sdi.sandbox import checks, notices, passive
from fatturahub.sdi.sandbox.certificate import throwaway_signer
from fatturahub.sdi.sandbox.clock import VirtualClock
from fatturahub.sdi.sandbox.config import SandboxConfig
from fatturahub.sdi.sandbox.delivery import (
    Backoff,
    Outbox,
    invoice_parcel,
    notification_parcel,
    recipient_notification_parcel,
)
from fatturahub.sdi.sandbox.generate import InvoiceSpec, generate
from fatturahub.sdi.sandbox.sealing import Sealer
from fatturahub.sdi.sandbox.state import (
    OUTCOME_TERM,
    Deadline,
    FileStatus,
    InvoiceDelivery,
    ReceivedFile,
    ReceivedOutcome,
    SentNotification,
)

ATTESTATION_DELAY = timedelta(days=10)  # from MC to AT, for a PA
SCHEDULER_PERIOD_SECONDS = 5.0  # deadlines are days apart: a coarse check is enough
MAX_IDENTIFICATIVO = 10**12 - 1
B2B_FORMATS = {"FPR12", "FSM10"}
log = logging.getLogger("fatturahub.sdi.sandbox")


class NotRunning(RuntimeError):
    """The sandbox's background tasks are not running (its lifespan was not entered)."""


class OutcomeRefused(ValueError):
    """The file is not waiting for a PA's outcome."""


class NoRecipient(RuntimeError):
    """The sandbox was started without `invoices_url`: it has nowhere to deliver invoices."""


@dataclass(frozen=True)
class OutcomeVerdict:
    """SDI's answer to a recipient's EC: ES01, or ES00 with the ScartoEsitoCommittente file."""

    esito: str
    scarto_file_name: str | None = None
    scarto: bytes | None = None


@dataclass(frozen=True)
class Fired:
    identificativo_sdi: int
    type: NotificationType


class Sandbox:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = VirtualClock()
        self.signer = throwaway_signer()
        self.sealer = Sealer(self.signer)  # signs every notification: its parts prepared once
        self.unreachable: frozenset[str] = frozenset(config.unreachable)
        self._files: dict[int, ReceivedFile] = {}
        # indexes of _files for the checks of each new file, which would otherwise read them all
        self._first_by_stem: dict[str, int] = {}  # name without extension -> first IdentificativoSdI
        self._by_key: dict[DuplicateKey, list[ReceivedFile]] = {}  # 00404 key -> files carrying it
        self._deliveries: dict[int, InvoiceDelivery] = {}
        # never reset: the sender's records must not see an IdentificativoSdI twice
        self._last_identificativo = 0
        self._last_message_id = 0
        self._generated = 0  # never reset either: generated file names stay unique
        self._running = False
        self.outbox = self._outbox(config.notifications_url)
        self.recipient_outbox = self._outbox(config.invoices_url) if config.invoices_url else None
        self._new_loop_state()

    def _outbox(self, url: str) -> Outbox:
        config = self.config
        backoff = Backoff(config.retry_initial_seconds, config.retry_max_seconds)
        return Outbox(
            url,
            backoff=backoff,
            timeout=config.delivery_timeout_seconds,
            now=self.clock.now,
            concurrency=config.delivery_concurrency,
        )

    # lifecycle

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the processing, delivery and deadline loops for the duration of the block."""
        self._new_loop_state()
        loops = [self._process_loop, self.outbox.run, self._deadline_loop]
        if self.recipient_outbox is not None:
            loops.append(self.recipient_outbox.run)
        tasks = [asyncio.create_task(loop()) for loop in loops]
        self._running = True
        try:
            yield
        finally:
            self._running = False
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _new_loop_state(self) -> None:
        """asyncio primitives belong to one event loop: a restarted app gets new ones, and picks
        up the files it had not processed yet (undelivered notifications stay in the outbox)."""
        self._lock = asyncio.Lock()
        self._intake: asyncio.Queue[ReceivedFile] = asyncio.Queue()
        for file in self.files():
            if file.status is FileStatus.RECEIVED:
                self._intake.put_nowait(file)

    # SdIRiceviFile

    def receive(self, file_name: str, content: bytes) -> ReceivedFile:
        """Take a file (the synchronous answer); processing follows in the background."""
        self._check_running()
        file = ReceivedFile(self._next_identificativo(), file_name, content, self.clock.now())
        self._files[file.identificativo_sdi] = file
        self._first_by_stem.setdefault(_stem(file_name), file.identificativo_sdi)
        self._intake.put_nowait(file)
        return file

    def _check_running(self) -> None:
        if not self._running:
            raise NotRunning("the sandbox is not running")

    def _next_identificativo(self) -> int:
        """One counter for received and delivered files: SDI's identifiers are unique."""
        if self._last_identificativo >= MAX_IDENTIFICATIVO:
            raise NotRunning("IdentificativoSdI exhausted")
        self._last_identificativo += 1
        return self._last_identificativo

    # RicezioneFatture: delivering supplier invoices to the recipient

    async def deliver_generated(self, spec: InvoiceSpec) -> InvoiceDelivery:
        """Make up a supplier's invoice for the recipient in `spec` and deliver it."""
        self._check_running()
        self._recipient_outbox()  # refuse before making up a file that cannot go anywhere
        self._generated += 1
        today = self.clock.now().date()
        invoice = await asyncio.to_thread(
            generate, spec, serial=self._generated, today=today, signer=self.signer
        )
        facts = passive.InvoiceFacts(spec.formato, spec.codice_destinatario)
        return await self.deliver(invoice.file_name, invoice.content, facts)

    async def deliver(
        self, file_name: str, content: bytes, facts: passive.InvoiceFacts | None = None
    ) -> InvoiceDelivery:
        """Deliver a file as SDI does: a new IdentificativoSdI, the metadata file, RiceviFatture
        retried until the recipient answers ER01. `facts` default to what the file says."""
        self._check_running()
        outbox = self._recipient_outbox()
        facts = facts or await asyncio.to_thread(passive.invoice_facts, content)
        async with self._lock:
            identificativo = self._next_identificativo()
            content_hash = hashlib.sha256(content).hexdigest()
            metadata_name, metadata = await asyncio.to_thread(
                passive.metadata, identificativo, file_name, content_hash, facts, self._message_id()
            )
            delivery = InvoiceDelivery(
                identificativo_sdi=identificativo,
                file_name=file_name,
                content=content,
                metadata_file_name=metadata_name,
                metadata=metadata,
                format=facts.formato,
                codice_destinatario=facts.codice_destinatario,
                created_at=self.clock.now(),
            )
            self._deliveries[identificativo] = delivery
            outbox.put(invoice_parcel(delivery))
            return delivery

    def _recipient_outbox(self) -> Outbox:
        if self.recipient_outbox is None:
            raise NoRecipient("the sandbox has no invoices_url: it cannot deliver invoices")
        return self.recipient_outbox

    # SdIRiceviNotifica: the recipient's outcome

    async def take_outcome(self, identificativo_sdi: int, file_name: str, content: bytes) -> OutcomeVerdict:
        """Judge an EC as SDI does: ES01 forwards it to the supplier (NE); ES00 answers with an SE
        (EN00 unreadable or unknown invoice, EN01 not admissible: late, after DT, answered)."""
        self._check_running()
        async with self._lock:
            now = self.clock.now()
            outcome, problem = _read_outcome(content)
            if outcome is not None:  # the EC names its invoice; the SOAP field is only a fallback
                identificativo_sdi = outcome.IdentificativoSdI
            delivery = self._deliveries.get(identificativo_sdi)
            problem = problem or _inadmissible(delivery, now, outcome)
            if problem is None:
                await self._forward_outcome(delivery, outcome)
                verdict = OutcomeVerdict("ES01")
            else:
                verdict = await self._refuse_outcome(
                    identificativo_sdi, outcome, delivery, file_name, problem
                )
            if delivery is not None:
                delivery.outcomes.append(_received(file_name, content, now, outcome, verdict, problem))
            return verdict

    async def _forward_outcome(self, delivery: InvoiceDelivery, outcome: pa.NotificaEsitoCommittente) -> None:
        message = passive.supplier_outcome(delivery, outcome, self._message_id())
        delivery.to_supplier.append(await self._sealed(message, delivery))
        if outcome.RiferimentoFattura is None:
            delivery.outcome = outcome.Esito
        else:  # one body of a lotto, answered on its own: the others stay open
            delivery.answered.add(_body(outcome))

    async def _refuse_outcome(
        self,
        identificativo_sdi: int,
        outcome: pa.NotificaEsitoCommittente | None,
        delivery: InvoiceDelivery | None,
        file_name: str,
        problem: tuple[ScartoType, str],
    ) -> OutcomeVerdict:
        code, reason = problem
        message = passive.scarto(identificativo_sdi, outcome, code, reason, self._message_id())
        name = passive.scarto_file_name(delivery, file_name)
        content = await asyncio.to_thread(notices.seal, message, self.sealer)
        if delivery is not None:
            now = self.clock.now()
            sent = SentNotification(message.TYPE_CODE, name, message.MessageId, now, content, now, attempts=1)
            delivery.to_recipient.append(sent)  # delivered in the answer itself
        return OutcomeVerdict("ES00", name, content)

    async def _sealed(self, message: Message, delivery: InvoiceDelivery) -> SentNotification:
        content = await asyncio.to_thread(notices.seal, message, self.sealer)
        name = notices.file_name(delivery.file_name, message.TYPE_CODE, delivery.next_sequence())
        return SentNotification(message.TYPE_CODE, name, message.MessageId, self.clock.now(), content)

    # reading the state

    def files(self) -> list[ReceivedFile]:
        return sorted(self._files.values(), key=lambda file: file.identificativo_sdi)

    def file(self, identificativo_sdi: int) -> ReceivedFile | None:
        return self._files.get(identificativo_sdi)

    def deliveries(self) -> list[InvoiceDelivery]:
        return sorted(self._deliveries.values(), key=lambda delivery: delivery.identificativo_sdi)

    def delivery(self, identificativo_sdi: int) -> InvoiceDelivery | None:
        return self._deliveries.get(identificativo_sdi)

    def pending(self) -> int:
        """Files not processed yet, notifications not delivered yet, and a step under way (every
        step that makes notifications holds the lock until they are queued)."""
        unprocessed = sum(f.status is FileStatus.RECEIVED for f in self._files.values())
        to_recipient = len(self.recipient_outbox) if self.recipient_outbox is not None else 0
        return unprocessed + len(self.outbox) + to_recipient + self._lock.locked()

    # control

    async def set_outcome(
        self, identificativo_sdi: int, esito: EsitoCommittenteType, description: str | None
    ) -> ReceivedFile | None:
        async with self._lock:
            file = self._files.get(identificativo_sdi)
            if file is None:
                return None
            if file.flow is not Flow.PA or file.status is not FileStatus.DELIVERED:
                raise OutcomeRefused(_why_no_outcome(file))
            status = FileStatus.ACCEPTED if esito is EsitoCommittenteType.EC01 else FileStatus.REFUSED
            message = notices.outcome(file, esito, description, self._message_id())
            await self._notify(file, message, status)
            return file

    async def advance(self, delta: timedelta) -> list[Fired]:
        """Move the clock and send at once whatever fell due."""
        self.clock.advance(delta)
        return await self.run_due()

    async def run_due(self) -> list[Fired]:
        async with self._lock:
            now = self.clock.now()
            due = [f for f in self.files() if f.deadline is not None and f.deadline.at <= now]
            for file in due:
                await self._expire(file)
            silent = [d for d in self.deliveries() if (at := d.outcome_deadline) is not None and at <= now]
            for delivery in silent:
                await self._expire_delivery(delivery)
            fired = [Fired(f.identificativo_sdi, f.notifications[-1].type) for f in due]
            return fired + [Fired(d.identificativo_sdi, NotificationType.DT) for d in silent]

    async def reset(self) -> None:
        """Forget every file and undelivered notification; clock and recipients as at start."""
        async with self._lock:
            self._files.clear()
            self._first_by_stem.clear()
            self._by_key.clear()
            self._deliveries.clear()
            self.outbox.clear()
            if self.recipient_outbox is not None:
                self.recipient_outbox.clear()
            self.clock.reset()
            self.unreachable = frozenset(self.config.unreachable)

    async def flush(self, timeout: float) -> bool:
        """Wait until everything received is processed and every notification delivered."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self.pending():
                    await asyncio.sleep(0.02)
        return not self.pending()

    # processing

    async def _process_loop(self) -> None:
        while True:
            file = await self._intake.get()
            async with self._lock:
                if self._files.get(file.identificativo_sdi) is not file:
                    continue  # forgotten by a reset
                try:
                    await self._process(file)
                except Exception:  # a bug must cost one file, not the sandbox
                    log.exception("processing %s failed", file.file_name)
                    file.status = FileStatus.FAILED

    async def _process(self, file: ReceivedFile) -> None:
        """Check the file and sign SDI's answer in one trip to a thread (values copied beforehand),
        then record both on the loop at once."""
        submission, message_id, now = self._submission(file), self._message_id(), self.clock.now()
        decided = await asyncio.to_thread(
            _decide, submission, file, message_id, now, self.unreachable, self.sealer
        )
        verdict = decided.verdict
        file.format, file.codice_destinatario = verdict.format, verdict.codice_destinatario
        file.flow = decided.flow
        if verdict.accepted:
            file.duplicate_keys = verdict.duplicate_keys
            for key in verdict.duplicate_keys:
                self._by_key.setdefault(key, []).append(file)
        else:
            file.errors = verdict.errors
        self._queue_notification(file, decided.message, decided.content, decided.status, decided.deadline)

    def _submission(self, file: ReceivedFile) -> checks.Submission:
        """What the checks need from the other files. They run in another thread while the loop
        holds `_lock`, under which alone files change status and the indexes grow."""
        first = self._first_by_stem.get(_stem(file.file_name), file.identificativo_sdi)
        by_key = self._by_key

        def duplicate(key: DuplicateKey) -> bool:
            return any(f is not file and f.counts_for_duplicates for f in by_key.get(key, ()))

        return checks.Submission(
            file_name=file.file_name,
            content=file.content,
            received_at=file.received_at,
            name_taken=first < file.identificativo_sdi,
            duplicates=duplicate,
            max_bytes=self.config.max_file_bytes,
            lang=self.config.lang,
        )

    # deadlines

    async def _deadline_loop(self) -> None:
        while True:
            await asyncio.sleep(SCHEDULER_PERIOD_SECONDS)
            try:
                await self.run_due()
            except Exception:  # keep the deadlines running; the next round tries again
                log.exception("sending due notifications failed")

    async def _expire(self, file: ReceivedFile) -> None:
        message_id = self._message_id()
        if file.deadline.type is NotificationType.DT:
            await self._notify(file, notices.terms_expired(file, message_id), FileStatus.TERMS_EXPIRED)
        else:
            await self._notify(file, notices.attestation(file, message_id), FileStatus.ATTESTED)

    async def _expire_delivery(self, delivery: InvoiceDelivery) -> None:
        """DT to both sides: to the recipient's RicezioneFatture; the supplier's is only recorded
        (the supplier is outside the sandbox)."""
        sent = await self._sealed(passive.terms_expired(delivery, self._message_id()), delivery)
        delivery.terms_expired = True
        delivery.to_recipient.append(sent)
        delivery.to_supplier.append(dataclasses.replace(sent))
        self._recipient_outbox().put(recipient_notification_parcel(delivery.identificativo_sdi, sent))

    # notifications

    async def _notify(
        self, file: ReceivedFile, message: Message, status: FileStatus, deadline: Deadline | None = None
    ) -> None:
        """Sign `message`, then move the file to `status` and queue the notification together:
        nothing is awaited in between, so a stop can never leave a new state without its message."""
        content = await asyncio.to_thread(notices.seal, message, self.sealer)
        self._queue_notification(file, message, content, status, deadline)

    def _queue_notification(
        self,
        file: ReceivedFile,
        message: Message,
        content: bytes,
        status: FileStatus,
        deadline: Deadline | None,
    ) -> None:
        type_code = message.TYPE_CODE
        name = notices.file_name(file.file_name, type_code, len(file.notifications) + 1)
        notification = SentNotification(type_code, name, message.MessageId, self.clock.now(), content)
        file.status, file.deadline = status, deadline
        file.notifications.append(notification)
        self.outbox.put(notification_parcel(file.identificativo_sdi, notification))

    def _message_id(self) -> str:
        self._last_message_id += 1
        return str(self._last_message_id)


@dataclass(frozen=True)
class _Decided:
    verdict: checks.Verdict
    flow: Flow
    message: Message
    content: bytes
    status: FileStatus
    deadline: Deadline | None


def _decide(
    submission: checks.Submission,
    file: ReceivedFile,
    message_id: str,
    now: datetime,
    unreachable: frozenset[str],
    sealer: Sealer,
) -> _Decided:
    """SDI's checks on a file, and its signed answer: NS, MC (with AT due for a PA) or RC (with DT
    due for a PA). Runs in a thread: reads `file` through a copy, changes nothing."""
    verdict = checks.examine(submission)
    flow = Flow.B2B if verdict.format in B2B_FORMATS else Flow.PA
    seen = dataclasses.replace(
        file, format=verdict.format, codice_destinatario=verdict.codice_destinatario, flow=flow
    )
    to_pa = flow is Flow.PA
    if not verdict.accepted:
        seen.errors = verdict.errors
        message, status, deadline = notices.rejection(seen, message_id), FileStatus.REJECTED, None
    elif verdict.codice_destinatario in unreachable:
        deadline = Deadline(now + ATTESTATION_DELAY, NotificationType.AT) if to_pa else None
        message, status = notices.non_delivery(seen, now, message_id), FileStatus.NOT_DELIVERED
    else:
        deadline = Deadline(now + OUTCOME_TERM, NotificationType.DT) if to_pa else None
        message, status = notices.delivery_receipt(seen, now, message_id), FileStatus.DELIVERED
    return _Decided(verdict, flow, message, notices.seal(message, sealer), status, deadline)


def _read_outcome(content: bytes) -> tuple[pa.NotificaEsitoCommittente | None, tuple[ScartoType, str] | None]:
    try:
        return passive.read_outcome(content), None
    except ValueError as exc:
        return None, (ScartoType.EN00, str(exc))


def _inadmissible(
    delivery: InvoiceDelivery | None, now: datetime, outcome: pa.NotificaEsitoCommittente | None = None
) -> tuple[ScartoType, str] | None:
    """Why SDI would not take an EC on `delivery` now; None when it would."""
    if delivery is None or delivery.delivered_at is None:
        return (
            ScartoType.EN00,
            "IdentificativoSdI sconosciuto: nessuna fattura consegnata con questo identificativo",
        )
    if not delivery.to_pa:
        return ScartoType.EN01, "esito non ammesso: la fattura non è destinata a una pubblica amministrazione"
    if delivery.terms_expired:
        return (
            ScartoType.EN01,
            "esito non ammesso: termini decorsi (notifica di decorrenza termini già inviata)",
        )
    body = _body(outcome) if outcome is not None else None
    if delivery.outcome is not None or (body in delivery.answered if body else delivery.answered):
        return ScartoType.EN01, "esito non ammesso: la fattura ha già un esito"
    if now > delivery.delivered_at + OUTCOME_TERM:
        return ScartoType.EN01, "esito non ammesso: oltre 15 giorni dalla consegna"
    return None


def _body(outcome: pa.NotificaEsitoCommittente) -> tuple[str, int] | None:
    """The body of a lotto an EC names (RiferimentoFattura), or None for the whole file."""
    reference = outcome.RiferimentoFattura
    return None if reference is None else (reference.NumeroFattura, reference.AnnoFattura)


def _received(
    file_name: str,
    content: bytes,
    now: datetime,
    outcome: pa.NotificaEsitoCommittente | None,
    verdict: OutcomeVerdict,
    problem: tuple[ScartoType, str] | None,
) -> ReceivedOutcome:
    scarto, reason = problem if problem is not None else (None, None)
    esito = outcome.Esito if outcome is not None else None
    return ReceivedOutcome(file_name, content, now, esito, verdict.esito, scarto, reason)


def _stem(file_name: str) -> str:
    """Names are compared without extension (notification names derive from the stem)."""
    try:
        return InvoiceFileName.parse(file_name).stem.upper()
    except InvalidFileName:
        return file_name.upper()


def _why_no_outcome(file: ReceivedFile) -> str:
    if file.flow is not Flow.PA:
        return "only invoices to a public administration (FPA12) get an outcome (B2B has no EC)"
    return f"the file is {file.status.value}: a PA answers only to an invoice delivered to it (RC, before DT)"
