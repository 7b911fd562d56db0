"""Bulk import of invoice history (active or passive) from a ZIP or many files."""
