"""Why a delivery did not happen::

    DeliveryError
    ├── RetryLater      the receiver is down, slow or rate-limiting: try again later
    └── Undeliverable   nothing can ever deliver it (no channel configured, lead gone)
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A delivery failed; the message says why (no personal data)."""


class RetryLater(DeliveryError):
    """Try again; ``retry_after`` seconds when the receiver said so (HTTP 429)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Undeliverable(DeliveryError):
    """Give up on this event (it is marked dead for an admin to look at)."""
