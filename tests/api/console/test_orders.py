"""The orders pages: filters, pages, the order in full, status changes through the state
machine (with the shopper's outbox message), cancellations, refunds, readable refusals, and
no way into another shop's orders."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.console.routes import orders as orders_page
from api.main import create_app
from bot.cart.service import customer_row
from bot.catalog.sources import CatalogFile
from bot.db.base import utcnow
from bot.db.models import Order, OrderEvent, OutboxMessage, Payment
from bot.db.session import session_scope
from tests.api.console.conftest import Console, log_in, make_merchant
from tests.bot.reports.support import ATTA, MILK, move, pay, place, placed_at, second_shop
from tests.shop import stock_of


def _listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-order="(\d+)">', html)]


def _buttons(html: str) -> list[str]:
    return re.findall(r'data-to="([a-z_]+)"', html)


def _status(order_id: int) -> str:
    with session_scope() as s:
        return s.scalar(select(Order.status).where(Order.id == order_id))


def _outbox(order_id: int) -> list[tuple[str, dict]]:
    with session_scope() as s:
        return [
            (m.template, dict(m.params))
            for m in s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.order_id == order_id)
                .order_by(OutboxMessage.id)
            )
        ]


def test_the_list_filters_by_status_payment_date_and_search(console: Console, shop_id: int) -> None:
    upi = place(shop_id, "918000000001")
    cod = place(shop_id, "919876543210", "cod")
    old = place(shop_id, "918000000003")
    pay(upi)
    placed_at(old.id, utcnow() - timedelta(days=40))
    with session_scope(write=True) as s:
        customer_row(s, shop_id, "919876543210", name="Asha Rao")
    assert _listed(console.get("/merchant/orders").text) == [old.id, cod.id, upi.id]
    assert _listed(console.get("/merchant/orders?status=paid").text) == [upi.id]
    assert _listed(console.get("/merchant/orders?method=cod").text) == [cod.id]
    today = utcnow().date()
    recent = console.get(
        f"/merchant/orders?from={today - timedelta(days=7)}&to={today + timedelta(days=1)}"
    ).text
    assert _listed(recent) == [cod.id, upi.id]
    assert _listed(console.get(f"/merchant/orders?q=%23{upi.id}").text) == [upi.id]
    assert _listed(console.get("/merchant/orders?q=%2B91+98765-43210").text) == [cod.id]
    assert _listed(console.get("/merchant/orders?q=43210").text) == [cod.id]
    assert _listed(console.get("/merchant/orders?q=asha").text) == [cod.id]
    assert _listed(console.get("/merchant/orders?q=nobody").text) == []


def test_bad_filters_are_named_and_left_out(console: Console, shop_id: int) -> None:
    order = place(shop_id, "918000000004")
    page = console.get("/merchant/orders?status=lost&from=yesterday&method=card")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert (
        "There is no status 'lost'" in text
        and "from 'yesterday' is not a date (YYYY-MM-DD)" in text
    )
    assert "no payment method 'card'" in text
    assert _listed(page.text) == [order.id]


def test_pages_keep_the_filters(
    console: Console, shop_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(orders_page, "PER_PAGE", 2)
    ids = [place(shop_id, f"91810000000{i}", "cod").id for i in range(5)]
    first = console.get("/merchant/orders?method=cod").text
    assert _listed(first) == ids[:-3:-1] and "page 1 of 3" in first
    assert 'href="/merchant/orders?method=cod&amp;page=2"' in first
    assert _listed(console.get("/merchant/orders?method=cod&page=3").text) == [ids[0]]
    assert _listed(console.get("/merchant/orders?method=cod&page=99").text) == [ids[0]]


def test_the_order_page_shows_lines_totals_delivery_payment_and_history(
    console: Console, shop_id: int
) -> None:
    order = place(shop_id, "918000000010")
    pay(order)
    page = console.get(f"/merchant/orders/{order.id}")
    assert page.status_code == 200
    html = page.text
    for text in (
        ATTA,
        MILK,
        order.address,
        order.pincode,
        "UPI",
        "payment:sandbox",
        "Awaiting payment → Paid",
        "order_placed",
        "order_paid",
    ):
        assert text in html, text
    assert re.search(r'id="order-total">₹[\d,.]+<', html)
    assert re.search(r'id="payment-status">paid<', html)


def test_only_the_moves_the_state_machine_allows_are_offered(
    console: Console, shop_id: int
) -> None:
    upi, cod = place(shop_id, "918000000011"), place(shop_id, "918000000012", "cod")
    assert _buttons(console.get(f"/merchant/orders/{upi.id}").text) == [
        "cancelled"
    ]  # `paid` is the provider's
    assert _buttons(console.get(f"/merchant/orders/{cod.id}").text) == ["packed", "cancelled"]
    pay(upi)
    move(upi.id, "packed", "out_for_delivery", "delivered")
    assert _buttons(console.get(f"/merchant/orders/{upi.id}").text) == ["refunded"]
    move(cod.id, "cancelled")
    page = console.get(f"/merchant/orders/{cod.id}").text
    assert _buttons(page) == [] and "is final" in page


def test_a_status_change_is_recorded_as_the_merchant_and_tells_the_shopper(
    console: Console, shop_id: int
) -> None:
    order = place(shop_id, "918000000013", "cod")
    response = console.post(f"/merchant/orders/{order.id}/status", {"to_status": "packed"})
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/merchant/orders/{order.id}?notice=")
    assert "WhatsApp message" in console.get(response.headers["location"]).text
    assert _outbox(order.id)[-1] == ("order_packed", {"order_id": order.id})
    with session_scope() as s:
        event = s.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id.desc())
        ).first()
    assert (event.from_status, event.to_status, event.actor) == (
        "pending_payment",
        "packed",
        "merchant:owner",
    )
    again = console.post(f"/merchant/orders/{order.id}/status", {"to_status": "packed"})
    assert "already packed" in console.get(again.headers["location"]).text
    assert len(_outbox(order.id)) == 2  # placed, packed: a repeated form changes nothing


def test_a_move_the_rules_refuse_is_a_message_not_a_stack_trace(
    console: Console, shop_id: int
) -> None:
    order = place(shop_id, "918000000014")
    refused = console.post(f"/merchant/orders/{order.id}/status", {"to_status": "delivered"})
    assert refused.status_code == 409 and refused.headers["content-type"].startswith("text/html")
    assert (
        f"Order #{order.id} cannot be delivered: it is awaiting payment, and from there it can only be "
        "cancelled. It becomes paid when the shopper" in html.unescape(refused.text)
    )
    assert "Traceback" not in refused.text
    paid = console.post(f"/merchant/orders/{order.id}/status", {"to_status": "paid"})
    assert paid.status_code == 422 and "Only the payment provider marks an order paid" in paid.text
    assert _status(order.id) == "pending_payment" and [t for t, _ in _outbox(order.id)] == [
        "order_placed"
    ]


def test_cancelling_needs_a_reason_puts_stock_back_and_tells_the_shopper_why(
    console: Console, shop_id: int
) -> None:
    before = stock_of(ATTA)
    order = place(shop_id, "918000000015", "cod")
    assert stock_of(ATTA) == before - 2
    bare = console.post(f"/merchant/orders/{order.id}/status", {"to_status": "cancelled"})
    assert (
        bare.status_code == 422
        and "Say why" in bare.text
        and _status(order.id) == "pending_payment"
    )
    done = console.post(
        f"/merchant/orders/{order.id}/status",
        {"to_status": "cancelled", "reason": "  Out of   atta today "},
    )
    assert (
        done.status_code == 303
        and "back on the shelf" in console.get(done.headers["location"]).text
    )
    assert stock_of(ATTA) == before
    assert _outbox(order.id)[-1] == (
        "order_cancelled",
        {"order_id": order.id, "reason": "Out of atta today"},
    )
    assert "Out of atta today" in console.get(f"/merchant/orders/{order.id}").text


def test_a_refund_goes_through_the_provider_and_records_who_and_why(
    console: Console, shop_id: int
) -> None:
    order = place(shop_id, "918000000016")
    pay(order)
    move(order.id, "packed", "out_for_delivery", "delivered")
    done = console.post(
        f"/merchant/orders/{order.id}/status", {"to_status": "refunded", "reason": "milk was sour"}
    )
    assert done.status_code == 303
    with session_scope() as s:
        payment = s.scalar(select(Payment).where(Payment.order_id == order.id))
        event = s.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id.desc())
        ).first()
    assert payment.status == "refunded" and payment.refund_ref
    assert (event.to_status, event.actor, event.reason) == (
        "refunded",
        "merchant:owner",
        "milk was sour",
    )
    assert _outbox(order.id)[-1] == (
        "order_refunded",
        {"order_id": order.id, "total_paise": order.total_paise},
    )
    cod = place(shop_id, "918000000017", "cod")
    move(cod.id, "packed", "out_for_delivery", "delivered")
    refused = console.post(
        f"/merchant/orders/{cod.id}/status", {"to_status": "refunded", "reason": "x"}
    )
    assert refused.status_code == 409 and _status(cod.id) == "delivered"  # no money went through us


def test_another_shops_orders_do_not_exist_for_a_merchant(
    console: Console, shop_id: int, seed_catalog: CatalogFile
) -> None:
    other = second_shop(seed_catalog)
    theirs = place(other, "919000000001", "cod")
    ours = place(shop_id, "919000000002", "cod")
    assert console.get(f"/merchant/orders/{theirs.id}").status_code == 404
    posted = console.post(f"/merchant/orders/{theirs.id}/status", {"to_status": "packed"})
    assert posted.status_code == 404 and _status(theirs.id) == "pending_payment"
    assert _listed(console.get("/merchant/orders").text) == [ours.id]
    assert _listed(console.get(f"/merchant/orders?q={theirs.id}").text) == []
    make_merchant(other, "bee")
    with TestClient(create_app(), base_url="http://127.0.0.1") as bee:
        assert log_in(bee, "bee").status_code == 303
        assert bee.get(f"/merchant/orders/{ours.id}").status_code == 404
        assert bee.get(f"/merchant/orders/{theirs.id}").status_code == 200
        assert _listed(bee.get("/merchant/orders").text) == [theirs.id]
    assert [t for t, _ in _outbox(theirs.id)] == ["order_placed"]


def test_a_refund_the_provider_refuses_changes_nothing_and_says_why(
    console: Console, shop_id: int
) -> None:
    order = place(shop_id, "918000000018")
    pay(order)
    with session_scope(write=True) as s:  # taken by a provider this shop no longer uses
        s.execute(update(Payment).where(Payment.order_id == order.id).values(provider="razorpay"))
    refused = console.post(
        f"/merchant/orders/{order.id}/status", {"to_status": "refunded", "reason": "shopper asked"}
    )
    assert refused.status_code == 409
    assert "The payment provider refused the refund" in refused.text and "razorpay" in refused.text
    assert "shopper asked" in refused.text  # the reason typed is still in the form
    assert _status(order.id) == "paid" and [t for t, _ in _outbox(order.id)] == [
        "order_placed",
        "order_paid",
    ]
