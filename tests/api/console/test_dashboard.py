"""The dashboard page: today's figures in rupees, the funnel, the fallback chart and its
honest caption, the period selector, and nothing from another shop."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from api.main import create_app
from bot.catalog.model import format_rupees
from bot.catalog.sources import CatalogFile
from bot.db.base import utcnow
from tests.api.console.conftest import Console, log_in, make_merchant
from tests.bot.reports.support import inbox_message, pay, place, review, second_shop


def _stat(html: str, id_: str) -> str:
    found = re.search(rf'id="{id_}">([^<]*)<', html)
    assert found, id_
    return found.group(1)


def test_the_dashboard_shows_todays_orders_and_revenue_in_rupees(
    console: Console, shop_id: int
) -> None:
    paid = place(shop_id, "916000000001")
    pay(paid)
    place(shop_id, "916000000002")  # unpaid UPI: an order, not revenue
    page = console.get("/merchant")
    assert page.status_code == 200
    assert _stat(page.text, "orders-today") == "2"
    assert _stat(page.text, "revenue-today") == format_rupees(paid.total_paise)
    assert 'data-stage="paid"' in page.text and '<svg class="chart"' in page.text


def test_with_messages_the_chart_is_a_rate_and_says_what_it_divides_by(
    console: Console, shop_id: int
) -> None:
    inbox_message("916000000003", utcnow() - timedelta(minutes=5), n=4)
    review(
        shop_id,
        "fallback",
        "asdfgh",
        utcnow() - timedelta(minutes=4),
        conversation_id="916000000003",
    )
    page = console.get("/merchant").text
    assert "Fallback rate per day" in page and "divided by the WhatsApp messages" in page
    assert "1 of 4 WhatsApp messages fell back (25.0%)" in page


def test_without_messages_the_chart_counts_fallbacks_and_says_so(
    console: Console, shop_id: int
) -> None:
    review(
        shop_id, "fallback", "asdfgh", utcnow() - timedelta(minutes=4), conversation_id="rest-chat"
    )
    page = console.get("/merchant?days=30").text
    assert "Fallbacks per day" in page and "not a rate" in page
    assert re.search(r'href="/merchant\?days=30" aria-current="page"', page)
    assert page.count('class="bar"') == 30


def test_an_unknown_period_falls_back_to_a_week_with_a_message(console: Console) -> None:
    page = console.get("/merchant?days=9999")
    assert page.status_code == 200 and "is not a period the dashboard offers" in page.text
    assert page.text.count('class="bar"') == 7


def test_each_merchant_sees_only_their_shop(
    console: Console, shop_id: int, seed_catalog: CatalogFile
) -> None:
    other = second_shop(seed_catalog)
    make_merchant(other, "bee")
    review(shop_id, "unmatched", "kesar badam", utcnow() - timedelta(minutes=3))
    review(other, "unmatched", "gulab jamun mix", utcnow() - timedelta(minutes=3))
    pay(place(other, "917000000001"))
    ours = console.get("/merchant").text
    assert "kesar badam" in ours and "gulab jamun mix" not in ours
    assert _stat(ours, "orders-today") == "0"
    with TestClient(create_app(), base_url="http://127.0.0.1") as bee:
        assert log_in(bee, "bee").status_code == 303
        theirs = bee.get("/merchant").text
    assert "gulab jamun mix" in theirs and "kesar badam" not in theirs
    assert _stat(theirs, "orders-today") == "1"
    assert "this shop has no WhatsApp number" in theirs
