"""WhatsApp Pay (India: UPI through the shop's own payment gateway) status updates applied to
the payments ledger.

Meta delivers a payment's progress as a status of the order-details message, inside a webhook
whose signature the gateway has already checked: there is nothing left to verify, and no
provider of its own behind it — the money moves through the shop's configured provider, which
is why the event is recorded under that provider's name. `reference_id` is the payment's
public id (or the provider's reference) that the order details carried, with the message's
suffix (`bot.payments.order_details.reference_for`).

Meta says not to rely on the webhook alone: a capture is applied only when Meta's own record of
the payment, looked up on the Graph API (`GET /{phone-number-id}/payments/{configuration}/
{reference_id}`, done by the gateway), agrees with it — captured, the same amount and currency.
Anything else is flagged for the merchant, never paid; so is a capture in a shop with no payment
gateway configuration to look it up in. Failures and pending statuses move no money and are
applied without a lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import models as db
from bot.payments.order_details import pay_setting, payment_public_id
from bot.payments.provider import (
    EventKind,
    PaymentProvider,
    PaymentRequest,
    ProviderPayment,
    WebhookEvent,
)
from bot.payments.webhooks import WebhookResult, _flag, handle_webhook
from bot.settings import Settings

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
        public_id=payment_public_id(str(payment.get("reference_id") or "")) or None,
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


@dataclass(frozen=True, slots=True)
class LookupTarget:
    """Where Meta keeps one payment: `GET /{phone_number_id}/payments/{configuration}/
    {reference_id}`."""

    phone_number_id: str
    configuration: str
    reference_id: str


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What Meta's lookup said of a payment; `problem` when it said nothing usable (an error,
    no such payment, no configuration to ask)."""

    status: str = ""
    amount_paise: int | None = None
    currency: str | None = None
    transaction_id: str | None = None
    problem: str = ""


def _payment_for(session: Session, reference_id: str) -> db.Payment | None:
    public_id = payment_public_id(reference_id)
    return session.scalar(select(db.Payment).where(db.Payment.public_id == public_id))


def lookup_target(
    session: Session, status: Mapping[str, Any], settings: Settings
) -> LookupTarget | None:
    """Where to look up a captured status of one of our payments; None when there is nothing
    to look up (not a capture, or no payment of ours) or nowhere to (no gateway configuration:
    then `apply_whatsapp_payment` flags the capture)."""
    event = payment_event(status)
    if event is None or event.kind != "captured" or not event.provider_ref:
        return None
    payment = _payment_for(session, event.provider_ref)
    if payment is None:
        return None
    shop = session.get(db.Shop, payment.shop_id)
    setting = pay_setting(settings.whatsapp_pay, shop.slug if shop else None)
    if setting is None or setting.kind != "payment_gateway":
        return None
    number = (shop.phone_number_id if shop else None) or settings.whatsapp_phone_number_id
    return LookupTarget(number, setting.configuration_name, event.provider_ref)


def confirmation(answer: Mapping[str, Any], reference_id: str) -> Confirmation:
    """Meta's lookup answer (`{"payments": [{reference_id, status, amount, currency,
    transactions}]}`) read for the one payment asked about."""
    found = [
        p
        for p in answer.get("payments") or []
        if isinstance(p, Mapping) and p.get("reference_id") == reference_id
    ]
    if not found:
        return Confirmation(problem=f"Meta has no payment {reference_id}")
    record = found[0]
    transactions = [t for t in record.get("transactions") or [] if isinstance(t, Mapping)]
    succeeded = [t for t in transactions if t.get("status") == "success"]
    return Confirmation(
        status=str(record.get("status") or ""),
        amount_paise=_paise(record.get("amount")),
        currency=record.get("currency"),
        transaction_id=str(succeeded[0]["id"]) if succeeded and succeeded[0].get("id") else None,
    )


def _disagreement(event: WebhookEvent, confirmed: Confirmation | None) -> str | None:
    """Why Meta's record does not confirm the webhook's capture; None when it does."""
    if confirmed is None:
        return "no payment gateway configuration to look the payment up in"
    if confirmed.problem:
        return f"the lookup failed: {confirmed.problem}"
    if confirmed.status != "captured":
        return f"Meta's record says {confirmed.status or 'nothing'}, not captured"
    if (
        confirmed.amount_paise != event.amount_paise
        or (confirmed.currency or "").upper() != (event.currency or "").upper()
    ):
        return (
            f"Meta's record says {confirmed.amount_paise} {confirmed.currency}, the webhook "
            f"{event.amount_paise} {event.currency}"
        )
    return None


def apply_whatsapp_payment(
    session: Session,
    status: Mapping[str, Any],
    provider: PaymentProvider,
    confirmed: Confirmation | None = None,
) -> WebhookResult | None:
    """Record and apply one WhatsApp Pay status (once, whatever Meta repeats) with the same
    rules as the provider's own webhooks; None when the status carries no payment. A capture
    needs `confirmed`, Meta's lookup agreeing with it (see the module's note)."""
    event = payment_event(status)
    if event is None:
        return None
    payment = _payment_for(session, event.provider_ref or "")
    # Recorded under the provider that took the payment (the shop's own account or not).
    name = payment.provider if payment is not None else provider.name
    doubt = _disagreement(event, confirmed) if event.kind == "captured" else None
    if doubt is not None and payment is not None:
        event = replace(event, kind="ignored", event_type=f"{event.event_type}.unconfirmed")
    elif confirmed is not None and confirmed.transaction_id:
        event = replace(event, provider_payment_id=confirmed.transaction_id)
    result = handle_webhook(session, _Verified(name, provider, event), b"", {})
    if doubt is None or payment is None or result.duplicate or result.payment_id is None:
        return result
    outcome = _flag(session, payment, f"WhatsApp Pay capture {event.event_id}: {doubt}", None)
    recorded = session.scalar(
        select(db.PaymentEvent).where(
            db.PaymentEvent.provider == payment.provider,
            db.PaymentEvent.event_id == event.event_id,
        )
    )
    if recorded is not None:
        recorded.outcome = outcome
    return replace(result, outcome=outcome)
