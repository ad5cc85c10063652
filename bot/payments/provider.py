"""The interface every payment provider implements, and the records that cross it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

# What an event means for our payment, whatever the provider called it.
EventKind = Literal["captured", "failed", "expired", "refunded", "ignored"]


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    public_id: str
    order_id: int
    amount_paise: int
    currency: str
    description: str
    wa_id: str
    customer_name: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ProviderPayment:
    provider_ref: str  # the provider's id for what the shopper pays (a link, an intent)
    pay_url: str


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified event. It names our payment by the provider's reference or by our public id."""

    event_id: str
    event_type: str  # the provider's own name, kept for the ledger
    kind: EventKind
    provider_ref: str | None = None
    public_id: str | None = None
    provider_payment_id: str | None = None
    amount_paise: int | None = None
    currency: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: str

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        """Ask the provider for a way to pay; raises `ProviderUnavailable` when it cannot."""

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Check the signature on the raw body (`InvalidSignature`), then read the event
        (`MalformedEvent`). Nothing is trusted before the signature is."""

    def refund(self, provider_payment_id: str, amount_paise: int, reference: str) -> str:
        """Return money; the provider's refund id. Raises `RefundFailed`."""
