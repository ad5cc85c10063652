"""What the shopper was told about an order: its rows in the notifications outbox, with how
far each got (`pending`, `sent`, `dead` after too many failed tries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.base import as_utc
from bot.db.models import OutboxMessage


@dataclass(frozen=True, slots=True)
class OrderMessage:
    template: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


def order_messages(session: Session, shop_id: int, order_id: int) -> list[OrderMessage]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.shop_id == shop_id, OutboxMessage.order_id == order_id)
        .order_by(OutboxMessage.id)
    )
    return [
        OrderMessage(
            r.template,
            r.status,
            r.attempts,
            as_utc(r.created_at),
            as_utc(r.sent_at) if r.sent_at else None,
            r.last_error,
        )
        for r in rows
    ]
