"""Tenancy use cases. Services never commit: the request or job boundary does."""
