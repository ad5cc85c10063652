"""Checkout: the cart check, the form's validation (PIN code, slot, payment), the summary, and
placing the order exactly once however often the shopper confirms."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from actions.cart import ActionAddItems
from actions.checkout import (
    SLOTS_ACCEPTED,
    ActionAskDeliverySlot,
    ActionAskOrderConfirmed,
    ActionAskPaymentMethod,
    ActionCheckCart,
    ActionPlaceOrder,
    ActionStopCheckout,
    ValidateCheckoutForm,
    payment_choice,
    slot_choice,
)
from bot.db.models import Order
from bot.db.session import session_scope
from bot.orders.slots import next_slots
from tests.actions.conftest import make_tracker, run, slot_event
from tests.shop import ADDRESS, PINCODE, WA_ID

FULL_ADDRESS = f"{ADDRESS} {PINCODE}"


def fill_cart(sender: str = WA_ID) -> None:
    """Amul Butter ₹58 + Amul Taaza 1 L: above the ₹100 minimum."""
    run(
        ActionAddItems(),
        make_tracker("amul butter and amul taaza milk 1 l", "add_items", sender=sender),
    )


def validate(slot: str, value: str, *, language: str = "en", intent: str = "inform") -> dict:
    """The form's validation of a value the engine extracted for `slot`."""
    tracker = make_tracker(
        value,
        intent,
        active_loop="checkout_form",
        slots={"requested_slot": slot, "language": language},
        after=[slot_event(slot, value)],
    )
    result = run(ValidateCheckoutForm(), tracker)
    return {"slots": result.slots(), "text": result.text}


def order_count() -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(Order))


def confirmed_slots(**overrides) -> dict:
    return {
        "address": FULL_ADDRESS,
        "pincode": PINCODE,
        "delivery_slot": next_slots()[0].id,
        "payment_method": "upi",
        "order_confirmed": True,
        "checkout_id": "c0ffee",
        "cart_ready": True,
    } | overrides


# --- cart check -------------------------------------------------------------------------------


def test_empty_cart_cannot_check_out() -> None:
    result = run(ActionCheckCart(), make_tracker("checkout", "checkout"))
    assert result.slots() == {"cart_ready": False}
    assert "Your cart is empty" in result.text


def test_cart_below_the_minimum_cannot_check_out() -> None:
    run(ActionAddItems(), make_tracker("amul butter", "add_items"))
    result = run(ActionCheckCart(), make_tracker("checkout", "checkout"))
    assert result.slots() == {"cart_ready": False}
    # Amul Butter 100 g is ₹58: the minimum counts the items, and says so, and what is missing
    assert "The minimum order is ₹100 of items (delivery not counted): add ₹42 more" in result.text


def test_ready_cart_starts_a_fresh_checkout() -> None:
    fill_cart()
    result = run(
        ActionCheckCart(),
        make_tracker("checkout", "checkout", slots={"address": "old", "payment_method": "cod"}),
    )
    slots = result.slots()
    assert slots["cart_ready"] is True
    assert len(slots["checkout_id"]) == 32
    assert (
        slots["address"] is None
        and slots["payment_method"] is None
        and slots["order_confirmed"] is None
    )
    again = run(ActionCheckCart(), make_tracker("checkout", "checkout")).slots()
    assert again["checkout_id"] != slots["checkout_id"]  # a new checkout, a new idempotency key


# --- form validation --------------------------------------------------------------------------


def test_address_needs_a_pin_code() -> None:
    bad = validate("address", "near the temple, MG Road")
    assert bad["slots"]["address"] is None
    assert "6-digit PIN code" in bad["text"]
    good = validate("address", "Flat 4B, 12 MG Road, Bengaluru 560 001")
    assert good["slots"]["address"] == "Flat 4B, 12 MG Road, Bengaluru 560 001"
    assert good["slots"]["pincode"] == "560001"
    assert good["text"] == ""


def test_address_pin_code_rules() -> None:
    assert (
        validate("address", "House 7, Sector 21, Chandigarh 012345")["slots"]["address"] is None
    )  # no PIN starts with 0
    assert (
        validate("address", "House 7, Sector 21, Chandigarh 1600221")["slots"]["address"] is None
    )  # 7 digits
    assert (
        validate("address", "160022")["slots"]["address"] is None
    )  # a PIN code alone is not an address
    hindi = validate("address", "मकान १२, गांधी नगर, भोपाल ४६२००१", language="hi")
    assert hindi["slots"]["pincode"] == "462001"  # Devanagari digits
    assert "पिन कोड" in validate("address", "गांधी नगर, भोपाल", language="hi")["text"]


@pytest.mark.parametrize(("said", "index"), [("1", 0), ("2", 1), ("option 3", 2), ("teen", 2)])
def test_slot_by_number(said: str, index: int) -> None:
    assert validate("delivery_slot", said)["slots"]["delivery_slot"] == next_slots()[index].id


def test_slot_by_button_payload() -> None:
    chosen = next_slots()[3].id
    assert validate("delivery_slot", chosen)["slots"]["delivery_slot"] == chosen


@pytest.mark.parametrize("said", ["tomorrow morning", "kal subah", "कल सुबह"])
def test_slot_by_words_tomorrow_morning(said: str) -> None:
    offered = next_slots(count=SLOTS_ACCEPTED)  # words may name a slot beyond the four buttons
    chosen = validate("delivery_slot", said)["slots"]["delivery_slot"]
    expected = next(
        (s.id for s in offered if s.label.startswith("Tomorrow") and s.start.hour < 12), None
    )
    assert chosen == expected


@pytest.mark.parametrize("said", ["tomorrow evening", "kal shaam", "कल शाम"])
def test_slot_by_words_tomorrow_evening(said: str) -> None:
    offered = next_slots(count=SLOTS_ACCEPTED)
    expected = next(
        (s.id for s in offered if s.label.startswith("Tomorrow") and s.start.hour >= 16), None
    )
    assert validate("delivery_slot", said)["slots"]["delivery_slot"] == expected


def test_unknown_slot_is_asked_again() -> None:
    result = validate("delivery_slot", "whenever", language="hinglish")
    assert result["slots"]["delivery_slot"] is None
    assert "koi time chuno" in result["text"]


@pytest.mark.parametrize(
    ("said", "method"),
    [
        ("upi", "upi"),
        ("gpay", "upi"),
        ("GPay se", "upi"),
        ("phonepe", "upi"),
        ("1", "upi"),
        ("cash", "cod"),
        ("cash on delivery", "cod"),
        ("cod", "cod"),
        ("नकद", "cod"),
        ("डिलीवरी पर नकद", "cod"),
        ("2", "cod"),
    ],
)
def test_payment_words(said: str, method: str) -> None:
    assert validate("payment_method", said)["slots"]["payment_method"] == method


def test_unknown_payment_is_asked_again() -> None:
    result = validate("payment_method", "credit card", language="hi")
    assert result["slots"]["payment_method"] is None
    assert "UPI या डिलीवरी पर नकद" in result["text"]


def test_confirmation_passes_validation_unchanged() -> None:
    tracker = make_tracker(
        "yes",
        "affirm",
        active_loop="checkout_form",
        slots=confirmed_slots() | {"requested_slot": "order_confirmed"},
        after=[slot_event("order_confirmed", True)],
    )
    result = run(ValidateCheckoutForm(), tracker)
    assert result.slots() == {"order_confirmed": True}
    assert result.messages == []


def test_slot_words_with_a_number_in_them() -> None:
    offered = next_slots()
    morning = next(
        (s.id for s in offered if s.label.startswith("Tomorrow") and s.start.hour < 12), None
    )
    assert slot_choice("kal subah bhej do", offered) == morning


def test_payment_and_slot_helpers_refuse_nonsense() -> None:
    assert payment_choice("") is None and payment_choice("9") is None
    assert slot_choice("", next_slots()) is None


# --- asking -----------------------------------------------------------------------------------


def test_questions_have_buttons() -> None:
    slots = run(ActionAskDeliverySlot(), make_tracker("Flat 4B 560001", "inform"))
    assert slots.text.startswith("When should we deliver?\n1. ")
    assert [b["payload"] for b in slots.buttons] == [
        f'/inform{{"delivery_slot":"{s.id}"}}' for s in next_slots()
    ]
    pay = run(
        ActionAskPaymentMethod(),
        make_tracker("kal subah", "inform", slots={"language": "hinglish"}),
    )
    assert pay.text == "Payment kaise karoge?"
    assert [b["payload"] for b in pay.buttons] == [
        '/inform{"payment_method":"upi"}',
        '/inform{"payment_method":"cod"}',
    ]


def test_summary_before_confirmation() -> None:
    fill_cart()
    first = next_slots()[0]
    result = run(
        ActionAskOrderConfirmed(),
        make_tracker("upi", "inform", slots=confirmed_slots(order_confirmed=None)),
    )
    assert "Please confirm your order:" in result.text
    assert (
        "Amul Butter" in result.text and FULL_ADDRESS in result.text and first.label in result.text
    )
    assert "Payment: UPI" in result.text and "Place this order?" in result.text
    assert [b["payload"] for b in result.buttons] == ["/affirm", "/deny"]


# --- placing the order ------------------------------------------------------------------------


def test_place_order_once_however_often_confirmed() -> None:
    fill_cart()
    tracker_slots = confirmed_slots()
    first = run(ActionPlaceOrder(), make_tracker("yes", "affirm", slots=tracker_slots))
    assert "✅ Order #" in first.text and "placed! Total ₹" in first.text
    assert "Pay by UPI here: http" in first.text
    reset = first.slots()
    assert all(
        reset[s] is None
        for s in ("delivery_slot", "payment_method", "order_confirmed", "checkout_id", "cart_ready")
    )
    # the same confirmation again (a retried webhook, a double tap): the same order, not a second
    second = run(ActionPlaceOrder(), make_tracker("yes", "affirm", slots=tracker_slots))
    assert order_count() == 1
    order_id = first.text.split("Order #")[1].split(" ")[0]
    assert f"Order #{order_id} " in second.text
    with session_scope() as s:
        order = s.scalar(select(Order))
        assert order.status == "pending_payment" and order.payment_method == "upi"
        assert order.address == FULL_ADDRESS and order.pincode == PINCODE
        assert {(line.sku, line.count) for line in order.lines} == {
            ("DRY-0029", 1),
            ("DRY-0002", 1),
        }


def test_cash_on_delivery_order_in_hindi() -> None:
    fill_cart()
    result = run(
        ActionPlaceOrder(),
        make_tracker("हाँ", "affirm", slots=confirmed_slots(payment_method="cod", language="hi")),
    )
    assert "ऑर्डर #" in result.text and "हो गया" in result.text
    assert "नकद तैयार रखिए" in result.text
    with session_scope() as s:
        assert s.scalar(select(Order.payment_method)) == "cod"


def test_a_new_checkout_makes_a_new_order() -> None:
    fill_cart()
    run(ActionPlaceOrder(), make_tracker("yes", "affirm", slots=confirmed_slots(checkout_id="one")))
    fill_cart()
    run(ActionPlaceOrder(), make_tracker("yes", "affirm", slots=confirmed_slots(checkout_id="two")))
    assert order_count() == 2


def test_not_confirmed_places_nothing() -> None:
    fill_cart()
    result = run(
        ActionPlaceOrder(), make_tracker("no", "deny", slots=confirmed_slots(order_confirmed=False))
    )
    assert result.messages[0]["response"] == "utter_checkout_stopped"
    assert order_count() == 0


def test_order_refused_with_a_reason() -> None:
    # the cart was emptied meanwhile (e.g. on another device): the shopper is told why
    result = run(ActionPlaceOrder(), make_tracker("yes", "affirm", slots=confirmed_slots()))
    assert result.text.startswith("Sorry, I couldn't place the order:")
    assert order_count() == 0


def test_stop_checkout_resets_the_form() -> None:
    result = run(
        ActionStopCheckout(),
        make_tracker(
            "no",
            "deny",
            active_loop="checkout_form",
            slots=confirmed_slots(requested_slot="payment_method"),
        ),
    )
    assert result.events[0]["event"] == "active_loop" and result.events[0]["name"] is None
    slots = result.slots()
    assert (
        slots["requested_slot"] is None
        and slots["checkout_id"] is None
        and slots["cart_ready"] is None
    )


def test_a_murky_yes_does_not_place_the_order() -> None:
    """Gibberish the model reads as "affirm" with low confidence is asked again."""
    tracker = make_tracker(
        "qwpz bhaiya",
        "affirm",
        active_loop="checkout_form",
        slots=confirmed_slots() | {"requested_slot": "order_confirmed"},
        after=[slot_event("order_confirmed", True)],
        confidence=0.6,
    )
    assert run(ValidateCheckoutForm(), tracker).slots() == {"order_confirmed": None}
