"""The order's life: the state machine, history, stock going back, refunds, expiry, reorder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.cart import service as cart
from bot.db.models import OutboxMessage, Payment
from bot.db.session import session_scope
from bot.orders import service, states
from bot.orders.errors import InvalidTransition, OrderNotFound
from bot.orders.model import Order
from bot.payments import sandbox
from bot.payments.configured import configured_provider
from bot.payments.webhooks import handle_webhook
from bot.settings import get_settings
from tests.shop import WA_ID, checkout, set_stock, stock_of

ATTA, MILK = "STP-0013", "DRY-0001"


def _order(shop_id: int, method: str = "upi", key: str = "key-1") -> Order:
    with session_scope() as s:
        cart.add_packs(s, shop_id, WA_ID, [(ATTA, 2), (MILK, 1)])
        return service.place_order(
            s, shop_id, WA_ID, **checkout(payment_method=method, idempotency_key=key)
        )


def _pay(order: Order) -> None:
    assert order.payment is not None
    body = sandbox.gateway_event(order.payment.id, order.payment.amount_paise, "INR", "approve")
    secret = get_settings().sandbox_webhook_secret.get_secret_value()
    with session_scope() as s:
        handle_webhook(
            s, configured_provider(), body, {sandbox.SIGNATURE_HEADER: sandbox.sign(body, secret)}
        )


def _move(
    order_id: int, to: str, actor: str = "merchant:owner", shop_id: int | None = None
) -> Order:
    with session_scope() as s:
        return service.transition(s, order_id, to, actor, shop_id=shop_id)


def _templates(order_id: int) -> list[str]:
    with session_scope() as s:
        return list(
            s.scalars(
                select(OutboxMessage.template)
                .where(OutboxMessage.order_id == order_id)
                .order_by(OutboxMessage.id)
            )
        )


def test_a_upi_order_goes_from_payment_to_the_door(shop_id: int) -> None:
    order = _order(shop_id)
    _pay(order)
    for to in ("packed", "out_for_delivery", "delivered"):
        done = _move(order.id, to)
    assert done.status == "delivered" and done.next_statuses == ("refunded",)
    assert [(h.from_status, h.to_status) for h in done.history] == [
        (None, "pending_payment"),
        ("pending_payment", "paid"),
        ("paid", "packed"),
        ("packed", "out_for_delivery"),
        ("out_for_delivery", "delivered"),
    ]
    assert [h.actor for h in done.history][1:3] == ["payment:sandbox", "merchant:owner"]
    assert all(h.at.tzinfo is not None for h in done.history)
    assert _templates(order.id) == [
        "order_placed",
        "order_paid",
        "order_packed",
        "order_out_for_delivery",
        "order_delivered",
    ]
    assert stock_of(ATTA) == 18  # delivered packs stay sold


def test_cash_on_delivery_skips_payment(shop_id: int) -> None:
    order = _order(shop_id, "cod")
    with pytest.raises(InvalidTransition):
        _move(order.id, "paid")
    for to in ("packed", "out_for_delivery", "delivered"):
        _move(order.id, to)
    with pytest.raises(InvalidTransition):
        _move(order.id, "refunded")  # no money was taken through us


@pytest.mark.parametrize(
    ("method", "path", "to"),
    [
        ("upi", [], "packed"),
        ("upi", [], "out_for_delivery"),
        ("upi", [], "delivered"),
        ("upi", [], "refunded"),
        ("upi", ["paid"], "cancelled"),
        ("upi", ["paid"], "delivered"),
        ("cod", ["packed", "out_for_delivery", "delivered"], "cancelled"),
        ("cod", ["cancelled"], "packed"),
    ],
)
def test_steps_the_state_machine_does_not_have_are_refused(
    shop_id: int, method: str, path: list[str], to: str
) -> None:
    order = _order(shop_id, method)
    for step in path:
        _pay(order) if step == "paid" else _move(order.id, step)
    with session_scope() as s:
        before = service.get_order(s, shop_id, order.id)
    with pytest.raises(InvalidTransition) as err:
        _move(order.id, to)
    assert err.value.extra["allowed"] == list(before.next_statuses)
    with session_scope() as s:
        assert service.get_order(s, shop_id, order.id).history == before.history


def test_every_allowed_step_is_in_the_table() -> None:
    for (frm, to), methods in states.TRANSITIONS.items():
        for method in ("upi", "cod"):
            assert states.allowed(frm, to, method) == (method in methods)
    assert not any(frm in states.FINAL for frm, _ in states.TRANSITIONS)


def test_repeating_the_current_status_changes_nothing(shop_id: int) -> None:
    order = _order(shop_id, "cod")
    _move(order.id, "packed")
    again = _move(order.id, "packed")
    assert len(again.history) == 2 and _templates(order.id).count("order_packed") == 1


def test_cancelling_puts_the_stock_back(shop_id: int) -> None:
    order = _order(shop_id)
    assert stock_of(ATTA) == 18
    with session_scope() as s:
        done = service.cancel_order(s, shop_id, order.id, f"shopper:{WA_ID}", "changed my mind")
    assert done.status == "cancelled" and done.history[-1].reason == "changed my mind"
    assert (stock_of(ATTA), stock_of(MILK)) == (20, 20)
    assert done.payment is not None and done.payment.status == "expired"


def test_cancelling_a_paid_order_refunds_it(shop_id: int) -> None:
    order = _order(shop_id)
    _pay(order)
    _move(order.id, "packed")
    with session_scope() as s:
        done = service.cancel_order(s, shop_id, order.id, f"shopper:{WA_ID}")
    assert (
        done.status == "refunded" and done.payment is not None and done.payment.status == "refunded"
    )
    assert stock_of(ATTA) == 20
    with session_scope() as s:
        assert s.scalar(select(Payment.refund_ref)).startswith("srfnd_")
    assert _templates(order.id)[-1] == "order_refunded"


def test_a_delivered_order_is_refunded_without_restocking(shop_id: int) -> None:
    order = _order(shop_id)
    _pay(order)
    for to in ("packed", "out_for_delivery", "delivered"):
        _move(order.id, to)
    with pytest.raises(InvalidTransition), session_scope() as s:
        service.cancel_order(s, shop_id, order.id, f"shopper:{WA_ID}")
    assert _move(order.id, "refunded").status == "refunded" and stock_of(ATTA) == 18


def test_orders_belong_to_their_shop(shop_id: int) -> None:
    order = _order(shop_id)
    with pytest.raises(OrderNotFound), session_scope() as s:
        service.get_order(s, shop_id + 1, order.id)
    with pytest.raises(OrderNotFound):
        _move(order.id, "cancelled", shop_id=shop_id + 1)


def test_unpaid_orders_expire_and_release_their_stock(shop_id: int) -> None:
    unpaid = _order(shop_id, key="a")
    paid = _order(shop_id, key="b")
    _pay(paid)
    cod = _order(shop_id, "cod", key="c")
    later = datetime.now(UTC) + timedelta(minutes=get_settings().payment_timeout_minutes + 1)
    with session_scope() as s:
        assert service.expire_unpaid(s, now=datetime.now(UTC)) == []
        assert service.expire_unpaid(s, now=later) == [unpaid.id]
    with session_scope() as s:
        statuses = [service.get_order(s, shop_id, o.id).status for o in (unpaid, paid, cod)]
    assert statuses == ["cancelled", "paid", "pending_payment"]
    assert stock_of(ATTA) == 20 - 4


def test_reorder_puts_back_what_the_shop_has(shop_id: int) -> None:
    first = _order(shop_id, "cod", key="a")
    set_stock(ATTA, 1)
    set_stock(MILK, 0)
    with session_scope() as s:
        view = service.reorder(s, shop_id, WA_ID)
    assert [(ln.sku, ln.count) for ln in view.lines] == [(ATTA, 1)]
    assert [(k.sku, k.wanted, k.added, k.reason) for k in view.skipped] == [
        (ATTA, 2, 1, "out_of_stock"),
        (MILK, 1, 0, "out_of_stock"),
    ]
    with session_scope() as s:
        assert [o.id for o in service.orders_for(s, shop_id, WA_ID)] == [first.id]
        with pytest.raises(OrderNotFound):
            service.reorder(s, shop_id, WA_ID, order_id=first.id + 100)
        with pytest.raises(OrderNotFound):
            service.reorder(s, shop_id, "910000000001")
