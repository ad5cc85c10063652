"""STOP and START: whether a shop may message a shopper beyond answering them.

Opted out, a shopper still gets the replies to their own messages and the notices of an order
in progress (bot.notifications.outbox.ORDER_NOTICES) — messages they asked for — and nothing
else: a reminder or an offer written before the STOP is closed unsent, one written after is refused.
Consent is per shop: a STOP to one shop's number says nothing about another's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.cart import service as carts
from bot.db import models as db
from bot.notifications.outbox import PROMOTIONAL

# A message not to send is closed as the outbox closes one the chat said already: `sent`
# with no provider id, and why in `last_error`.
NOT_SENT_OPTED_OUT = "not sent: the shopper opted out"


def opted_out(session: Session, shop_id: int, wa_id: str) -> bool:
    row = carts.customer_row(session, shop_id, wa_id, create=False)
    return row is not None and row.opted_out_at is not None


def opt_out(session: Session, shop_id: int, wa_id: str, now: datetime | None = None) -> bool:
    """Record the shopper's STOP (made a customer if they were not one: the STOP must outlive
    their first order); True when they were opted in until now. Promotional messages waiting
    in the outbox are closed unsent in the same transaction."""
    row = carts.customer_row(session, shop_id, wa_id)
    assert row is not None
    changed = row.opted_out_at is None
    if changed:
        row.opted_out_at = now or datetime.now(UTC)
    session.execute(
        update(db.OutboxMessage)
        .where(
            db.OutboxMessage.shop_id == shop_id,
            db.OutboxMessage.customer_id == row.id,
            db.OutboxMessage.status == "pending",
            db.OutboxMessage.template.in_(PROMOTIONAL),
        )
        .values(status="sent", last_error=NOT_SENT_OPTED_OUT)
    )
    return changed


def opt_in(session: Session, shop_id: int, wa_id: str) -> bool:
    """Record the shopper's START; True when they were opted out until now."""
    row = carts.customer_row(session, shop_id, wa_id, create=False)
    if row is None or row.opted_out_at is None:
        return False
    row.opted_out_at = None
    return True


def opted_out_ids(session: Session, shop_id: int) -> set[str]:
    """The WhatsApp ids of the shop's opted-out shoppers (the console marks them)."""
    return set(
        session.scalars(
            select(db.Customer.wa_id).where(
                db.Customer.shop_id == shop_id, db.Customer.opted_out_at.is_not(None)
            )
        )
    )
