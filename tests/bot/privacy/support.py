"""What the privacy tests share: a shopper with a finished order, their conversation in the
gateway's tables, the review queue and the engine's tracker store (a real `events` table,
Rasa's schema, where the engine keeps it for the test database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, delete, func, insert, select

from bot.cart import service as cart
from bot.db.models import ReviewItem
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing
from bot.orders import service
from bot.privacy import tracker
from tests.shop import checkout

NUMBER = "100000000000001"


def tracker_events(database_url: str) -> None:
    """An empty tracker store for the test database (the engine's own table)."""
    engine = create_engine(tracker.tracker_url(database_url))
    tracker.EVENTS.create(engine, checkfirst=True)
    with engine.begin() as conn:
        conn.execute(delete(tracker.EVENTS))
    engine.dispose()


def say(database_url: str, sender: str, type_name: str, text: str, at: datetime) -> None:
    engine = create_engine(tracker.tracker_url(database_url))
    with engine.begin() as conn:
        conn.execute(
            insert(tracker.EVENTS).values(
                sender_id=sender,
                type_name=type_name,
                timestamp=at.timestamp(),
                data=json.dumps({"event": type_name, "text": text}),
            )
        )
    engine.dispose()


def events_of(database_url: str, sender: str) -> int:
    engine = create_engine(tracker.tracker_url(database_url))
    with engine.connect() as conn:
        n = conn.scalar(
            select(func.count())
            .select_from(tracker.EVENTS)
            .where(tracker.EVENTS.c.sender_id == sender)
        )
    engine.dispose()
    return int(n or 0)


def default_shop() -> int:
    from bot.catalog.store import ensure_shop
    from bot.settings import get_settings

    settings = get_settings()
    with session_scope(write=True) as s:
        return ensure_shop(s, settings.default_shop_slug, settings.default_shop_name).id


def finished_order(shop_id: int, wa_id: str, key: str = "key-1") -> int:
    """A placed and cancelled UPI order (nothing left to deliver)."""
    with session_scope(write=True) as s:
        cart.get_or_create_customer(s, shop_id, wa_id, name="Asha", language="hi")
        cart.add_packs(s, shop_id, wa_id, [("STP-0013", 2)])
        order = service.place_order(s, shop_id, wa_id, **checkout(idempotency_key=key))
    with session_scope(write=True) as s:
        service.cancel_order(s, shop_id, order.id, "test")
    return order.id


def chat(shop_id: int, wa_id: str, text: str, *, days_ago: float = 0, name: str = "Asha") -> None:
    """One message in and one reply out, as the gateway stores them, and a review item."""
    at = datetime.now(UTC) - timedelta(days=days_ago)
    with session_scope(write=True) as s:
        n = s.scalar(select(func.count()).select_from(WhatsAppInbox)) or 0
        row = WhatsAppInbox(
            key=f"wamid.test.{n}",
            kind="message",
            type="text",
            wa_id=wa_id,
            phone_number_id=NUMBER,
            payload={"message": {"type": "text", "text": {"body": text}}, "name": name},
            state="done",
            received_at=at,
        )
        s.add(row)
        s.flush()
        s.add(
            WhatsAppOutgoing(
                inbox_id=row.id,
                wa_id=wa_id,
                phone_number_id=NUMBER,
                type="text",
                body={"to": wa_id, "text": {"body": f"you said {text}"}},
                options={"token": "ab12"},
                state="sent",
                wamid=f"wamid.out.{n}",
                created_at=at,
            )
        )
        s.add(
            ReviewItem(
                shop_id=shop_id,
                kind="fallback",
                text=text,
                normalized=text.lower(),
                conversation_id=wa_id,
                created_at=at,
            )
        )
