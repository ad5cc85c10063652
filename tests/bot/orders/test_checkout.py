"""Checkout: idempotency, snapshots, atomic stock, and what is refused — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update

from bot.cart import service as cart
from bot.db.models import Order as OrderRow
from bot.db.models import OrderEvent, OutboxMessage, Payment, Product
from bot.db.session import session_scope
from bot.orders import service
from bot.orders.errors import (
    BelowMinimum,
    EmptyCart,
    IdempotencyKeyReused,
    InvalidCheckout,
    InvalidSlot,
    OutOfStock,
)
from bot.payments.errors import ProviderUnavailable
from bot.payments.razorpay import RazorpayProvider
from bot.settings import get_settings
from tests.shop import WA_ID, FakeRazorpay, checkout, price_of, set_stock, stock_of

ATTA, MILK = "STP-0013", "DRY-0001"


def _fill(shop_id: int, wa_id: str = WA_ID, packs: list[tuple[str, int]] | None = None) -> None:
    with session_scope() as s:
        cart.add_packs(s, shop_id, wa_id, packs or [(ATTA, 2), (MILK, 1)])


def _count(model: type) -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_an_order_snapshots_the_cart_takes_stock_and_empties_the_cart(shop_id: int) -> None:
    _fill(shop_id)
    with session_scope() as s:
        order = service.place_order(s, shop_id, WA_ID, **checkout())
    assert order.status == "pending_payment" and not order.replayed
    assert [(ln.sku, ln.count) for ln in order.lines] == [(ATTA, 2), (MILK, 1)]
    subtotal = 2 * price_of(ATTA) + price_of(MILK)
    assert order.subtotal_paise == subtotal
    assert order.total_paise == subtotal + get_settings().delivery_fee_paise
    assert (stock_of(ATTA), stock_of(MILK)) == (18, 19)
    assert order.payment is not None and order.payment.status == "created"
    assert order.payment.amount_paise == order.total_paise and "/pay/cpay_" in order.payment.pay_url
    assert [(h.from_status, h.to_status, h.actor) for h in order.history] == [
        (None, "pending_payment", f"shopper:{WA_ID}")
    ]
    with session_scope() as s:
        assert cart.view(s, shop_id, WA_ID).is_empty
        # Catalog edits after the order leave the order as it was.
        s.execute(
            update(Product)
            .where(Product.sku == ATTA)
            .values(name="Renamed", price_paise=1, mrp_paise=1, pack_size=1)
        )
    with session_scope() as s:
        again = service.get_order(s, shop_id, order.id)
    assert again.lines == order.lines and again.total_paise == order.total_paise
    with session_scope() as s:
        msg = s.scalar(select(OutboxMessage))
        assert (msg.template, msg.wa_id, msg.params["order_id"]) == (
            "order_placed",
            WA_ID,
            order.id,
        )


def test_cash_on_delivery_has_no_payment(shop_id: int) -> None:
    _fill(shop_id)
    with session_scope() as s:
        order = service.place_order(s, shop_id, WA_ID, **checkout(payment_method="cod"))
    assert order.payment is None and order.next_statuses == ("packed", "cancelled")
    assert _count(Payment) == 0


def test_the_same_key_returns_the_same_order(shop_id: int) -> None:
    _fill(shop_id)
    with session_scope() as s:
        first = service.place_order(s, shop_id, WA_ID, **checkout())
    _fill(shop_id)  # a new cart does not turn a retry into a second order
    with session_scope() as s:
        again = service.place_order(s, shop_id, WA_ID, **checkout())
    assert again.id == first.id and again.replayed
    assert _count(OrderRow) == 1 and stock_of(ATTA) == 18  # the new cart takes no stock
    with pytest.raises(IdempotencyKeyReused), session_scope() as s:
        service.place_order(s, shop_id, WA_ID, **checkout(pincode="110001"))


def test_a_replay_is_answered_even_after_its_slot_has_passed(
    shop_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(shop_id)
    details = checkout()
    with session_scope() as s:
        first = service.place_order(s, shop_id, WA_ID, **details)
    monkeypatch.setenv("SLOT_LEAD_MINUTES", str(60 * 24 * 5))  # no slot is bookable any more
    get_settings.cache_clear()
    _fill(shop_id)
    with session_scope() as s:
        assert service.place_order(s, shop_id, WA_ID, **details).id == first.id
    with pytest.raises(InvalidSlot), session_scope() as s:
        service.place_order(s, shop_id, WA_ID, **details | {"idempotency_key": "key-2"})


@pytest.mark.parametrize(
    "bad",
    [
        {"pincode": "012345"},
        {"pincode": "56001"},
        {"address": "  x "},
        {"payment_method": "card"},
        {"idempotency_key": ""},
        {"idempotency_key": "k" * 201},
        {"delivery_slot": "2020-01-01T08:00"},
        {"delivery_slot": "tomorrow"},
    ],
)
def test_bad_checkout_details_are_refused(shop_id: int, bad: dict[str, str]) -> None:
    _fill(shop_id)
    with pytest.raises((InvalidCheckout, InvalidSlot)), session_scope() as s:
        service.place_order(s, shop_id, WA_ID, **checkout(**bad))
    assert _count(OrderRow) == 0


def test_refusals_leave_everything_as_it_was(shop_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(EmptyCart), session_scope() as s:
        service.place_order(s, shop_id, WA_ID, **checkout())
    _fill(shop_id)
    set_stock(MILK, 0)
    with pytest.raises(OutOfStock) as err, session_scope() as s:
        service.place_order(s, shop_id, WA_ID, **checkout())
    assert err.value.extra["skus"] == [MILK]
    assert stock_of(ATTA) == 20 and _count(OrderRow) == 0 and _count(OrderEvent) == 0
    with session_scope() as s:
        assert len(cart.view(s, shop_id, WA_ID).lines) == 2
    set_stock(MILK, 5)
    monkeypatch.setenv("MIN_ORDER_PAISE", str(10**9))
    get_settings.cache_clear()
    with pytest.raises(BelowMinimum), session_scope() as s:
        service.place_order(s, shop_id, WA_ID, **checkout())
    assert _count(OrderRow) == 0


def test_a_provider_failure_places_no_order(shop_id: int, razorpay_server: FakeRazorpay) -> None:
    _fill(shop_id)
    razorpay_server.fail_with = 500
    provider = RazorpayProvider("rzp_test_k", "secret", "whsec", razorpay_server.url, timeout=5)
    with pytest.raises(ProviderUnavailable), session_scope() as s:
        service.place_order(s, shop_id, WA_ID, **checkout(), provider=provider)
    assert _count(OrderRow) == 0 and stock_of(ATTA) == 20
    with session_scope() as s:
        assert len(cart.view(s, shop_id, WA_ID).lines) == 2


def _run_concurrently(n: int, work: Callable[[int], None]) -> list[BaseException]:
    start = threading.Barrier(n)

    def run(i: int) -> None:
        start.wait()
        work(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(run, i) for i in range(n)]
    return [error for future in futures if (error := future.exception()) is not None]


def test_fifty_concurrent_orders_for_ten_packs_make_exactly_ten_orders(
    shop_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIN_ORDER_PAISE", "0")
    get_settings.cache_clear()
    set_stock(ATTA, 10)
    shoppers = [f"9198000{i:05d}" for i in range(50)]
    for wa_id in shoppers:
        _fill(shop_id, wa_id, [(ATTA, 1)])

    def order(i: int) -> None:
        with session_scope() as s:
            service.place_order(
                s,
                shop_id,
                shoppers[i],
                **checkout(idempotency_key=f"k{i}", payment_method="upi" if i % 2 else "cod"),
            )

    errors = _run_concurrently(50, order)
    assert len(errors) == 40 and all(isinstance(e, OutOfStock) for e in errors), errors[:3]
    assert _count(OrderRow) == 10 and stock_of(ATTA) == 0
    with session_scope() as s:
        assert s.scalar(select(func.min(Product.stock))) >= 0
        assert s.scalar(select(func.sum(OrderRow.subtotal_paise))) == 10 * price_of(ATTA)


def test_the_same_key_twice_at_once_makes_one_order(shop_id: int) -> None:
    _fill(shop_id)
    ids: list[int] = []

    def order(_: int) -> None:
        with session_scope() as s:
            ids.append(service.place_order(s, shop_id, WA_ID, **checkout()).id)

    assert _run_concurrently(6, order) == []
    assert len(set(ids)) == 1 and len(ids) == 6
    assert _count(OrderRow) == 1 and _count(Payment) == 1 and stock_of(ATTA) == 18
