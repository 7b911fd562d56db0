"""Events and webhooks: the feed of what happened, and its signed, ordered delivery to ERPs."""

from fatturahub.webhooks.publishing import publish

__all__ = ["publish"]
