"""The contract: one Spyne declaration per operation, bound to its coroutine in `operations`.

A declaration only returns the coroutine (with the call's context Spyne keeps in `ctx.udc`);
`server` awaits it on the event loop. A new operation is a request type, a response type, an async
function and these three lines.
"""

from __future__ import annotations

from typing import Any

from spyne import Application, ServiceBase, rpc
from spyne.protocol.soap import Soap11

from fatturahub.api.soap import operations as op
from fatturahub.api.soap import types as t

NAME = "FatturaHub"


def operation(request: type, response: type) -> Any:
    """Document/literal, bare: the body element is named after the operation, typed `request`."""
    return rpc(request, _returns=response, _body_style="bare", _faults=[t.ServiceFault])


class FatturaHubService(ServiceBase):
    @operation(t.SendInvoiceRequest, t.InvoiceResponse)
    def SendInvoice(ctx, request):
        return op.send_invoice(ctx.udc, request)

    @operation(t.ValidateInvoiceRequest, t.ValidationReport)
    def ValidateInvoice(ctx, request):
        return op.validate_invoice(ctx.udc, request)

    @operation(t.GetInvoiceRequest, t.InvoiceDetail)
    def GetInvoice(ctx, request):
        return op.get_invoice(ctx.udc, request)

    @operation(t.ListInvoicesRequest, t.InvoicePage)
    def ListInvoices(ctx, request):
        return op.list_invoices(ctx.udc, request)

    @operation(t.InvoiceRef, t.NotificationsResponse)
    def ListInvoiceNotifications(ctx, request):
        return op.list_invoice_notifications(ctx.udc, request)

    @operation(t.NotificationRef, t.FileResponse)
    def GetNotificationFile(ctx, request):
        return op.get_notification_file(ctx.udc, request)

    @operation(t.ListReceivedInvoicesRequest, t.ReceivedInvoicePage)
    def ListReceivedInvoices(ctx, request):
        return op.list_received_invoices(ctx.udc, request)

    @operation(t.GetReceivedInvoiceRequest, t.ReceivedInvoiceDetail)
    def GetReceivedInvoice(ctx, request):
        return op.get_received_invoice(ctx.udc, request)

    @operation(t.ReceivedInvoiceRef, t.ReceivedInvoiceResponse)
    def MarkReceivedInvoiceRead(ctx, request):
        return op.mark_received_invoice_read(ctx.udc, request)

    @operation(t.ReceivedInvoiceRef, t.ReceivedInvoiceResponse)
    def MarkReceivedInvoiceDownloaded(ctx, request):
        return op.mark_received_invoice_downloaded(ctx.udc, request)

    @operation(t.SendEsitoCommittenteRequest, t.OutcomeResponse)
    def SendEsitoCommittente(ctx, request):
        return op.send_esito_committente(ctx.udc, request)

    @operation(t.ListEventsRequest, t.EventFeed)
    def ListEvents(ctx, request):
        return op.list_events(ctx.udc, request)

    @operation(t.GetLipeSettlementRequest, t.LipeSettlement)
    def GetLipeSettlement(ctx, request):
        return op.get_lipe_settlement(ctx.udc, request)

    @operation(t.GetLipeFigureDocumentsRequest, t.LipeFigureDocuments)
    def GetLipeFigureDocuments(ctx, request):
        return op.get_lipe_figure_documents(ctx.udc, request)

    @operation(t.SetLipeAdjustmentsRequest, t.LipeSettlement)
    def SetLipeAdjustments(ctx, request):
        return op.set_lipe_adjustments(ctx.udc, request)

    @operation(t.GetLipeXmlRequest, t.LipeXml)
    def GetLipeXml(ctx, request):
        return op.get_lipe_xml(ctx.udc, request)

    @operation(t.SendLipeRequest, t.ReportSubmissionResponse)
    def SendLipe(ctx, request):
        return op.send_lipe(ctx.udc, request)

    @operation(t.ListReportSubmissionsRequest, t.ReportSubmissionPage)
    def ListReportSubmissions(ctx, request):
        return op.list_report_submissions(ctx.udc, request)

    @operation(t.GetReportSubmissionRequest, t.ReportSubmissionDetail)
    def GetReportSubmission(ctx, request):
        return op.get_report_submission(ctx.udc, request)

    @operation(t.SendDatiFattureRequest, t.ReportSubmissionsResponse)
    def SendDatiFatture(ctx, request):
        return op.send_dati_fatture(ctx.udc, request)

    @operation(t.CancelDatiFattureRequest, t.ReportSubmissionsResponse)
    def CancelDatiFatture(ctx, request):
        return op.cancel_dati_fatture(ctx.udc, request)

    @operation(t.CorrectDatiFattureRequest, t.ReportSubmissionsResponse)
    def CorrectDatiFatture(ctx, request):
        return op.correct_dati_fatture(ctx.udc, request)

    @operation(t.GetDatiFattureXmlRequest, t.DatiFattureXml)
    def GetDatiFattureXml(ctx, request):
        return op.get_dati_fatture_xml(ctx.udc, request)

    @operation(t.GetLipeSettingsRequest, t.LipeSettings)
    def GetLipeSettings(ctx, request):
        return op.get_lipe_settings(ctx.udc, request)

    @operation(t.SetLipeSettingsRequest, t.LipeSettings)
    def SetLipeSettings(ctx, request):
        return op.set_lipe_settings(ctx.udc, request)

    @operation(t.SetReceivedInvoiceVatRequest, t.VatEntries)
    def SetReceivedInvoiceVat(ctx, request):
        return op.set_received_invoice_vat(ctx.udc, request)

    @operation(t.SetInvoiceVatRequest, t.VatEntries)
    def SetInvoiceVat(ctx, request):
        return op.set_invoice_vat(ctx.udc, request)

    @operation(t.SetSupplierDeductibilityRequest, t.VatEntries)
    def SetSupplierDeductibility(ctx, request):
        return op.set_supplier_deductibility(ctx.udc, request)


def application() -> Application:
    # Spyne validates requests against the WSDL's own schema (lxml); responses are ours.
    return Application(
        [FatturaHubService],
        tns=t.NAMESPACE,
        name=NAME,
        in_protocol=Soap11(validator="lxml"),
        out_protocol=Soap11(),
    )
