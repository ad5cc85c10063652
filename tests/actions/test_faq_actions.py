"""Questions about the shop, answered from the merchant's FAQs and delivery area, in the
shopper's language; the address at checkout checked against the area."""

from __future__ import annotations

import pytest

from actions.catalog import ActionAskPrice
from actions.checkout import ValidateCheckoutForm
from actions.faq import ActionAnswerFaq, ActionHelp, ActionOutOfScope
from actions.orders import ActionOrderStatus
from bot.db.session import session_scope
from bot.faq.store import add_faq, set_delivery_area
from tests.actions.conftest import make_tracker, review_items, run


@pytest.fixture(autouse=True)
def answers(shop_id: int) -> None:
    with session_scope(write=True) as s:
        add_faq(
            s,
            shop_id,
            "Is cash on delivery available?",
            "Yes, cash or UPI.",
            answer_hi="हाँ, नकद या UPI।",
        )
        add_faq(s, shop_id, "What are your timings?", "8 am to 9 pm every day.")
        set_delivery_area(s, shop_id, "400069 400093")


def ask(text: str, language: str = "en") -> str:
    return run(ActionAnswerFaq(), make_tracker(text, "ask_faq", slots={"language": language})).text


def test_a_question_gets_the_merchants_answer_in_the_shoppers_language() -> None:
    assert ask("is COD available?") == "Yes, cash or UPI."
    assert ask("कैश ऑन डिलीवरी है क्या", "hi") == "हाँ, नकद या UPI।"
    assert ask("dukan kitne baje khulti hai", "hinglish") == "8 am to 9 pm every day."


def test_do_you_deliver_to_a_pincode() -> None:
    assert "Yes, we deliver to 400069" in ask("do you deliver to 400069?")
    assert "नहीं करते" in ask("क्या 400001 में डिलीवरी होगी", "hi")
    assert "400069, 400093" in ask("which areas do you deliver to")


def test_outside_the_area_the_shopper_hears_where_the_shop_does_deliver(shop_id: int) -> None:
    no = ask("do u deliver to bandra west 400050")
    assert "don't deliver to 400050" in no and "400069, 400093" in no
    with session_scope(write=True) as s:
        add_faq(s, shop_id, "Which areas do you deliver to?", "Andheri East and Marol.")
    assert "Andheri East and Marol." in ask("bandra 400050 mein delivery hai kya", "hinglish")


def test_an_unknown_question_goes_to_the_merchant() -> None:
    assert "passed your question to the shop" in ask("do you sell fireworks for diwali")
    [item] = review_items("out_of_scope")
    assert item.details == {"faq": True}


def test_an_address_outside_the_area_is_refused_politely() -> None:
    form = ValidateCheckoutForm()
    outside = run(
        form,
        make_tracker(
            "Flat 2, Marine Drive, Mumbai 400020",
            "inform",
            slots={"language": "hinglish", "requested_slot": "address"},
            active_loop="checkout_form",
            after=[
                {"event": "slot", "name": "address", "value": "Flat 2, Marine Drive, Mumbai 400020"}
            ],
        ),
    )
    assert outside.slots()["address"] is None
    assert "400020 mein delivery nahi karte" in outside.text


def test_a_shop_question_read_as_out_of_scope_still_gets_its_answer() -> None:
    answered = run(ActionOutOfScope(), make_tracker("till what time ur open", "out_of_scope"))
    assert answered.text == "8 am to 9 pm every day."
    declined = run(ActionOutOfScope(), make_tracker("who won the match yesterday", "out_of_scope"))
    assert declined.messages[0]["response"] == "utter_out_of_scope"
    assert [i.text for i in review_items("out_of_scope")] == ["who won the match yesterday"]


def test_a_shop_question_read_as_a_price_question_still_gets_its_answer() -> None:
    result = run(ActionAskPrice(), make_tracker("COD ka kitna extra lagta hai", "ask_price"))
    assert result.text == "Yes, cash or UPI."


def test_a_shop_question_read_as_help_or_a_stray_no_gets_its_answer() -> None:
    tracker = make_tracker("COD chalega na? gpay nahi hai mere paas", "deny")
    assert run(ActionHelp(), tracker).text == "Yes, cash or UPI."
    plain = run(ActionHelp(), make_tracker("help", "help"))
    assert plain.messages[0]["response"] == "utter_help"


def test_a_shop_question_read_as_order_status_gets_its_answer_when_there_is_no_order() -> None:
    asked = run(ActionOrderStatus(), make_tracker("dukan kitne baje khulti hai", "order_status"))
    assert asked.text == "8 am to 9 pm every day."


@pytest.mark.parametrize(
    ("text", "language", "no"),
    [
        ("my sister lives in powai 400076, do you deliver there?", "en", "don't deliver to 400076"),
        (
            "behen powai 400076 me rehti hai udhar deliver hoga?",
            "hinglish",
            "400076 mein delivery nahi",
        ),
        ("क्या 400076 में डिलीवरी होगी", "hi", "400076 में डिलीवरी नहीं"),
    ],
)
def test_outside_the_area_the_no_and_where_the_shop_goes_are_one_message(
    text: str, language: str, no: str
) -> None:
    """Read together: "not there, but here" is one answer, not a refusal and a list after it."""
    result = run(ActionAnswerFaq(), make_tracker(text, "ask_faq", slots={"language": language}))
    [message] = result.messages
    assert no in message["text"] and "400069, 400093" in message["text"]


@pytest.mark.parametrize(
    "text", ["डिलीवरी का कितना लगेगा?", "डिलीवरी के कितने पैसे लगेंगे", "delivery ke kitne lagenge"]
)
def test_the_delivery_fee_asked_in_hindi_is_answered(shop_id: int, text: str) -> None:
    with session_scope(write=True) as s:
        add_faq(
            s, shop_id, "What is the delivery fee?", "Delivery is ₹25.", answer_hi="डिलीवरी ₹25 है।"
        )
    asked = run(ActionOrderStatus(), make_tracker(text, "order_status", slots={"language": "hi"}))
    assert asked.text == "डिलीवरी ₹25 है।"
