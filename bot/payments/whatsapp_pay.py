"""WhatsApp Pay (India: UPI through the shop's own payment gateway) status updates applied to
the payments ledger.

Meta delivers a payment's progress as a status of the order-details message, inside a webhook
whose signature the gateway has already checked: there is nothing left to verify, and no
provider of its own behind it — the money moves through the shop's configured provider, which
is why the event is recorded under that provider's name. `reference_id` is the payment's
public id (or the provider's reference) that the order details carried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.payments.provider import (
    EventKind,
    PaymentProvider,
    PaymentRequest,
    ProviderPayment,
    WebhookEvent,
)
from bot.payments.webhooks import WebhookResult, handle_webhook

KINDS: dict[str, EventKind] = {"captured": "captured", "success": "captured", "failed": "failed"}


def _paise(amount: Mapping[str, Any] | None) -> int | None:
    """Meta's `{"value": 12350, "offset": 100}` is ₹123.50: value / offset rupees."""
    if not amount or amount.get("value") is None:
        return None
    return int(amount["value"]) * 100 // int(amount.get("offset") or 100)


def payment_event(status: Mapping[str, Any]) -> WebhookEvent | None:
    """The ledger's event for one payment status as Meta's JSON has it; None without a payment.
    The event id is the message and the status, which Meta sends once each (a retried delivery
    repeats both, and the ledger records it once)."""
    payment = status.get("payment")
    if not isinstance(payment, Mapping):
        return None
    transaction = payment.get("transaction") or {}
    state = str(status.get("status") or "")
    return WebhookEvent(
        event_id=f"whatsapp:{status.get('id')}:{state}",
        event_type=f"whatsapp.payment.{state}",
        kind=KINDS.get(state, "ignored"),
        provider_ref=payment.get("reference_id"),
        public_id=payment.get("reference_id"),
        provider_payment_id=transaction.get("id"),
        amount_paise=_paise(payment.get("amount") or transaction.get("amount")),
        currency=payment.get("currency") or transaction.get("currency"),
        payload=dict(status),
    )


@dataclass(slots=True)
class _Verified:
    """The shop's provider, holding an event that arrived verified by another route.
    `handle_webhook` asks its provider to read the delivery; here it was read already."""

    name: str
    provider: PaymentProvider
    event: WebhookEvent

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        return self.provider.create_payment(request)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        return self.event

    def refund(self, provider_payment_id: str, amount_paise: int, reference: str) -> str:
        return self.provider.refund(provider_payment_id, amount_paise, reference)


def apply_whatsapp_payment(
    session: Session, status: Mapping[str, Any], provider: PaymentProvider
) -> WebhookResult | None:
    """Record and apply one WhatsApp Pay status (once, whatever Meta repeats) with the same
    rules as the provider's own webhooks; None when the status carries no payment."""
    event = payment_event(status)
    if event is None:
        return None
    return handle_webhook(session, _Verified(provider.name, provider, event), b"", {})
