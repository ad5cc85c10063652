"""Retention: conversation text older than CONVERSATION_RETENTION_DAYS goes, the rest stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Order, ReviewItem
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing
from bot.privacy.retention import PURGED, purge_old
from bot.settings import get_settings
from tests.bot.privacy.support import chat, events_of, finished_order, say, tracker_events
from tests.shop import WA_ID


@pytest.fixture
def tracked(database_url: str, shop_id: int, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "30")
    get_settings.cache_clear()
    tracker_events(database_url)
    return shop_id


def _texts() -> tuple[list[object], list[object], list[str]]:
    with session_scope() as s:
        return (
            [r.payload for r in s.scalars(select(WhatsAppInbox).order_by(WhatsAppInbox.id))],
            [r.body for r in s.scalars(select(WhatsAppOutgoing).order_by(WhatsAppOutgoing.id))],
            [r.text for r in s.scalars(select(ReviewItem).order_by(ReviewItem.id))],
        )


def test_old_conversation_text_is_purged_once(tracked: int, database_url: str) -> None:
    finished_order(tracked, WA_ID)
    chat(tracked, WA_ID, "old atta", days_ago=45)
    chat(tracked, WA_ID, "new milk", days_ago=1)
    now = datetime.now(UTC)
    say(database_url, WA_ID, "user", "old atta", now - timedelta(days=45))
    say(database_url, WA_ID, "slot", "address", now - timedelta(days=45))
    say(database_url, WA_ID, "user", "new milk", now - timedelta(days=1))
    say(database_url, "919800000005", "user", "idle since", now - timedelta(days=50))
    say(database_url, "919800000005", "slot", "Flat 9, MG Road", now - timedelta(days=50))

    done = purge_old()

    assert (done.messages, done.review_items, done.tracker_events) == (2, 1, 3)
    inbound, outbound, review = _texts()
    assert inbound[0] == PURGED and inbound[1]["message"]["text"]["body"] == "new milk"
    assert outbound[0] == PURGED and outbound[1]["text"]["body"] == "you said new milk"
    assert review == ["", "new milk"]
    assert events_of(database_url, WA_ID) == 2  # the old slot stays: the conversation goes on
    assert events_of(database_url, "919800000005") == 0  # idle for 50 days: all of it goes
    with session_scope() as s:
        assert s.scalar(select(Order.address))  # orders are records, not conversation
    again = purge_old()
    assert (again.messages, again.review_items, again.tracker_events) == (0, 0, 0)


def test_zero_days_keeps_everything(tracked: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "0")
    get_settings.cache_clear()
    chat(tracked, WA_ID, "very old", days_ago=400)
    assert purge_old().cutoff is None
    assert _texts()[2] == ["very old"]
