"""Importing received history: a ZIP with nested folders, every envelope, a lotto, junk, a file
for another company; duplicates on re-import; crash and resume."""

from __future__ import annotations

import base64

from tests.imports.conftest import received, zipped
from tests.support.cms import p7m


def _history(vat: str, other_vat: str) -> dict[str, bytes | None]:
    first = received(vat, numero="P-1")
    return {
        "2024/": None,
        "2024/01/IT01234567890_00001.xml": first,
        "2024/01/IT01234567890_00001_MT_001.xml": b"<MetadatiInvioFile/>",  # SDI's metadata: ignored
        "2024/02/firmate/IT01234567890_00002.xml.p7m": p7m(received(vat, numero="P-2")),
        "2024/03/IT01234567890_00003.xml.p7m": base64.b64encode(p7m(received(vat, numero="P-3"))),
        "lotti/IT01234567890_00004.xml": received(vat, sample="FPA03", numero="L-1"),
        "copie/IT01234567890_00001.xml": first,  # the same invoice twice in one ZIP
        "leggimi.txt": b"exported from the old system",
        "altre/IT01234567890_00005.xml": received(other_vat, numero="X-1"),
        "__MACOSX/2024/01/._IT01234567890_00001.xml": b"\x00\x05\x16\x07",
        "2024/.DS_Store": b"\x00\x00\x00\x01Bud1",
    }


def test_a_zip_of_received_history_lands_body_by_body(hub, make_tenant):
    tenant, other = make_tenant(), make_tenant()
    archive = zipped(_history(tenant.partita_iva, other.partita_iva))

    created = tenant.upload("passive", ("storico.zip", archive))
    assert created.status_code == 202, created.text
    assert created.headers["location"].endswith(created.json()["id"])
    assert created.json()["state"] == "queued" and created.json()["progress"]["total"] == 7

    done = tenant.wait(created.json()["id"])
    assert done["state"] == "done", done
    assert done["progress"] == {
        "total": 7,
        "processed": 7,
        "imported": 5,  # P-1, P-2, P-3 and the lotto's two bodies
        "skipped_duplicates": 1,  # the copy of P-1
        "failed": 2,
    }
    errors = {e["file"]: e["error"] for e in done["errors"]}
    assert set(errors) == {"leggimi.txt", "altre/IT01234567890_00005.xml"}
    assert "not a FatturaPA invoice" in errors["leggimi.txt"]
    assert "is not this company" in errors["altre/IT01234567890_00005.xml"]
    assert done["errors_truncated"] is False

    items = tenant.key.get(f"/v1/companies/{tenant.company_id}/received-invoices").json()["items"]
    assert sorted(i["numero"] for i in items) == ["L-1", "L-1-2", "P-1", "P-2", "P-3"]
    assert {i["source"] for i in items} == {"import"}
    assert {i["identificativo_sdi"] for i in items} == {None}
    by_number = {i["numero"]: i for i in items}
    assert by_number["P-1"]["signature_status"] == "unsigned"
    assert by_number["P-2"]["signature_status"] != "unsigned"
    assert by_number["P-3"]["signature_status"] != "unsigned"
    assert by_number["L-1"]["file_id"] == by_number["L-1-2"]["file_id"]
    assert by_number["P-2"]["file_name"] == "IT01234567890_00002.xml.p7m"
    original = tenant.key.get(
        f"/v1/companies/{tenant.company_id}/received-invoices/{by_number['P-2']['id']}/file"
    )
    assert original.content == p7m_content(archive, "2024/02/firmate/IT01234567890_00002.xml.p7m")
    # history is not news: no received_invoice.created for it, one import.completed instead
    feed = tenant.key.get("/v1/events").json()["items"]
    assert [e["type"] for e in feed] == ["import.completed"]
    assert other.key.get(f"/v1/companies/{other.company_id}/received-invoices").json()["items"] == []


def p7m_content(archive: bytes, name: str) -> bytes:
    import io
    import zipfile

    return zipfile.ZipFile(io.BytesIO(archive)).read(name)


def test_importing_the_same_zip_again_skips_everything(hub, make_tenant):
    tenant, other = make_tenant(), make_tenant()
    archive = zipped(_history(tenant.partita_iva, other.partita_iva))
    first = tenant.imported("passive", ("storico.zip", archive))
    again = tenant.imported("passive", ("storico.zip", archive))

    assert first["progress"]["imported"] == 5
    assert again["progress"] == {
        "total": 7,
        "processed": 7,
        "imported": 0,
        "skipped_duplicates": 6,
        "failed": 2,
    }
    items = tenant.key.get(f"/v1/companies/{tenant.company_id}/received-invoices").json()["items"]
    assert len(items) == 5
    listed = tenant.key.get(tenant.imports).json()
    assert [i["id"] for i in listed["items"]] == [first["id"], again["id"]]
    assert "errors" not in listed["items"][0]


def test_many_files_in_one_request_and_what_sdi_delivered_already_counts(hub, make_tenant):
    tenant = make_tenant()
    done = tenant.imported(
        "passive",
        ("a.xml", received(tenant.partita_iva, numero="M-1")),
        ("b.xml.p7m", p7m(received(tenant.partita_iva, numero="M-2"))),
        ("c.xml", received(tenant.partita_iva, numero="M-1")),
    )
    assert done["progress"]["imported"] == 2 and done["progress"]["skipped_duplicates"] == 1
    assert done["progress"]["failed"] == 0 and done["errors"] == []


def test_a_crash_mid_way_resumes_without_importing_twice(hub, make_tenant, monkeypatch):
    from fatturahub.imports import tasks

    tenant = make_tenant()
    monkeypatch.setattr(tasks, "CHUNK", 2)
    real_store, calls = tasks.store, {"n": 0}

    async def crashing_store(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # the first chunk is committed; the worker dies in the second
            raise RuntimeError("simulated crash")
        return await real_store(*args, **kwargs)

    monkeypatch.setattr(tasks, "store", crashing_store)
    files = [(f"{n}.xml", received(tenant.partita_iva, numero=f"R-{n}")) for n in range(1, 6)]
    done = tenant.wait(tenant.upload("passive", *files).json()["id"], timeout=90)

    assert done["state"] == "done"
    assert done["progress"]["imported"] == 5 and done["progress"]["skipped_duplicates"] == 0
    items = tenant.key.get(f"/v1/companies/{tenant.company_id}/received-invoices").json()["items"]
    assert sorted(i["numero"] for i in items) == ["R-1", "R-2", "R-3", "R-4", "R-5"]


def test_an_imported_pa_invoice_cannot_be_answered(hub, make_tenant):
    tenant = make_tenant()
    tenant.imported("passive", ("pa.xml", received(tenant.partita_iva, sample="FPA01", numero="PA-1")))
    [item] = tenant.key.get(f"/v1/companies/{tenant.company_id}/received-invoices").json()["items"]
    answer = tenant.key.post(
        f"/v1/companies/{tenant.company_id}/received-invoices/{item['id']}/outcome", json={"esito": "EC01"}
    )
    assert answer.status_code == 409 and "imported" in answer.json()["detail"]


def test_progress_is_committed_chunk_by_chunk(hub, make_tenant, monkeypatch):
    import asyncio
    import time

    from fatturahub.imports import tasks

    tenant = make_tenant()
    monkeypatch.setattr(tasks, "CHUNK", 1)
    real_store = tasks.store

    async def slow_store(*args, **kwargs):
        await asyncio.sleep(0.3)  # a big file
        return await real_store(*args, **kwargs)

    monkeypatch.setattr(tasks, "store", slow_store)
    files = [(f"{n}.xml", received(tenant.partita_iva, numero=f"C-{n}")) for n in range(1, 5)]
    import_id = tenant.upload("passive", *files).json()["id"]
    seen, deadline = set(), time.monotonic() + 30
    while time.monotonic() < deadline:
        found = tenant.key.get(f"{tenant.imports}/{import_id}").json()
        seen.add((found["state"], found["progress"]["processed"]))
        if found["state"] == "done":
            break
        time.sleep(0.05)
    assert ("done", 4) in seen
    assert {processed for state, processed in seen if state == "running"} & {1, 2, 3}
