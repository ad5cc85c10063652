"""The interface every payment provider implements, and the records that cross it."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from bot.settings import Settings, get_settings

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


def configured_provider(settings: Settings | None = None) -> PaymentProvider:
    """The provider the settings choose (`PAYMENT_PROVIDER`)."""
    from bot.payments.razorpay import RazorpayProvider
    from bot.payments.sandbox import SandboxUpiProvider

    s = settings or get_settings()
    if s.payment_provider == "razorpay":
        return RazorpayProvider(
            s.razorpay_key_id, s.razorpay_key_secret.get_secret_value(),
            s.razorpay_webhook_secret.get_secret_value(), s.razorpay_api_base,
            s.razorpay_timeout_seconds,
            callback_url=f"{s.public_base_url.rstrip('/')}/api/v1/payments/razorpay/callback",
        )
    return SandboxUpiProvider(s.sandbox_webhook_secret.get_secret_value(), s.public_base_url)
