"""The outbox: written with the change it announces, drained with retries and back-off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.cart import service as cart
from bot.db.models import Customer, OutboxMessage
from bot.db.session import session_scope
from bot.notifications import outbox
from bot.orders import service
from bot.settings import get_settings
from tests.shop import WA_ID, checkout


def _customer(shop_id: int) -> Customer:
    with session_scope() as s:
        cart.get_or_create_customer(s, shop_id, WA_ID, language="hi")
    with session_scope() as s:
        return s.scalar(select(Customer))


def test_a_rolled_back_change_leaves_no_message(shop_id: int) -> None:
    def order_then_fail() -> None:
        with session_scope() as s:
            cart.add_packs(s, shop_id, WA_ID, [("STP-0013", 2)])
            service.place_order(s, shop_id, WA_ID, **checkout())
            assert len(outbox.pending(s)) == 1
            raise RuntimeError("the request failed after the order was written")

    with pytest.raises(RuntimeError, match="after the order was written"):
        order_then_fail()
    with session_scope() as s:
        assert outbox.pending(s) == []


def test_messages_carry_the_shoppers_language_and_one_per_fact(shop_id: int) -> None:
    customer = _customer(shop_id)
    with session_scope() as s:
        row = s.merge(customer)
        assert outbox.enqueue(s, row, "order_packed", {"order_id": 1}, dedupe_key="order:1:packed")
        assert not outbox.enqueue(
            s, row, "order_packed", {"order_id": 1}, dedupe_key="order:1:packed"
        )
        with pytest.raises(ValueError, match="unknown outbox template"):
            outbox.enqueue(s, row, "no_such_template", {}, dedupe_key="x")
    with session_scope() as s:
        [item] = outbox.pending(s)
    assert (item.wa_id, item.language, item.template, item.params) == (
        WA_ID,
        "hi",
        "order_packed",
        {"order_id": 1},
    )


def test_failed_sends_back_off_then_die(shop_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "3")
    get_settings.cache_clear()
    customer = _customer(shop_id)
    with session_scope() as s:
        outbox.enqueue(s, s.merge(customer), "order_delivered", {"order_id": 7}, dedupe_key="d")
        outbox.enqueue(s, s.merge(customer), "order_packed", {"order_id": 7}, dedupe_key="p")
    now = datetime.now(UTC)
    with session_scope() as s:
        first, second = outbox.pending(s, now=now)
        outbox.mark_sent(s, first.id, "wamid.1", now=now)
        assert outbox.mark_failed(s, second.id, "131056 pair rate limit", now=now) == "pending"
    with session_scope() as s:
        assert outbox.pending(s, now=now) == []  # waiting out the back-off
        [again] = outbox.pending(s, now=now + timedelta(seconds=31))
        assert again.attempts == 1
        assert outbox.mark_failed(s, again.id, "timeout", now=now) == "pending"
    with session_scope() as s:
        [again] = outbox.pending(s, now=now + timedelta(hours=2))
        assert outbox.mark_failed(s, again.id, "timeout", now=now) == "dead"
    with session_scope() as s:
        assert outbox.pending(s, now=now + timedelta(days=1)) == []
        rows = {r.template: r for r in s.scalars(select(OutboxMessage))}
        assert (
            rows["order_delivered"].status == "sent"
            and rows["order_delivered"].provider_message_id == "wamid.1"
        )
        assert (rows["order_packed"].status, rows["order_packed"].attempts) == ("dead", 3)
