"""Privacy in the WhatsApp channel: the worker purges old conversation text."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from api.whatsapp.worker import purge_periodically
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.privacy.retention import PURGED
from bot.settings import get_settings
from tests.bot.privacy.support import chat


def test_the_worker_purges_old_text_at_start(shop_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "30")
    monkeypatch.setenv("PRIVACY_PURGE_EVERY_HOURS", "0")  # at start only: the loop returns
    get_settings.cache_clear()
    chat(shop_id, "919812345678", "old", days_ago=31)
    chat(shop_id, "919812345678", "new", days_ago=29)
    asyncio.run(asyncio.wait_for(purge_periodically(get_settings()), 30))
    with session_scope() as s:
        payloads = [r.payload for r in s.scalars(select(WhatsAppInbox).order_by(WhatsAppInbox.id))]
    assert payloads[0] == PURGED and payloads[1]["message"]["text"]["body"] == "new"
