"""A scripted shopper over Rasa's REST channel, with the real engine and action server (one
start for the whole run): from "hi" to a placed order, checked in the database; Hindi
replies for a Hindi shopper; the bot keeps quiet after a handoff."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.db.models import Order, Payment, Shop
from bot.db.session import session_scope
from bot.orders.service import orders_for
from bot.settings import get_settings
from tests.processes import ENGINE_GROUP, Assistant

pytestmark = [ENGINE_GROUP, pytest.mark.usefixtures("on_assistant_database")]

SHOPPER = "919811100001"
DEVANAGARI = re.compile(r"[\u0900-\u097f]")


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def first_payload(replies: list[dict], prefix: str) -> str | None:
    for reply in reversed(replies):
        for button in reply.get("buttons") or []:
            if button["payload"].startswith(prefix):
                return button["payload"]
    return None


def shop_id() -> int:
    with session_scope() as s:
        return s.scalar(select(Shop.id).where(Shop.slug == get_settings().default_shop_slug))


@pytest.fixture(scope="module")
def placed(assistant: Assistant) -> dict:
    """The whole conversation, once; the tests below look at what it left behind."""
    said: dict[str, list[dict]] = {}
    said["hi"] = assistant.say(SHOPPER, "hi")
    said["items"] = said["cart"] = assistant.say(SHOPPER, "2 kg atta and 1 litre milk")
    said["checkout"] = assistant.say(SHOPPER, "checkout")
    said["address"] = assistant.say(SHOPPER, "Flat 4B, 12 MG Road, Bengaluru 560001")
    slot = first_payload(said["address"], "/inform")
    assert slot is not None, texts(said["address"])
    said["slot"] = assistant.say(SHOPPER, slot)
    said["payment"] = assistant.say(SHOPPER, "UPI")
    said["confirm"] = assistant.say(SHOPPER, "haan")
    said["again"] = assistant.say(SHOPPER, "yes")
    return said


def test_greeting(placed: dict) -> None:
    assert texts(placed["hi"]).startswith("Hi! 🙏 I'm ChatCart")


def test_the_usual_goes_in_at_once_with_a_change_one_tap_away(placed: dict) -> None:
    assert "Which" not in texts(placed["items"])
    assert "I picked" in texts(placed["items"])
    assert first_payload(placed["items"], "/choose_option") is not None
    cart = texts(placed["cart"])
    assert "Added to your cart:" in cart and "Total:" in cart
    assert first_payload(placed["cart"], "/checkout") == "/checkout"


def test_checkout_questions(placed: dict) -> None:
    assert "6-digit PIN code" in texts(placed["checkout"])
    assert "When should we deliver?" in texts(placed["address"])
    assert "How would you like to pay?" in texts(placed["slot"])
    summary = texts(placed["payment"])
    assert (
        "Please confirm your order:" in summary
        and "560001" in summary
        and "Payment: UPI" in summary
    )


def test_order_is_placed_with_a_payment_link(placed: dict) -> None:
    # A Hinglish "haan" does not switch an English conversation: "✅ Order #1 placed! … Pay by UPI here: …"
    reply = texts(placed["confirm"])
    found = re.search(r"Order #(\d+) placed! Total (₹[\d,]+)", reply)
    assert found, reply
    link = re.search(r"Pay by UPI here: (https?://\S+)", reply)
    assert link, reply
    orders = orders_for_shopper()
    assert len(orders) == 1
    order = orders[0]
    assert order.id == int(found.group(1))
    assert order.status == "pending_payment" and order.payment_method == "upi"
    assert order.pincode == "560001" and order.address.startswith("Flat 4B")
    assert len(order.lines) == 2
    assert all(line.count >= 1 for line in order.lines)
    with session_scope() as s:
        row = s.get(Order, order.id)
        assert row is not None and len(row.lines) == 2
        assert row.total_paise == row.subtotal_paise + row.delivery_fee_paise == order.total_paise
        payment = s.scalar(select(Payment).where(Payment.order_id == order.id))
        assert payment is not None and payment.pay_url == link.group(1)
        assert payment.amount_paise == row.total_paise


def test_a_repeated_yes_makes_no_second_order(placed: dict) -> None:
    assert "Order #" not in texts(placed["again"])
    assert len(orders_for_shopper()) == 1


def orders_for_shopper() -> list:
    with session_scope() as s:
        return orders_for(s, shop_id(), SHOPPER, limit=10)


def test_order_status_after_the_order(placed: dict, assistant: Assistant) -> None:
    reply = texts(assistant.say(SHOPPER, "where is my order?"))
    assert "waiting for payment" in reply


def test_hindi_shopper_gets_hindi_replies(assistant: Assistant) -> None:
    sender = "919811100002"
    greeting = texts(assistant.say(sender, "नमस्ते"))
    assert greeting.startswith("नमस्ते! 🙏 मैं ChatCart हूँ")
    added = texts(assistant.say(sender, "दो लीटर दूध"))
    assert "आपके कार्ट में जोड़ दिया" in added and "दूध" in added
    assert DEVANAGARI.search(texts(assistant.say(sender, "मेरा कार्ट दिखाओ")))
    hinglish = texts(assistant.say("919811100003", "namaste bhaiya"))
    assert hinglish.startswith("Namaste! 🙏 Main ChatCart hoon.")


def test_handoff_makes_the_bot_quiet(assistant: Assistant) -> None:
    sender = "919811100004"
    reply = texts(assistant.say(sender, "I want to talk to a person"))
    assert "someone from the shop" in reply
    assert assistant.say(sender, "hello?") == []
    assert assistant.say(sender, "2 kg atta and 1 litre milk") == []
    assert assistant.say(sender, "checkout") == []
