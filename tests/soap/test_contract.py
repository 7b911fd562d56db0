"""The committed WSDL is the one served, with our namespace, and `fatturahub wsdl` writes it."""

from __future__ import annotations

import httpx
from click.testing import CliRunner
from lxml import etree
from tests.soap.conftest import NS, WSDL

from fatturahub.cli import main

COMMITTED_ADDRESS = "http://127.0.0.1:8000/soap/v1"


def test_the_served_wsdl_is_the_committed_one(server):
    served = httpx.get(f"{server}/soap/v1?wsdl")
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/xml")
    # only the service address differs: it names the server that serves it
    assert f'location="{server}/soap/v1"'.encode() in served.content
    text = served.content.replace(f"{server}/soap/v1".encode(), COMMITTED_ADDRESS.encode())
    assert text == WSDL.read_bytes(), "the WSDL changed: run `make wsdl` and review the diff"


def test_the_wsdl_command_writes_the_committed_file(tmp_path):
    out = tmp_path / "x.wsdl"
    result = CliRunner().invoke(main, ["wsdl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == WSDL.read_bytes()


def test_the_contract_names_our_namespace_and_every_operation():
    wsdl = etree.parse(str(WSDL)).getroot()
    assert wsdl.get("targetNamespace") == NS
    operations = {op.get("name") for op in wsdl.iter("{http://schemas.xmlsoap.org/wsdl/}operation")}
    assert operations == {
        "SendInvoice",
        "ValidateInvoice",
        "GetInvoice",
        "ListInvoices",
        "ListInvoiceNotifications",
        "GetNotificationFile",
        "ListReceivedInvoices",
        "GetReceivedInvoice",
        "MarkReceivedInvoiceRead",
        "MarkReceivedInvoiceDownloaded",
        "SendEsitoCommittente",
        "ListEvents",
        "GetLipeSettlement",
        "GetLipeFigureDocuments",
        "SetLipeAdjustments",
        "GetLipeXml",
        "SendLipe",
        "ListReportSubmissions",
        "GetReportSubmission",
        "SendDatiFatture",
        "CancelDatiFatture",
        "CorrectDatiFatture",
        "GetDatiFattureXml",
        "GetLipeSettings",
        "SetLipeSettings",
        "SetReceivedInvoiceVat",
        "SetInvoiceVat",
        "SetSupplierDeductibility",
    }


def test_get_without_wsdl_is_a_fault(server):
    response = httpx.get(f"{server}/soap/v1")
    assert response.status_code == 500 and b"Client.BadRequest" in response.content
