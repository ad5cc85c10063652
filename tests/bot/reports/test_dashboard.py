"""The dashboard's figures on a real database: the shop's today, the funnel, unmatched terms,
the fallback rate, each scoped to one shop."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.cart import service as cart
from bot.catalog.sources import CatalogFile
from bot.db.session import session_scope
from bot.reports.dashboard import dashboard
from tests.bot.reports.support import (
    ATTA,
    cart_touched_at,
    inbox_message,
    move,
    pay,
    place,
    placed_at,
    review,
    second_shop,
    utc,
)

NOW = utc(2025, 1, 10, 20, 0)  # 01:30 on 11 January in India: "today" began at 18:30 UTC
TODAY_IST = utc(2025, 1, 10, 18, 30)


def test_today_counts_the_shops_day_and_revenue_leaves_out_unpaid_and_lost_orders(
    shop_id: int,
) -> None:
    paid = place(shop_id, "911000000001")
    pay(paid)
    unpaid = place(shop_id, "911000000002")
    cash = place(shop_id, "911000000003", "cod")
    cancelled = place(shop_id, "911000000004", "cod")
    move(cancelled.id, "cancelled")
    yesterday = place(shop_id, "911000000005")
    pay(yesterday)
    for order, at in (
        (paid, TODAY_IST + timedelta(minutes=15)),
        (unpaid, TODAY_IST + timedelta(minutes=30)),
        (cash, TODAY_IST + timedelta(hours=1)),
        (cancelled, TODAY_IST + timedelta(minutes=40)),
        (yesterday, TODAY_IST - timedelta(minutes=30)),
    ):
        placed_at(order.id, at)
    with session_scope() as s:
        board = dashboard(s, shop_id, 7, now=NOW)
    assert board.today == date(2025, 1, 11)
    t = board.today_sales
    assert (t.orders, t.awaiting_payment, t.lost) == (4, 1, 1)
    assert t.revenue_paise == paid.total_paise + cash.total_paise
    p = board.period_sales
    assert (p.orders, p.revenue_paise) == (
        5,
        paid.total_paise + cash.total_paise + yesterday.total_paise,
    )


def test_the_funnel_counts_shoppers_and_each_stage_is_within_the_one_before(
    shop_id: int, seed_catalog: CatalogFile
) -> None:
    writer, browser, unpaid, payer, cash, old = (f"9120000000{i:02d}" for i in range(6))
    for wa_id in (writer, browser, unpaid, payer):
        inbox_message(wa_id, NOW - timedelta(hours=3))
    inbox_message(old, NOW - timedelta(days=10))
    with session_scope(write=True) as s:
        cart.add_packs(s, shop_id, browser, [(ATTA, 1)])
        cart.add_packs(s, shop_id, old, [(ATTA, 1)])
    cart_touched_at(browser, NOW - timedelta(hours=2))
    cart_touched_at(old, NOW - timedelta(days=10))
    orders = [place(shop_id, unpaid), place(shop_id, payer), place(shop_id, cash, "cod")]
    pay(orders[1])
    move(orders[2].id, "packed", "out_for_delivery", "delivered")
    refunded = place(shop_id, payer)
    pay(refunded)
    move(refunded.id, "refunded")
    for order in (*orders, refunded):
        placed_at(order.id, NOW - timedelta(hours=1))
    other = second_shop(seed_catalog)
    placed_at(place(other, "913000000000").id, NOW - timedelta(hours=1))

    with session_scope() as s:
        ours = dashboard(s, shop_id, 7, now=NOW).funnel
        theirs = dashboard(s, other, 7, now=NOW).funnel
    assert ours.stages == [("Conversations", 5), ("Carts", 4), ("Orders", 3), ("Paid", 2)]
    assert (ours.whatsapp, ours.whatsapp_writers) == (True, 4)
    # The WhatsApp gateway serves the default shop: its inbox is not another shop's.
    assert theirs.stages == [("Conversations", 1), ("Carts", 1), ("Orders", 1), ("Paid", 0)]
    assert (theirs.whatsapp, theirs.whatsapp_writers) == (False, 0)


def test_a_cart_filled_today_counts_even_if_it_was_made_long_ago(shop_id: int) -> None:
    with session_scope(write=True) as s:
        cart.add_packs(s, shop_id, "914000000000", [(ATTA, 1)])
    cart_touched_at("914000000000", utc(2024, 1, 1))
    with session_scope(write=True) as s:
        cart.set_count(s, shop_id, "914000000000", ATTA, 3)
    with session_scope() as s:
        assert dashboard(s, shop_id, 7).funnel.carts == 1


def test_unmatched_terms_are_grouped_counted_and_kept_to_the_shop_and_period(
    shop_id: int, seed_catalog: CatalogFile
) -> None:
    other = second_shop(seed_catalog)
    for text, language in (("Aata ", "hinglish"), ("aata", "hinglish"), ("AATA", "en")):
        review(shop_id, "unmatched", text, NOW - timedelta(hours=5), language=language)
    review(shop_id, "unmatched", "paneer tikka", NOW - timedelta(days=2))
    review(shop_id, "unmatched", "old term", NOW - timedelta(days=8))
    review(shop_id, "fallback", "aata", NOW - timedelta(hours=5))
    for _ in range(5):
        review(other, "unmatched", "ghee", NOW - timedelta(hours=5))
    with session_scope() as s:
        terms = dashboard(s, shop_id, 7, now=NOW).unmatched
        month = dashboard(s, shop_id, 30, now=NOW).unmatched
    assert [(t.normalized, t.count, t.open, t.languages) for t in terms] == [
        ("aata", 3, 3, ("en", "hinglish")),
        ("paneer tikka", 1, 1, ("en",)),
    ]
    assert "old term" in [t.normalized for t in month]


def test_the_fallback_rate_is_whatsapp_fallbacks_over_whatsapp_messages(
    shop_id: int, seed_catalog: CatalogFile
) -> None:
    a, b = "915000000001", "915000000002"
    inbox_message(a, NOW - timedelta(hours=1), n=4)
    inbox_message(b, NOW - timedelta(days=2), n=5)
    review(shop_id, "fallback", "asdf", NOW - timedelta(hours=1), conversation_id=a)
    review(shop_id, "fallback", "qwer", NOW - timedelta(hours=1), conversation_id="rest-test-chat")
    review(shop_id, "fallback", "zxcv", NOW - timedelta(days=2), conversation_id=b)
    review(shop_id, "fallback", "zxcv", NOW - timedelta(days=2), conversation_id=b)
    review(shop_id, "unmatched", "zxcv", NOW - timedelta(days=2), conversation_id=b)
    other = second_shop(seed_catalog)
    review(other, "fallback", "asdf", NOW - timedelta(hours=1), conversation_id=a)
    with session_scope() as s:
        board = dashboard(s, shop_id, 7, now=NOW)
        theirs = dashboard(s, other, 7, now=NOW)
    days = {d.day: d for d in board.fallbacks}
    assert len(days) == 7 and max(days) == date(2025, 1, 11)
    today, two_days_ago = days[date(2025, 1, 11)], days[date(2025, 1, 9)]
    assert (today.fallbacks, today.whatsapp_fallbacks, today.messages) == (2, 1, 4)
    assert today.rate == pytest.approx(0.25)
    assert two_days_ago.rate == pytest.approx(0.4)
    assert [d.rate for d in board.fallbacks].count(None) == 5
    assert board.has_messages and not theirs.has_messages
    assert [d.fallbacks for d in theirs.fallbacks][-1] == 1 and theirs.fallbacks[-1].rate is None


def test_only_the_offered_periods(shop_id: int) -> None:
    with session_scope() as s, pytest.raises(ValueError, match="the period is one of"):
        dashboard(s, shop_id, 14)
