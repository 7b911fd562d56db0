"""The simulated SDI: takes files, processes them one by one in arrival order, answers for the
recipient, keeps the PA deadlines, and queues every notification for delivery.

State lives in memory (it is a sandbox: a restart forgets everything). All of it is changed on
the event loop only: CPU work (checks, signatures) runs in a thread on values copied beforehand,
and every change that spans an `await` holds `_lock`, so concurrent requests see whole steps.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from fatturahub.fatturapa.naming import InvalidFileName, InvoiceFileName, NotificationType
from fatturahub.sdi.messages import EsitoCommittenteType, Flow, Message
from fatturahub.sdi.sandbox import checks, notices
from fatturahub.sdi.sandbox.certificate import throwaway_signer
from fatturahub.sdi.sandbox.clock import VirtualClock
from fatturahub.sdi.sandbox.config import SandboxConfig
from fatturahub.sdi.sandbox.delivery import Backoff, Delivery, Outbox
from fatturahub.sdi.sandbox.state import Deadline, FileStatus, ReceivedFile, SentNotification

OUTCOME_TERM = timedelta(days=15)  # the PA's time to answer before DT
ATTESTATION_DELAY = timedelta(days=10)  # from MC to AT, for a PA
SCHEDULER_PERIOD_SECONDS = 5.0  # deadlines are days apart: a coarse check is enough
MAX_IDENTIFICATIVO = 10**12 - 1
B2B_FORMATS = {"FPR12", "FSM10"}
log = logging.getLogger("fatturahub.sdi.sandbox")


class NotRunning(RuntimeError):
    """The sandbox's background tasks are not running (its lifespan was not entered)."""


class OutcomeRefused(ValueError):
    """The file is not waiting for a PA's outcome."""


@dataclass(frozen=True)
class Fired:
    identificativo_sdi: int
    type: NotificationType


class Sandbox:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = VirtualClock()
        self.signer = throwaway_signer()
        self.unreachable: frozenset[str] = frozenset(config.unreachable)
        self._files: dict[int, ReceivedFile] = {}
        # never reset: the sender's records must not see an IdentificativoSdI twice
        self._last_identificativo = 0
        self._last_message_id = 0
        self._running = False
        self.outbox = Outbox(
            config.notifications_url,
            backoff=Backoff(config.retry_initial_seconds, config.retry_max_seconds),
            timeout=config.delivery_timeout_seconds,
            now=self.clock.now,
        )
        self._new_loop_state()

    # lifecycle

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the processing, delivery and deadline loops for the duration of the block."""
        self._new_loop_state()
        loops = (self._process_loop, self.outbox.run, self._deadline_loop)
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
        if not self._running:
            raise NotRunning("the sandbox is not running")
        if self._last_identificativo >= MAX_IDENTIFICATIVO:
            raise NotRunning("IdentificativoSdI exhausted")
        self._last_identificativo += 1
        file = ReceivedFile(self._last_identificativo, file_name, content, self.clock.now())
        self._files[file.identificativo_sdi] = file
        self._intake.put_nowait(file)
        return file

    # reading the state

    def files(self) -> list[ReceivedFile]:
        return sorted(self._files.values(), key=lambda file: file.identificativo_sdi)

    def file(self, identificativo_sdi: int) -> ReceivedFile | None:
        return self._files.get(identificativo_sdi)

    def pending(self) -> int:
        """Files not processed yet, notifications not delivered yet, and a step under way (every
        step that makes notifications holds the lock until they are queued)."""
        unprocessed = sum(f.status is FileStatus.RECEIVED for f in self._files.values())
        return unprocessed + len(self.outbox) + self._lock.locked()

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
            return [Fired(f.identificativo_sdi, f.notifications[-1].type) for f in due]

    async def reset(self) -> None:
        """Forget every file and undelivered notification; clock and recipients as at start."""
        async with self._lock:
            self._files.clear()
            self.outbox.clear()
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
        verdict = await asyncio.to_thread(checks.examine, self._submission(file))
        file.format, file.codice_destinatario = verdict.format, verdict.codice_destinatario
        file.flow = Flow.B2B if verdict.format in B2B_FORMATS else Flow.PA
        message_id, now = self._message_id(), self.clock.now()
        if not verdict.accepted:
            file.errors = verdict.errors
            await self._notify(file, notices.rejection(file, message_id), FileStatus.REJECTED)
            return
        file.duplicate_keys = verdict.duplicate_keys
        to_pa = file.flow is Flow.PA
        if verdict.codice_destinatario in self.unreachable:
            at = Deadline(now + ATTESTATION_DELAY, NotificationType.AT) if to_pa else None
            message = notices.non_delivery(file, now, message_id)
            await self._notify(file, message, FileStatus.NOT_DELIVERED, at)
            return
        dt = Deadline(now + OUTCOME_TERM, NotificationType.DT) if to_pa else None
        await self._notify(file, notices.delivery_receipt(file, now, message_id), FileStatus.DELIVERED, dt)

    def _submission(self, file: ReceivedFile) -> checks.Submission:
        """What the checks need from the other files, copied now (they run in another thread)."""
        earlier = [f for f in self._files.values() if f.identificativo_sdi < file.identificativo_sdi]
        keys = frozenset(k for f in self._files.values() if f.counts_for_duplicates for k in f.duplicate_keys)
        stem = _stem(file.file_name)
        return checks.Submission(
            file_name=file.file_name,
            content=file.content,
            received_at=file.received_at,
            name_taken=any(_stem(f.file_name) == stem for f in earlier),
            duplicates=keys.__contains__,
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

    # notifications

    async def _notify(
        self, file: ReceivedFile, message: Message, status: FileStatus, deadline: Deadline | None = None
    ) -> None:
        """Sign `message`, then move the file to `status` and queue the notification together:
        nothing is awaited in between, so a stop can never leave a new state without its message."""
        content = await asyncio.to_thread(notices.seal, message, self.signer)
        type_code = message.TYPE_CODE
        name = notices.file_name(file.file_name, type_code, len(file.notifications) + 1)
        notification = SentNotification(type_code, name, message.MessageId, self.clock.now(), content)
        file.status, file.deadline = status, deadline
        file.notifications.append(notification)
        self.outbox.put(Delivery(file.identificativo_sdi, notification))

    def _message_id(self) -> str:
        self._last_message_id += 1
        return str(self._last_message_id)


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
