"""What shoppers wrote over WhatsApp, from the gateway's durable inbox (`whatsapp_inbox`).

The inbox keeps every inbound message once (Meta's retries add nothing), written before the
webhook is answered, so it is a true count of messages. It carries no shop id: the gateway
serves one shop, `Settings.default_shop_slug` (see `api.whatsapp.gateway`), and so its rows
count for that shop and for no other.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.db.models import Shop
from bot.db.whatsapp_models import WhatsAppInbox
from bot.reports.days import Days, per_day
from bot.settings import get_settings


def serves_whatsapp(session: Session, shop_id: int) -> bool:
    return (
        session.scalar(select(Shop.slug).where(Shop.id == shop_id))
        == get_settings().default_shop_slug
    )


def writers_query(days: Days) -> Select[str]:
    """The shoppers (`wa_id`) who sent at least one message during `days`."""
    return (
        select(WhatsAppInbox.wa_id)
        .where(WhatsAppInbox.kind == "message", days.within(WhatsAppInbox.received_at))
        .distinct()
    )


def writers(session: Session, days: Days) -> set[str]:
    return set(session.scalars(writers_query(days)))


def messages_per_day(session: Session, days: Days) -> list[int]:
    return per_day(session, days, WhatsAppInbox.received_at, WhatsAppInbox.kind == "message")
