"""Provider events → payments and orders, safely.

- The signature is checked on the raw body before anything is read or stored.
- Each event is recorded once under (provider, event id): a replay or a duplicate delivery
  finds its row and changes nothing.
- Events are judged against the payment's state, not their arrival order: a failure that
  arrives after the capture is stale; a capture after a failure still pays (UPI lets the
  shopper retry on the same link); a capture for an order that was cancelled meanwhile is
  flagged for the merchant to refund.
- The amount and currency must be exactly the order's: anything else is flagged, never paid.
- Everything for one event happens in one transaction. If the process dies half-way, nothing
  is kept, the provider gets no 2xx and delivers again; and a payment found paid while its order
  still waits (left by a crash in some earlier design, or by hand) is completed by the next
  delivery of any event for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import models as db
from bot.db.session import begin_write
from bot.notifications.outbox import enqueue
from bot.orders.service import transition
from bot.payments.provider import PaymentProvider, WebhookEvent


@dataclass(frozen=True, slots=True)
class WebhookResult:
    event_id: str
    outcome: str  # paid | failed | expired | flagged | stale | ignored | unknown_payment | …
    duplicate: bool
    payment_id: str | None = None
    order_id: int | None = None


def _find_payment(
    session: Session, provider: str, event: WebhookEvent, shop_id: int | None
) -> db.Payment | None:
    keys = []
    if event.provider_ref:
        keys.append(db.Payment.provider_ref == event.provider_ref)
    if event.public_id:
        keys.append(db.Payment.public_id == event.public_id)
    if not keys:
        return None
    query = select(db.Payment).where(db.Payment.provider == provider, or_(*keys))
    if shop_id is not None:
        query = query.where(db.Payment.shop_id == shop_id)
    return session.scalar(
        query.with_for_update(of=db.Payment).execution_options(populate_existing=True)
    )


def _flag(session: Session, payment: db.Payment, reason: str, amount: int | None) -> str:
    payment.flag_reason = reason if not payment.flag_reason else f"{payment.flag_reason}; {reason}"
    if payment.status != "paid":
        payment.status = "flagged"
    order = payment.order
    enqueue(
        session,
        order.customer,
        "payment_flagged",
        {"order_id": order.id, "amount_paise": amount, "reason": reason},
        dedupe_key=f"payment:{payment.public_id}:flagged",
        order_id=order.id,
    )
    return "flagged"


def complete_paid_order(session: Session, payment: db.Payment, actor: str) -> bool:
    """A paid payment whose order still waits for payment: move the order on."""
    if payment.status == "paid" and payment.order.status == "pending_payment":
        transition(session, payment.order_id, "paid", actor)
        return True
    return False


def _captured(session: Session, payment: db.Payment, event: WebhookEvent, actor: str) -> str:
    order = payment.order
    if (
        event.amount_paise != payment.amount_paise
        or (event.currency or "").upper() != payment.currency
    ):
        return _flag(
            session,
            payment,
            f"event {event.event_id} paid {event.amount_paise} {event.currency}, the order "
            f"asks {payment.amount_paise} {payment.currency}",
            event.amount_paise,
        )
    if payment.status == "paid":
        if (
            event.provider_payment_id
            and payment.provider_payment_id
            and event.provider_payment_id != payment.provider_payment_id
        ):
            return _flag(
                session,
                payment,
                f"paid twice: {payment.provider_payment_id} and "
                f"{event.provider_payment_id}; refund one",
                event.amount_paise,
            )
        complete_paid_order(session, payment, actor)
        return "already_paid"
    if payment.status in ("refunded", "flagged"):
        return "stale"
    if payment.status == "expired" or order.status != "pending_payment":
        payment.provider_payment_id = event.provider_payment_id
        return _flag(
            session,
            payment,
            f"captured after the order became {order.status}: refund it or restore the order",
            event.amount_paise,
        )
    payment.status = "paid"
    payment.provider_payment_id = event.provider_payment_id
    payment.paid_at = datetime.now(UTC)
    session.flush()
    complete_paid_order(session, payment, actor)
    return "paid"


def _failed(session: Session, payment: db.Payment, event: WebhookEvent) -> str:
    if payment.status not in ("created", "failed") or payment.order.status != "pending_payment":
        return "stale"
    payment.status = "failed"
    order = payment.order
    enqueue(
        session,
        order.customer,
        "payment_failed",
        {"order_id": order.id, "total_paise": order.total_paise, "pay_url": payment.pay_url},
        dedupe_key=f"payment:{payment.public_id}:failed:{event.event_id}",
        order_id=order.id,
    )
    return "failed"


def _expired(session: Session, payment: db.Payment, actor: str) -> str:
    if payment.status not in ("created", "failed") or payment.order.status != "pending_payment":
        return "stale"
    transition(session, payment.order_id, "cancelled", actor, "the payment link expired")
    payment.status = "expired"
    return "expired"


def handle_webhook(
    session: Session,
    provider: PaymentProvider,
    body: bytes,
    headers: Mapping[str, str],
    *,
    shop_id: int | None = None,
) -> WebhookResult:
    """Verify, record and apply one delivery. Raises `InvalidSignature` or `MalformedEvent`
    before touching the database. `shop_id`: the delivery came to that shop's webhook route,
    and only that shop's payments can be found (the provider's name already confines it to
    payments of the account whose secret verified it, `bot.payments.configured`)."""
    event = provider.parse_webhook(body, headers)
    actor = f"payment:{provider.name}"
    begin_write(session)
    payment = _find_payment(session, provider.name, event, shop_id)
    seen = session.scalar(
        select(db.PaymentEvent).where(
            db.PaymentEvent.provider == provider.name, db.PaymentEvent.event_id == event.event_id
        )
    )
    if seen is not None and seen.payment_id is None and payment is not None:
        # Recorded before for no payment (a real event replayed to another shop's route, or
        # one that came before its payment was committed): it is this payment's now.
        session.delete(seen)
        session.flush()
        seen = None
    if seen is not None:
        if payment is not None:
            complete_paid_order(session, payment, actor)
        return WebhookResult(
            event.event_id,
            seen.outcome,
            True,
            payment.public_id if payment else None,
            payment.order_id if payment else None,
        )
    if payment is None:
        outcome = "ignored" if event.kind == "ignored" else "unknown_payment"
    elif event.kind == "captured":
        outcome = _captured(session, payment, event, actor)
    elif event.kind == "failed":
        outcome = _failed(session, payment, event)
    elif event.kind == "expired":
        outcome = _expired(session, payment, actor)
    else:
        outcome = "ignored" if event.kind == "ignored" else "recorded"
        complete_paid_order(session, payment, actor)
    try:
        with session.begin_nested():
            session.add(
                db.PaymentEvent(
                    shop_id=payment.shop_id if payment else None,
                    payment_id=payment.id if payment else None,
                    provider=provider.name,
                    event_id=event.event_id,
                    event_type=event.event_type,
                    outcome=outcome,
                    payload=dict(event.payload),
                )
            )
    except IntegrityError:
        # The same event, delivered twice at once, was recorded by the other delivery first.
        # Only events for no known payment get here (a known one is locked above), and those
        # change nothing but their record.
        return WebhookResult(event.event_id, outcome, True)
    return WebhookResult(
        event.event_id,
        outcome,
        False,
        payment.public_id if payment else None,
        payment.order_id if payment else None,
    )
