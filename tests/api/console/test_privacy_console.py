"""The console shows whether a shopper opted out, and erases a shopper's data on request,
through the same function as the chat: the order stays, without the number."""

from __future__ import annotations

import html

from sqlalchemy import select

from bot.db.models import Customer, Order
from bot.db.session import session_scope
from bot.privacy import consent
from bot.privacy.pseudonym import is_pseudonym
from tests.api.console.conftest import Console
from tests.bot.reports.support import move, place

SHOPPER = "919876500011"


def test_an_opted_out_shopper_is_marked_on_their_order(console: Console, shop_id: int) -> None:
    order = place(shop_id, SHOPPER, "cod")
    assert "opted in" in console.get(f"/merchant/orders/{order.id}").text
    with session_scope(write=True) as s:
        consent.opt_out(s, shop_id, SHOPPER)
    page = console.get(f"/merchant/orders/{order.id}").text
    assert 'id="shopper-consent"><span class="badge warn">opted out' in page


def _erase(console: Console, order_id: int, confirm: str) -> str:
    posted = console.post(f"/merchant/orders/{order_id}/erase-shopper", {"confirm": confirm})
    assert posted.status_code == 303
    return html.unescape(console.get(posted.headers["location"]).text)


def test_erasing_waits_for_the_order_then_keeps_it_without_the_number(
    console: Console, shop_id: int
) -> None:
    order = place(shop_id, SHOPPER, "cod")
    assert "Type erase to confirm" in _erase(console, order.id, "")
    waiting = _erase(console, order.id, "erase")
    assert f"Order #{order.id} of this shopper is still in progress" in waiting
    move(order.id, "packed", "out_for_delivery", "delivered")
    page = _erase(console, order.id, "erase")
    assert "The shopper's data is erased" in page and 'id="shopper-erased"' in page
    assert SHOPPER not in page and 'id="erase-shopper"' not in page
    with session_scope() as s:
        kept = s.get_one(Order, order.id)
        assert kept.status == "delivered" and kept.address == "" and kept.total_paise > 0
        assert is_pseudonym(s.scalar(select(Customer.wa_id)) or "")
