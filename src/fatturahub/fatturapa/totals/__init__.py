"""The totals engine: line totals, VAT summaries, document total, withholding and net due,
each with its explanation; SDI's arithmetic checks (00421-00423) on stated figures."""

from fatturahub.fatturapa.totals.checks import (
    check_line_totals,
    check_summary_taxables,
    check_summary_taxes,
)
from fatturahub.fatturapa.totals.engine import (
    DocumentTotal,
    SummaryLine,
    Totals,
    Withholding,
    compute_totals,
    document_total,
)
from fatturahub.fatturapa.totals.fill import fill_invoice_totals, fill_totals
from fatturahub.fatturapa.totals.lines import apply_discounts, expected_line_total
from fatturahub.fatturapa.totals.money import round_half_up
from fatturahub.fatturapa.totals.report import (
    TEMPLATES,
    as_issue,
    check_invoice_totals,
    check_totals,
    message,
)

__all__ = [
    "TEMPLATES",
    "DocumentTotal",
    "SummaryLine",
    "Totals",
    "Withholding",
    "apply_discounts",
    "as_issue",
    "check_invoice_totals",
    "check_line_totals",
    "check_summary_taxables",
    "check_summary_taxes",
    "check_totals",
    "compute_totals",
    "document_total",
    "expected_line_total",
    "fill_invoice_totals",
    "fill_totals",
    "message",
    "round_half_up",
]
