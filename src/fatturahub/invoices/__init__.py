"""The active cycle: invoices a company issues, sent to SDI, followed to their outcome."""
