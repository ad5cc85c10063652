"""After the order: status, cancel (only where the state allows it), reorder."""

from __future__ import annotations

from sqlalchemy import select

from actions.checkout import ActionPlaceOrder
from actions.orders import ActionCancelOrder, ActionOrderStatus, ActionReorder
from bot.db.models import Order
from bot.db.session import session_scope
from bot.orders import service as orders
from tests.actions.conftest import make_tracker, run
from tests.actions.test_cart_actions import cart_lines
from tests.actions.test_checkout_actions import confirmed_slots, fill_cart
from tests.shop import set_stock


def place(method: str = "upi", checkout_id: str = "c1") -> int:
    fill_cart()
    result = run(
        ActionPlaceOrder(),
        make_tracker(
            "yes", "affirm", slots=confirmed_slots(payment_method=method, checkout_id=checkout_id)
        ),
    )
    return int(result.text.split("#")[1].split(" ")[0])


def status_of(order_id: int) -> str:
    with session_scope() as s:
        return s.scalar(select(Order.status).where(Order.id == order_id))


def move(order_id: int, *statuses: str) -> None:
    with session_scope() as s:
        for status in statuses:
            orders.transition(s, order_id, status, actor="merchant:test")
    assert status_of(order_id) == statuses[-1]


def test_no_orders_yet() -> None:
    for action, text in (
        (ActionOrderStatus(), "where is my order"),
        (ActionCancelOrder(), "cancel my order"),
        (ActionReorder(), "repeat my last order"),
    ):
        result = run(action, make_tracker(text, "order_status"))
        assert result.text == "You have no orders yet."


def test_status_of_an_unpaid_order_has_the_payment_link() -> None:
    order_id = place()
    result = run(ActionOrderStatus(), make_tracker("where is my order?", "order_status"))
    assert result.texts[0].startswith(f"Order #{order_id} (₹")
    assert "waiting for payment" in result.texts[0]
    assert result.texts[1].startswith("Delivery: ")  # the slot chosen at checkout
    assert result.texts[2].startswith("Pay by UPI here: http")


def test_a_cash_on_delivery_order_is_confirmed_not_waiting_for_payment() -> None:
    order_id = place(method="cod")
    result = run(ActionOrderStatus(), make_tracker("where is my order?", "order_status"))
    assert (
        result.texts[0]
        == f"Order #{order_id} (₹{result.texts[0].split('₹')[1].split(')')[0]}): confirmed, pay cash on delivery."
    )
    assert "waiting for payment" not in result.text and result.texts[1].startswith("Delivery: ")


def test_status_in_hindi() -> None:
    order_id = place(method="cod")
    move(order_id, "packed")
    result = run(
        ActionOrderStatus(),
        make_tracker("मेरा ऑर्डर कहाँ है", "order_status", slots={"language": "hi"}),
    )
    assert result.texts[0].startswith(f"ऑर्डर #{order_id} (₹")
    assert result.texts[0].endswith("पैक हो गया।") and result.texts[1].startswith("डिलीवरी: ")


def test_cancel_an_unpaid_order() -> None:
    order_id = place()
    result = run(ActionCancelOrder(), make_tracker("cancel my order", "cancel_order"))
    assert result.text == f"Order #{order_id} is cancelled."
    assert status_of(order_id) == "cancelled"
    again = run(ActionCancelOrder(), make_tracker("is it cancelled? cancel it", "cancel_order"))
    assert again.text == f"Order #{order_id} is already cancelled; nothing more to do."
    hindi = run(
        ActionCancelOrder(),
        make_tracker("cancel हुआ ना? फिर से cancel कर दो", "cancel_order", slots={"language": "hi"}),
    )
    assert f"ऑर्डर #{order_id} पहले ही रद्द हो चुका है" in hindi.text
    hinglish = run(
        ActionCancelOrder(),
        make_tracker("cancel ho gaya na?", "cancel_order", slots={"language": "hinglish"}),
    )
    assert "pehle hi cancel ho chuka hai" in hinglish.text


def test_a_packed_order_cannot_be_cancelled_from_the_chat() -> None:
    order_id = place(method="cod")
    move(order_id, "packed")
    result = run(
        ActionCancelOrder(),
        make_tracker("order cancel kar do", "cancel_order", slots={"language": "hinglish"}),
    )
    assert f"Order #{order_id} pack ho gaya hai, ab cancel nahi ho sakta" in result.text
    assert status_of(order_id) == "packed"


def test_a_delivered_order_has_nothing_to_cancel() -> None:
    order_id = place(method="cod")
    move(order_id, "packed", "out_for_delivery", "delivered")
    result = run(ActionCancelOrder(), make_tracker("cancel my order", "cancel_order"))
    assert result.text == "You have no order that can be cancelled."


def test_reorder_puts_the_last_order_back_in_the_cart() -> None:
    order_id = place()
    assert cart_lines() == {}  # the order emptied the cart
    result = run(ActionReorder(), make_tracker("repeat my last order", "reorder"))
    assert cart_lines() == {"DRY-0029": 1, "DRY-0002": 1}
    assert f"I've put your last order (#{order_id}) back in your cart." in result.text
    assert "Amul Butter" in result.text
    assert {"title": "Checkout", "payload": "/checkout"} in result.buttons


def test_reorder_skips_what_is_out_of_stock() -> None:
    place()
    set_stock("DRY-0029", 0)
    result = run(
        ActionReorder(),
        make_tracker("pichla order dobara bhej do", "reorder", slots={"language": "hinglish"}),
    )
    assert cart_lines() == {"DRY-0002": 1}
    assert "Abhi available nahi:" in result.text and "Amul Butter" in result.text
