"""The outbox: shopper messages written in the same transaction as the change they announce.

If the order commits, its message is there; if it rolls back, so does the message. A sender
(the WhatsApp gateway) drains `pending` rows, then records `mark_sent` or `mark_failed`; failed
rows come back after an exponential back-off until `outbox_max_attempts`, then stay `dead`
for a person to look at. Messages carry a template key and parameters, not text: the gateway
renders them in the shopper's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import models as db
from bot.settings import get_settings

BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)

# The templates this module writes, and the parameters each carries.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "order_placed": ("order_id", "total_paise", "payment_method", "delivery_slot", "pay_url"),
    "order_paid": ("order_id", "total_paise"),
    "payment_failed": ("order_id", "total_paise", "pay_url"),
    "payment_flagged": ("order_id", "amount_paise", "reason"),
    "order_packed": ("order_id",),
    "order_out_for_delivery": ("order_id",),
    "order_delivered": ("order_id",),
    "order_cancelled": ("order_id", "reason"),
    "order_refunded": ("order_id", "total_paise"),
    "cart_reminder": ("items",),
}
# What a shopper who said STOP still gets: the notices of an order in progress. Everything
# else (PROMOTIONAL: a reminder of a cart left behind, an offer) needs their consent
# (bot.privacy.consent): refused when written, skipped when they opt out before it is sent.
ORDER_NOTICES = frozenset(
    {
        "order_placed",
        "order_paid",
        "payment_failed",
        "payment_flagged",
        "order_packed",
        "order_out_for_delivery",
        "order_delivered",
        "order_cancelled",
        "order_refunded",
    }
)
PROMOTIONAL = frozenset(TEMPLATES) - ORDER_NOTICES


def _unwanted() -> ColumnElement[bool]:
    """A promotional message to a shopper who opted out, or whose data was erased."""
    refused = exists().where(
        db.Customer.id == db.OutboxMessage.customer_id,
        or_(db.Customer.opted_out_at.is_not(None), db.Customer.erased_at.is_not(None)),
    )
    return and_(db.OutboxMessage.template.in_(PROMOTIONAL), refused)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    shop_id: int
    wa_id: str
    language: str
    template: str
    params: dict[str, Any]
    attempts: int
    order_id: int | None
    created_at: datetime


def _item(row: db.OutboxMessage) -> OutboxItem:
    return OutboxItem(
        row.id,
        row.shop_id,
        row.wa_id,
        row.language,
        row.template,
        dict(row.params),
        row.attempts,
        row.order_id,
        row.created_at,
    )


def enqueue(
    session: Session,
    customer: db.Customer,
    template: str,
    params: dict[str, Any],
    *,
    dedupe_key: str,
    order_id: int | None = None,
) -> bool:
    """Write one message; False when a message for the same fact (`dedupe_key`) exists, or
    when it is promotional and the shopper opted out."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown outbox template {template!r}")
    if template in PROMOTIONAL and (customer.opted_out_at or customer.erased_at):
        return False  # no consent: nothing to write
    exists = select(db.OutboxMessage.id).where(
        db.OutboxMessage.shop_id == customer.shop_id, db.OutboxMessage.dedupe_key == dedupe_key
    )
    if session.scalar(exists) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                db.OutboxMessage(
                    shop_id=customer.shop_id,
                    customer_id=customer.id,
                    order_id=order_id,
                    wa_id=customer.wa_id,
                    language=customer.language or "en",
                    template=template,
                    params=params,
                    dedupe_key=dedupe_key,
                )
            )
    except IntegrityError:
        return False
    return True


def pending(session: Session, limit: int = 50, now: datetime | None = None) -> list[OutboxItem]:
    """Messages due for sending, oldest first. On PostgreSQL the rows stay locked until the
    caller's transaction ends and other drainers skip them, so two senders never send one
    message twice; call `mark_sent`/`mark_failed` in the same transaction."""
    now = now or datetime.now(UTC)
    rows = session.scalars(
        select(db.OutboxMessage)
        .where(
            db.OutboxMessage.status == "pending",
            db.OutboxMessage.next_attempt_at <= now,
            ~_unwanted(),
        )
        .order_by(db.OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    return [_item(r) for r in rows]


def _row(session: Session, message_id: int) -> db.OutboxMessage:
    row = session.get(db.OutboxMessage, message_id)
    if row is None:
        raise LookupError(f"no outbox message {message_id}")
    return row


def mark_sent(
    session: Session,
    message_id: int,
    provider_message_id: str | None = None,
    now: datetime | None = None,
) -> None:
    row = _row(session, message_id)
    row.status = "sent"
    row.attempts += 1
    row.provider_message_id = provider_message_id
    row.sent_at = now or datetime.now(UTC)
    row.last_error = None


def mark_failed(session: Session, message_id: int, error: str, now: datetime | None = None) -> str:
    """Count a failed attempt; the message is retried later, or `dead` after too many tries.
    Returns the message's new status."""
    row = _row(session, message_id)
    row.attempts += 1
    row.last_error = error[:2000]
    if row.attempts >= get_settings().outbox_max_attempts:
        row.status = "dead"
    else:
        delay = min(BACKOFF_FIRST * 2 ** (row.attempts - 1), BACKOFF_MAX)
        row.next_attempt_at = (now or datetime.now(UTC)) + delay
    return row.status


def resend(session: Session, message_id: int, reason: str, now: datetime | None = None) -> None:
    """A message the sender reported sent that the channel refused afterwards (WhatsApp reports
    some refusals in a later status): due again now, for the sender to send another way."""
    row = _row(session, message_id)
    row.status = "pending"
    row.next_attempt_at = now or datetime.now(UTC)
    row.last_error = reason[:2000]


def messages_for(session: Session, shop_id: int, order_id: int) -> list[OutboxItem]:
    rows = session.scalars(
        select(db.OutboxMessage)
        .where(
            db.OutboxMessage.shop_id == shop_id,
            db.OutboxMessage.order_id == order_id,
        )
        .order_by(db.OutboxMessage.id)
    )
    return [_item(r) for r in rows]
