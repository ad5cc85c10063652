"""Privacy through the channel's two processes (`chatcart run`'s shape, without the engine):
the worker purges conversation text past the retention period when it starts, a STOP over the
webhook stops the promotions but not the order notices, and "delete my data" erases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from api.simulator import webhooks
from bot.db.models import Customer, Order, OutboxMessage
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.i18n import t
from bot.privacy.pseudonym import is_pseudonym
from bot.privacy.retention import PURGED
from bot.settings import get_settings
from tests.api.whatsapp.support import (
    PHONE_NUMBER_ID,
    FakeGraph,
    Gateway,
    choose,
    gateway_env,
    inbox_settled,
    notify,
    outbox_drained,
    shopper_wrote,
    wait_for_messages,
)
from tests.bot.privacy.support import chat, default_shop, finished_order
from tests.shop import free_port, load_shop
from tests.waiting import wait_until

SHOPPER = "919812300999"


@pytest.fixture
def channel(database_url: str, graph: FakeGraph, tmp_path: Path) -> Iterator[Gateway]:
    env = gateway_env(
        database_url, graph.url, "http://127.0.0.1:9", CONVERSATION_RETENTION_DAYS="30"
    )
    gw = Gateway(env, free_port(), tmp_path)
    yield gw
    gw.stop()


def _bodies(messages: list[dict]) -> list[str]:
    return [
        m["text"]["body"] if m["type"] == "text" else m["interactive"]["body"]["text"]
        for m in messages
    ]


def _first_payload() -> dict:
    with session_scope() as s:
        first = s.scalars(select(WhatsAppInbox).order_by(WhatsAppInbox.id)).first()
        return dict(first.payload) if first else {}


def test_stop_erase_and_retention_through_the_worker(
    channel: Gateway, graph: FakeGraph, database_url: str
) -> None:
    load_shop(database_url)
    shop_id = default_shop()
    chat(shop_id, SHOPPER, "two months ago", days_ago=60)
    shopper_wrote(SHOPPER, "hinglish", wrote=timedelta(hours=1))
    channel.start()
    wait_until(lambda: _first_payload() == PURGED, "the worker's purge at start", 30)

    notify(SHOPPER, "cart_reminder", {"items": 2}, "reminder:1")
    with session_scope(write=True) as s:  # a reminder due later: the STOP comes first
        s.scalars(select(OutboxMessage)).one().next_attempt_at = datetime.now(UTC) + timedelta(
            hours=1
        )
    assert channel.post(webhooks.text(PHONE_NUMBER_ID, SHOPPER, "band karo")).status_code == 200
    assert _bodies(wait_for_messages(graph, SHOPPER, 1)) == [t("privacy_opted_out", "hinglish")]
    notify(SHOPPER, "order_packed", {"order_id": 7}, "order:7:packed")
    assert _bodies(wait_for_messages(graph, SHOPPER, 2))[1] == "📦 Order #7 pack ho gaya hai."
    assert outbox_drained()

    order_id = finished_order(shop_id, SHOPPER)
    assert outbox_drained()
    told = len(graph.messages(SHOPPER))
    assert (
        channel.post(webhooks.text(PHONE_NUMBER_ID, SHOPPER, "mera data mita do")).status_code
        == 200
    )
    question = wait_for_messages(graph, SHOPPER, told + 1)[told]
    kind, reply_id, title = choose(question, lambda x: x == t("privacy_erase_yes", "hinglish"))
    assert (
        channel.post(webhooks.reply(PHONE_NUMBER_ID, SHOPPER, kind, reply_id, title)).status_code
        == 200
    )
    answer = wait_for_messages(graph, SHOPPER, told + 2)[told + 1]
    assert _bodies([answer]) == [t("privacy_erased", "hinglish")]
    assert inbox_settled(get_settings().database_url)
    with session_scope() as s:
        order = s.get_one(Order, order_id)
        assert is_pseudonym(s.get_one(Customer, order.customer_id).wa_id)
        assert order.address == "" and order.total_paise > 0
