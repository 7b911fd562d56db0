"""PA outcomes (EsitoCommittente): requested over HTTP, sent by the job through a fake channel;
the 15-day term, DT, and B2B invoices."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import update
from tests.inbox import builders
from tests.support.samples import OFFICIAL

from fatturahub.db.base import utcnow
from fatturahub.inbox.models import ReceivedFile
from fatturahub.inbox.tasks import send_outcome
from fatturahub.sdi.channels import ChannelConfigurationError, TransportError
from fatturahub.sdi.channels.base import OutcomeAnswer
from fatturahub.sdi.messages import parse_message
from fatturahub.worker.models import Job
from fatturahub.worker.runner import RetryLater

SE_SAMPLE = (OFFICIAL / "messaggi" / "IT01234567890_11111_SE_001.xml").read_bytes()
DT_SAMPLE = (OFFICIAL / "messaggi" / "IT01234567890_11111_DT_001.xml").read_bytes()


@dataclass
class FakeChannel:
    """Plays SdIRiceviNotifica: answers each outcome with the next scripted answer."""

    answers: list[OutcomeAnswer | Exception]
    sent: list = field(default_factory=list)

    async def send_outcome(self, outcome):
        self.sent.append(outcome)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


ES01 = OutcomeAnswer("ES01", None, None)
ES00 = OutcomeAnswer("ES00", "IT01234567890_11111_SE_001.xml", SE_SAMPLE)


def run_job(hub, outcome_id: str, channel: FakeChannel, attempts: int = 1) -> None:
    job = Job(
        kind="received_invoice.send_outcome",
        payload={"outcome_id": outcome_id},
        attempts=attempts,
        max_attempts=20,
    )
    hub.db(lambda session: send_outcome(session, job, channel_of=lambda company: channel))


def pa_invoice(hub, tenant, numero: str, sample: str = "FPA01") -> list[dict]:
    identificativo, _ = hub.deliver(builders.invoice(tenant.partita_iva, sample=sample, numero=numero))
    return [i for i in tenant.received() if i["identificativo_sdi"] == identificativo]


def test_accepting_sends_ec01_and_the_invoice_becomes_accepted(hub, make_tenant):
    tenant = make_tenant()
    [item] = pa_invoice(hub, tenant, "PA-1")
    outcome_path = tenant.path(item["id"], "/outcome")

    assert tenant.key.post(outcome_path, json={"esito": "EC02"}).status_code == 422
    queued = tenant.key.post(outcome_path, json={"esito": "EC01"})
    assert queued.status_code == 202, queued.text
    assert queued.json()["state"] == "queued"
    assert queued.json()["file_name"].endswith("_EC_001.xml")
    assert tenant.key.post(outcome_path, json={"esito": "EC01"}).status_code == 409  # one at a time

    channel = FakeChannel([ES01])
    run_job(hub, queued.json()["id"], channel)

    [submission] = channel.sent
    assert submission.identificativo_sdi == item["identificativo_sdi"]
    message = parse_message(submission.content)
    assert str(message.Esito) == "EC01" and str(message.IdentificativoSdI) == item["identificativo_sdi"]
    assert message.RiferimentoFattura is None  # a single invoice: the whole file
    detail = tenant.key.get(tenant.path(item["id"])).json()
    assert detail["state"] == "accepted"
    assert detail["outcomes"][0]["state"] == "sent" and detail["outcomes"][0]["answer"] == "ES01"
    feed = {e["type"] for e in tenant.key.get("/v1/events", params={"limit": 200}).json()["items"]}
    assert {"received_invoice.created", "received_invoice.outcome_sent"} <= feed


def test_a_rejected_outcome_keeps_the_scarto_and_may_be_sent_again(hub, make_tenant):
    tenant = make_tenant()
    [item] = pa_invoice(hub, tenant, "PA-2")
    outcome_path = tenant.path(item["id"], "/outcome")
    first = tenant.key.post(outcome_path, json={"esito": "EC02", "descrizione": "CIG mancante"}).json()

    run_job(hub, first["id"], FakeChannel([ES00]))

    detail = tenant.key.get(tenant.path(item["id"])).json()
    assert detail["state"] == "new"
    assert detail["outcomes"][0]["state"] == "rejected"
    assert detail["outcomes"][0]["scarto_file_name"] == "IT01234567890_11111_SE_001.xml"
    feed = {e["type"] for e in tenant.key.get("/v1/events", params={"limit": 200}).json()["items"]}
    assert "received_invoice.outcome_rejected" in feed

    again = tenant.key.post(outcome_path, json={"esito": "EC02", "descrizione": "CIG mancante"})
    assert again.status_code == 202 and again.json()["file_name"].endswith("_EC_002.xml")
    run_job(hub, again.json()["id"], FakeChannel([ES01]))
    assert tenant.key.get(tenant.path(item["id"])).json()["state"] == "refused"


def test_service_unavailable_and_network_failures_are_retried(hub, make_tenant):
    tenant = make_tenant()
    [item] = pa_invoice(hub, tenant, "PA-3")
    outcome = tenant.key.post(tenant.path(item["id"], "/outcome"), json={"esito": "EC01"}).json()

    with pytest.raises(RetryLater):
        run_job(hub, outcome["id"], FakeChannel([OutcomeAnswer("ES02", None, None)]))
    with pytest.raises(RetryLater):
        run_job(hub, outcome["id"], FakeChannel([TransportError("connection reset")]))
    assert tenant.key.get(tenant.path(item["id"])).json()["outcomes"][0]["state"] == "queued"


def test_a_channel_that_cannot_send_outcomes_fails_the_outcome_and_frees_the_invoice(hub, make_tenant):
    """SDICoop without outcome_endpoint_url: the channel refuses on send_outcome, which must not
    leave the outcome queued for ever (that would block every later outcome)."""
    tenant = make_tenant()
    [item] = pa_invoice(hub, tenant, "PA-CFG")
    outcome_path = tenant.path(item["id"], "/outcome")
    first = tenant.key.post(outcome_path, json={"esito": "EC01"}).json()

    run_job(hub, first["id"], FakeChannel([ChannelConfigurationError("no outcome_endpoint_url")]))

    [failed] = tenant.key.get(tenant.path(item["id"])).json()["outcomes"]
    assert failed["state"] == "failed" and "outcome_endpoint_url" in failed["error"]
    assert tenant.key.post(outcome_path, json={"esito": "EC01"}).status_code == 202


def test_one_body_of_a_lotto_is_answered_on_its_own(hub, make_tenant):
    tenant = make_tenant()
    items = pa_invoice(hub, tenant, "LOTTO", sample="FPA03")
    second = next(i for i in items if i["position"] == 2)
    outcome = tenant.key.post(tenant.path(second["id"], "/outcome"), json={"esito": "EC01"}).json()

    channel = FakeChannel([ES01])
    run_job(hub, outcome["id"], channel)

    reference = parse_message(channel.sent[0].content).RiferimentoFattura
    assert (reference.NumeroFattura, reference.PosizioneFattura) == ("LOTTO-2", 2)
    states = {i["position"]: i["state"] for i in tenant.received() if i["file_id"] == second["file_id"]}
    assert states == {1: "new", 2: "accepted"}


def test_a_late_outcome_is_refused(hub, make_tenant):
    tenant = make_tenant()
    [item] = pa_invoice(hub, tenant, "PA-LATE")

    async def age(session):
        await session.execute(
            update(ReceivedFile)
            .where(ReceivedFile.id == uuid.UUID(item["file_id"]))
            .values(created_at=utcnow() - timedelta(days=16))
        )

    hub.db(age)
    refused = tenant.key.post(tenant.path(item["id"], "/outcome"), json={"esito": "EC01"})
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "15-day" in refused.json()["detail"]


def test_dt_expires_the_invoice_and_closes_the_outcome(hub, make_tenant):
    tenant = make_tenant()
    [item] = pa_invoice(hub, tenant, "PA-DT")

    answer = hub.sdi.NotificaDecorrenzaTermini(
        IdentificativoSdI=int(item["identificativo_sdi"]),
        NomeFile=item["file_name"].split(".")[0] + "_DT_001.xml",
        File=DT_SAMPLE,
    )

    assert answer is None  # one-way: 202
    detail = tenant.key.get(tenant.path(item["id"])).json()
    assert detail["state"] == "expired" and detail["expired_at"]
    refused = tenant.key.post(tenant.path(item["id"], "/outcome"), json={"esito": "EC01"})
    assert refused.status_code == 409 and "DecorrenzaTermini" in refused.json()["detail"]
    feed = tenant.key.get("/v1/events", params={"limit": 200}).json()["items"]
    assert any(e["type"] == "received_invoice.expired" for e in feed)


def test_b2b_invoices_have_no_outcome(hub, make_tenant):
    tenant = make_tenant()
    hub.deliver(builders.invoice(tenant.partita_iva, numero="B2B-1"))
    [item] = tenant.received(numero="B2B-1")
    refused = tenant.key.post(tenant.path(item["id"], "/outcome"), json={"esito": "EC01"})
    assert refused.status_code == 409 and "FPA12" in refused.json()["detail"]


def test_concurrent_outcome_requests_queue_one_and_refuse_the_others(hub, make_tenant):
    tenant = make_tenant()
    [item] = pa_invoice(hub, tenant, "PA-RACE")
    outcome_path = tenant.path(item["id"], "/outcome")
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: tenant.key.post(outcome_path, json={"esito": "EC01"}), range(6)))
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [202] + [409] * 5, [answer.text for answer in answers]
