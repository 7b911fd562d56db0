"""`fatturahub import` against a running server: a folder or a ZIP, a progress bar, exit codes."""

from __future__ import annotations

import uuid

from click.testing import CliRunner
from tests.imports.conftest import received, zipped
from tests.support.cms import p7m

from fatturahub.cli import main


def _run(hub, tenant, path, *extra: str):
    return CliRunner().invoke(
        main,
        ["import", str(path), "--company", tenant.company_id, "--direction", "passive", *extra],
        env={"FATTURAHUB_URL": hub.url, "MY_KEY": tenant.token, "FATTURAHUB_API_KEY": ""},
    )


def test_a_folder_is_zipped_uploaded_and_followed_to_the_end(hub, make_tenant, tmp_path):
    tenant = make_tenant()
    (tmp_path / "2024" / "01").mkdir(parents=True)
    (tmp_path / "2024" / "01" / "a.xml").write_bytes(received(tenant.partita_iva, numero="CLI-1"))
    (tmp_path / "2024" / "b.xml.p7m").write_bytes(p7m(received(tenant.partita_iva, numero="CLI-2")))
    (tmp_path / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")

    result = _run(hub, tenant, tmp_path, "--api-key-env", "MY_KEY")

    assert result.exit_code == 0, (result.output, result.stderr)
    assert "importing" in result.stdout
    assert "2/2 files, 2 invoices imported, 0 duplicates skipped, 0 files failed" in result.stdout
    assert tenant.key.get(tenant.imports).json()["items"][0]["progress"]["imported"] == 2


def test_failed_files_are_listed_and_exit_1(hub, make_tenant, tmp_path):
    tenant = make_tenant()
    archive = tmp_path / "storico.zip"
    archive.write_bytes(
        zipped({"ok.xml": received(tenant.partita_iva, numero="CLI-3"), "note/leggimi.txt": b"hello"})
    )

    result = _run(hub, tenant, archive, "--api-key-env", "MY_KEY")

    assert result.exit_code == 1, (result.output, result.stderr)
    assert "1 invoices imported" in result.stdout and "1 files failed" in result.stdout
    assert "note/leggimi.txt: not a FatturaPA invoice" in result.stderr


def test_errors_of_the_server_and_of_usage(hub, make_tenant, tmp_path):
    tenant = make_tenant()
    (tmp_path / "a.xml").write_bytes(b"<x/>")
    assert _run(hub, tenant, tmp_path / "a.xml").exit_code == 2  # no API key in the environment
    result = CliRunner().invoke(
        main,
        ["import", str(tmp_path), "--company", str(uuid.uuid4()), "--direction", "active"],
        env={"FATTURAHUB_URL": hub.url, "FATTURAHUB_API_KEY": tenant.token},
    )
    assert result.exit_code == 1 and "HTTP 404" in result.stderr
