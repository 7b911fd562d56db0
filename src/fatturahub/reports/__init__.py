"""Comunicazioni finanziarie of a company: its VAT ledger, the LIPE figures and their submissions."""
