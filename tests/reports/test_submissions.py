"""LIPE submissions: the file under its official name, the send job through a (fake) channel,
the outcome polled until SDI has processed it, events, search, a corrective communication."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from tests.fiscal.test_esiti import esito
from tests.reports.scenario import Company, build_year

from fatturahub.db.engine import engine_for, session_factory
from fatturahub.fiscal.lipe import ivp18
from fatturahub.fiscal.naming import CommunicationFileName, FileType
from fatturahub.reports import tasks
from fatturahub.reports.submissions import OUTCOME_JOB
from fatturahub.sdi.channels import DataFileOutcome, DataFileReceipt, DataFileSubmission
from fatturahub.worker.models import Job
from fatturahub.worker.runner import Worker

REJECTION = (
    "<ListaErrori><Errore><Codice>00400</Codice><Descrizione>Codice fiscale errato</Descrizione></Errore>"
    "</ListaErrori>"
)


class FakeChannel:
    """SDI's data service: takes every file, then answers the outcomes it was given, in order."""

    def __init__(self, *outcomes: DataFileOutcome) -> None:
        self.sent: list[DataFileSubmission] = []
        self.outcomes = list(outcomes)

    async def transmit_file(self, submission: DataFileSubmission) -> DataFileReceipt:
        self.sent.append(submission)
        return DataFileReceipt(f"9000{len(self.sent)}", datetime.now(UTC))

    async def file_outcome(self, id_file: str) -> DataFileOutcome:
        return self.outcomes.pop(0)


PROCESSING = DataFileOutcome("SF01", None, None)


def processed(result: str, errors: str = "") -> DataFileOutcome:
    return DataFileOutcome("SF02", "IT01234567890_LI_00011_EL_001.xml", esito(result, errors))


def run_jobs(hub, channel: FakeChannel) -> None:
    """Run the due report jobs, the outcome polls made due at once (they wait a minute)."""

    async def run() -> None:
        engine = engine_for(hub.settings)
        sessions = session_factory(engine)
        try:
            async with sessions() as session:
                await session.execute(
                    update(Job).where(Job.kind == OUTCOME_JOB).values(run_at=datetime.now(UTC))
                )
                await session.commit()
            await Worker(
                sessions, tasks.handlers(hub.settings, channel_of=lambda company: channel)
            ).run_until_idle()
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="module")
def year(hub) -> Company:
    return build_year(hub)


def submit(company: Company, **body) -> dict:
    answer = company.key.post(company.path("/lipe/2026/submissions"), json={"quarter": 1, **body})
    assert answer.status_code == 201, answer.text
    return answer.json()


def state(company: Company, submission: dict) -> dict:
    answer = company.key.get(company.path(f"/lipe/submissions/{submission['id']}"))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_submission_is_sent_polled_and_accepted(hub, year):
    submission = submit(year)
    assert submission["state"] == "queued"
    name = CommunicationFileName.parse(submission["file_name"])
    assert (name.type, name.code) == (FileType.LIPE, year.partita_iva)
    stored = year.key.get(year.path(f"/lipe/submissions/{submission['id']}/file"))
    assert ivp18.parse(stored.content).modules[0].vat_chargeable > 0
    channel = FakeChannel(PROCESSING, processed("ES01"))
    run_jobs(hub, channel)
    assert [s.file_name for s in channel.sent] == [submission["file_name"]]
    assert (channel.sent[0].tipo_file, channel.sent[0].content) == ("LI", stored.content)
    assert state(year, submission)["state"] == "sent"
    run_jobs(hub, channel)
    assert state(year, submission)["state"] == "processing"
    run_jobs(hub, channel)
    done = state(year, submission)
    assert (done["state"], done["id_file"], done["errors"]) == ("accepted", "90001", [])
    outcome = year.key.get(year.path(f"/lipe/submissions/{submission['id']}/outcome"))
    assert outcome.status_code == 200 and b"ES01" in outcome.content
    events = year.key.get("/v1/events", params={"limit": 200}).json()["items"]
    assert any(e["type"] == "lipe.submission.accepted" for e in events)


def test_a_rejection_keeps_sdi_errors_and_a_corrective_replaces_an_accepted_one(hub, year):
    accepted = submit(year)
    run_jobs(hub, FakeChannel(processed("ES02")))
    run_jobs(hub, FakeChannel(processed("ES02")))
    assert state(year, accepted)["state"] == "accepted_with_warnings"
    corrective = submit(year, substitutes=accepted["id"])
    run_jobs(hub, FakeChannel())
    run_jobs(hub, FakeChannel(processed("ES03", REJECTION)))
    rejected = state(year, corrective)
    assert (rejected["state"], rejected["substitutes_id"]) == ("rejected", accepted["id"])
    assert rejected["errors"] == [{"code": "00400", "message": "Codice fiscale errato"}]
    bad = year.key.post(
        year.path("/lipe/2026/submissions"), json={"quarter": 1, "substitutes": corrective["id"]}
    )
    assert bad.status_code == 422
    found = year.key.get(year.path("/lipe/submissions"), params={"state": "rejected", "year": 2026}).json()
    assert [s["id"] for s in found["items"]] == [corrective["id"]]
    assert year.key.get(year.path("/lipe/submissions"), params={"year": 2025}).json()["items"] == []
    events = year.key.get("/v1/events", params={"limit": 200}).json()["items"]
    assert any(e["type"] == "lipe.submission.rejected" for e in events)
