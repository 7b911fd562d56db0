"""Importing issued history: kept as `imported`, listed and filtered like any invoice, its
numbers held for SDI's duplicate check (00404)."""

from __future__ import annotations

from tests.imports.conftest import issued, zipped
from tests.service.conftest import partita_iva
from tests.support.cms import p7m


def test_issued_history_is_kept_as_imported_and_blocks_its_numbers(hub, make_tenant):
    tenant = make_tenant()
    customer = partita_iva()
    vat = tenant.partita_iva
    archive = zipped(
        {
            "2025/IT01234567890_00001.xml": issued(vat, numero="A-1", customer_vat=customer),
            "2025/firmate/IT01234567890_00002.xml.p7m": p7m(issued(vat, numero="A-2", customer_vat=customer)),
            "2025/lotti/IT01234567890_00003.xml": issued(vat, numero="LA", sample="FPA03"),
            "2025/altrui.xml": issued(partita_iva(), numero="Z-1"),
        }
    )
    done = tenant.imported("active", ("emesse.zip", archive))

    assert done["state"] == "done", done
    assert done["progress"] == {
        "total": 4,
        "processed": 4,
        "imported": 4,  # and the lotto's two bodies
        "skipped_duplicates": 0,
        "failed": 1,
    }
    assert "cedente/prestatore" in done["errors"][0]["error"]

    invoices = tenant.key.get(f"/v1/companies/{tenant.company_id}/invoices", params={"state": "imported"})
    items = {i["numero"]: i for i in invoices.json()["items"]}
    assert sorted(items) == ["A-1", "A-2", "LA"]
    one = items["A-1"]
    assert one["customer_id"] == f"IT{customer}" and one["customer_name"] == "DITTA BETA"
    assert one["tipo_documento"] == "TD01" and one["total"] is not None and one["file_name"] is None
    assert (
        tenant.key.get(
            f"/v1/companies/{tenant.company_id}/invoices",
            params={"numero": "A-2", "customer": f"IT{customer}"},
        ).json()["items"][0]["state"]
        == "imported"
    )
    xml = tenant.key.get(f"/v1/companies/{tenant.company_id}/invoices/{one['id']}/file")
    assert xml.status_code == 200 and b"A-1" in xml.content

    # the same number in the same year, sent through us now: SDI would refuse it (00404)
    again = tenant.key.post(
        f"/v1/companies/{tenant.company_id}/invoices",
        params={"send": "false"},
        content=issued(vat, numero="A-1", customer_vat=customer),
        headers={"content-type": "application/xml"},
    )
    assert again.status_code == 422, again.text
    assert "00404" in {e.get("code") for e in again.json()["errors"]}

    repeat = tenant.imported("active", ("emesse.zip", archive))
    assert repeat["progress"]["imported"] == 0 and repeat["progress"]["skipped_duplicates"] == 4
