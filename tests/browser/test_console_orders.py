"""The merchant console in a real browser (headless Debian Chromium through Playwright) against
a real uvicorn server: log in through the form (a wrong password first), read the dashboard,
open an order and pack it; the shopper's outbox message is then in the database. Screenshots
go to docs/console-dashboard.png and docs/console-order.png."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cart.service import add_packs, customer_row
from bot.db.base import utcnow
from bot.db.models import OrderEvent, OutboxMessage
from bot.db.session import session_scope
from tests.api.console.conftest import PASSWORD, make_merchant
from tests.bot.reports.support import inbox_message, move, pay, place, placed_at, review
from tests.browser import DOCS
from tests.shop import LiveServer, start_server, stop_server

CHROMIUM = "/usr/bin/chromium"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
if not shutil.which(CHROMIUM):
    pytest.skip(
        f"{CHROMIUM} is absent: `make install` installs Debian's chromium", allow_module_level=True
    )

SHOPPERS = {
    "919820011111": "Asha Rao",
    "919820022222": "Vikram Singh",
    "919820033333": "Meera Iyer",
    "919820044444": "Rahul Verma",
    "919820055555": "Fatima Shaikh",
    "919820066666": "Arjun Nair",
    "919820077777": "Priya Das",
    "919820088888": "Kabir Khan",
    "919820099999": "Neha Joshi",
    "919820000000": "Sunil Patil",
}
UNMATCHED = {"kesar": 5, "amul lassi": 3, "sabudana": 2, "kaju katli": 1}


def _week_of_business(shop_id: int) -> int:
    """Orders, messages, fallbacks and unmatched terms over the last days, as a shop would
    have them; returns the cash-on-delivery order placed today, which the test packs."""
    wa_ids = list(SHOPPERS)
    with session_scope(write=True) as s:
        for wa_id, name in SHOPPERS.items():
            customer_row(s, shop_id, wa_id, name=name)
    now = utcnow()
    for day in range(6, -1, -1):
        for i, wa_id in enumerate(wa_ids[: 5 + day % 6]):
            inbox_message(wa_id, now - timedelta(days=day, minutes=10 + i), n=4 + (day + i) % 5)
        for i in range((day * 5) % 4):
            review(
                shop_id,
                "fallback",
                f"kuch bhi {day}-{i}",
                now - timedelta(days=day, minutes=5),
                conversation_id=wa_ids[i],
            )
    for term, count in UNMATCHED.items():
        for i in range(count):
            review(
                shop_id, "unmatched", term, now - timedelta(days=i, minutes=3), language="hinglish"
            )
    earlier = [
        ("919820011111", "upi", [("STP-0002", 1)], 3, ("packed", "out_for_delivery", "delivered")),
        (
            "919820022222",
            "cod",
            [("STP-0031", 2), ("STP-0027", 1)],
            2,
            ("packed", "out_for_delivery", "delivered"),
        ),
        ("919820033333", "upi", [("STP-0009", 1)], 1, ("packed",)),
        ("919820044444", "cod", [("STP-0023", 2)], 1, ("cancelled",)),
    ]
    for wa_id, method, packs, days_ago, steps in earlier:
        order = place(shop_id, wa_id, method, packs=packs)
        if method == "upi":
            pay(order)
        move(order.id, *steps)
        placed_at(order.id, now - timedelta(days=days_ago))
    with session_scope(write=True) as s:  # a cart left without ordering
        add_packs(s, shop_id, "919820077777", [("STP-0021", 1)])
    pay(place(shop_id, "919820055555", packs=[("STP-0004", 1)]))
    place(shop_id, "919820066666", packs=[("STP-0001", 2)])  # UPI, not paid yet
    return place(
        shop_id, "919820011111", "cod", packs=[("STP-0013", 2), ("STP-0029", 1), ("STP-0031", 1)]
    ).id


@pytest.fixture
def console_server(shop_id: int, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(database_url, tmp_path / "uvicorn.log", EXPIRE_UNPAID_EVERY_SECONDS="0")
    yield server
    stop_server(server)


def test_log_in_read_the_dashboard_and_pack_an_order(
    shop_id: int, console_server: LiveServer
) -> None:
    make_merchant(shop_id, "owner")
    order_id = _week_of_business(shop_id)
    DOCS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{console_server.url}/merchant")
        assert "/merchant/login" in page.url

        page.fill("input[name=username]", "owner")
        page.fill("input[name=password]", "not the password")
        page.click("button[type=submit]")
        assert "Wrong username or password" in page.locator(".flash.error").inner_text()

        page.fill("input[name=username]", "owner")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("h1:has-text('Dashboard')")
        assert page.url.rstrip("/").endswith("/merchant")
        assert page.locator("#orders-today").inner_text() == "3"
        assert page.locator("#fallback-chart svg .bar").count() == 7
        assert page.locator("#unmatched tbody tr").first.inner_text().startswith("kesar")
        page.screenshot(path=str(DOCS / "console-dashboard.png"), full_page=True)

        page.click("nav >> text=Orders")
        page.wait_for_selector("#orders")
        page.click(f"#orders a[href='/merchant/orders/{order_id}']")
        page.wait_for_selector("#status-actions")
        assert page.locator("#order-status").inner_text() == "New, cash on delivery"
        page.click("button[data-to=packed]")
        page.wait_for_selector("#order-status:has-text('Packed')")
        assert "WhatsApp message" in page.locator(".flash.notice").inner_text()
        page.screenshot(path=str(DOCS / "console-order.png"), full_page=True)
        browser.close()

    with session_scope() as s:
        templates = list(
            s.scalars(
                select(OutboxMessage.template)
                .where(OutboxMessage.order_id == order_id)
                .order_by(OutboxMessage.id)
            )
        )
        actor = s.scalar(
            select(OrderEvent.actor).where(
                OrderEvent.order_id == order_id, OrderEvent.to_status == "packed"
            )
        )
    assert templates == ["order_placed", "order_packed"]
    assert actor == "merchant:owner"
