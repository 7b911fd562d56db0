"""The inbox's live hub (RicezioneFatture played by zeep, no embedded worker) and its tenants."""

from tests.inbox.conftest import Hub, Tenant, hub, make_tenant

__all__ = ["Hub", "Tenant", "hub", "make_tenant"]
