"""Uploads refused as a whole (zip bombs, too many files, broken ZIPs) and who may see imports."""

from __future__ import annotations

import io
import zipfile

import httpx
from tests.imports.conftest import received, zipped


def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def test_a_zip_bomb_is_refused_before_anything_is_stored(hub, make_tenant):
    tenant = make_tenant()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.xml", b"\0" * (8 * 1024 * 1024))  # about 8 KB compressed
    problem = _problem(tenant.upload("passive", ("bomb.zip", buffer.getvalue())), 422)
    assert "zip bomb" in problem["errors"][0]["message"]
    assert tenant.key.get(tenant.imports).json()["items"] == []


def test_too_many_files_and_broken_zips_are_refused(hub, make_tenant, monkeypatch):
    from fatturahub.imports import archive

    tenant = make_tenant()
    monkeypatch.setattr(archive, "MAX_ENTRIES", 3)
    many = zipped({f"{n}.xml": received(tenant.partita_iva, numero=f"N-{n}") for n in range(4)})
    problem = _problem(tenant.upload("passive", ("many.zip", many)), 422)
    assert "more than 3 files" in problem["errors"][0]["message"]

    broken = zipped({"a.xml": b"<x/>"})[:-30]  # the central directory cut short
    assert (
        "not a readable ZIP"
        in _problem(tenant.upload("passive", ("a.zip", broken)), 422)["errors"][0]["message"]
    )
    only_junk = zipped({"__MACOSX/._a.xml": b"x", "dir/": None})
    assert _problem(tenant.upload("passive", ("junk.zip", only_junk)), 422)["detail"] == "nothing to import"
    assert _problem(tenant.upload("sideways", ("a.xml", b"x")), 422)


def test_another_account_cannot_see_or_create_imports(hub, make_tenant):
    tenant, intruder = make_tenant(), make_tenant()
    done = tenant.imported("passive", ("a.xml", received(tenant.partita_iva, numero="S-1")))

    assert intruder.key.get(f"{tenant.imports}/{done['id']}").status_code == 404
    assert intruder.key.get(f"{intruder.imports}/{done['id']}").status_code == 404
    assert intruder.key.get(tenant.imports).status_code == 404
    assert intruder.key.get(intruder.imports).json()["items"] == []
    sneaky = intruder.key.post(
        tenant.imports,
        params={"direction": "passive"},
        files=[("files", ("a.xml", received(tenant.partita_iva, numero="S-2")))],
    )
    assert _problem(sneaky, 404)


def test_the_direction_decides_the_area_a_key_needs(hub, make_tenant):
    tenant = make_tenant()
    done = tenant.imported("passive", ("a.xml", received(tenant.partita_iva, numero="K-1")))
    limited = tenant.owner.post(
        "/v1/api-keys",
        json={
            "name": "active only",
            "levels": {
                "active_invoices": "write",
                "received_invoices": "none",
                "reports": "none",
                "settings": "none",
            },
        },
    )
    assert limited.status_code == 201, limited.text
    with httpx.Client(
        base_url=hub.url, headers={"Authorization": f"Bearer {limited.json()['token']}"}
    ) as key:
        upload = [("files", ("a.xml", received(tenant.partita_iva, numero="K-2")))]
        refused = key.post(tenant.imports, params={"direction": "passive"}, files=upload)
        assert _problem(refused, 403)
        assert _problem(key.get(f"{tenant.imports}/{done['id']}"), 403)
        assert key.get(tenant.imports).json()["items"] == []  # only active imports are listed
