"""Talking about a price, as at a shop counter: "and tata salt?" after a price is its price,
"ok add 2 of those" and "दो पैकेट एक लीटर वाले डाल दो" put in what was just priced, "कुल कितने रुपये
हुए?" is the cart's total, and what the shop does not sell is said plainly."""

from __future__ import annotations

import time
from typing import Any

import pytest

from actions.cart import ActionAddItems, ActionChooseOption
from actions.catalog import ActionAskPrice
from tests.actions.conftest import make_tracker, run, slot_event, user_event
from tests.actions.test_cart_actions import cart_lines


def priced(text: str, stored: str | None = None) -> list[dict[str, Any]]:
    """The events of a price question the bot answered (`stored`: the words it kept, when the
    question named its product only through the one before)."""
    now = time.time()
    return [
        user_event(text, "ask_price"),
        {"event": "action", "timestamp": now, "name": "action_ask_price"},
        slot_event("priced", stored or text),
        {"event": "action", "timestamp": now, "name": "action_listen"},
    ]


def test_the_price_answer_remembers_what_was_priced() -> None:
    result = run(ActionAskPrice(), make_tracker("whats the rate of amul gold 1 ltr", "ask_price"))
    assert "₹69" in result.text
    assert result.slots()["priced"] == "whats the rate of amul gold 1 ltr"


def test_a_price_long_ago_is_not_what_those_means() -> None:
    before = [*priced("rate of amul butter 100g"), user_event("hello", "greet")]
    run(ActionAddItems(), make_tracker("ok add 2 of those", "add_items", before=before))
    assert cart_lines() == {}


def test_an_order_read_as_a_choice_with_nothing_open_is_an_order() -> None:
    run(
        ActionChooseOption(),
        make_tracker(
            "thik h amul gold wala 1 daal do",
            "choose_option",
            slots={"language": "hinglish"},
            before=priced("amul gold 1 ltr kitne ka hai?"),
        ),
    )
    assert cart_lines() == {"DRY-0004": 1}


def test_a_short_question_after_a_price_is_a_price() -> None:
    result = run(
        ActionAddItems(),
        make_tracker("and tata salt?", "add_items", before=priced("how much is amul butter 100g")),
    )
    assert "₹28" in result.text and cart_lines() == {}


def test_those_after_a_price_are_the_pack_priced() -> None:
    run(
        ActionAddItems(),
        make_tracker("ok add 2 of those", "add_items", before=priced("rate of amul butter 100g")),
    )
    assert cart_lines() == {"DRY-0029": 2}


def test_the_other_pack_asked_after_a_price_hinglish() -> None:
    result = run(
        ActionAddItems(),
        make_tracker(
            "aur 1 litre wala?",
            "add_items",
            slots={"language": "hinglish"},
            before=priced("amul gold aadha litre kitne ka hai"),
        ),
    )
    assert "₹69" in result.text and cart_lines() == {}


def test_packs_of_the_priced_product_put_in_hindi() -> None:
    before = [
        *priced("अमूल गोल्ड आधा लीटर कितने का है"),
        *priced("और एक लीटर वाला?", stored="अमूल गोल्ड और एक लीटर वाला?"),
    ]
    run(
        ActionAddItems(),
        make_tracker(
            "दो पैकेट एक लीटर वाले डाल दो", "add_items", slots={"language": "hi"}, before=before
        ),
    )
    assert cart_lines() == {"DRY-0004": 2}


def test_what_it_comes_to_is_the_carts_total() -> None:
    run(ActionAddItems(), make_tracker("amul butter and amul taaza milk 1 l", "add_items"))
    result = run(
        ActionAskPrice(), make_tracker("कुल कितने रुपये हुए?", "ask_price", slots={"language": "hi"})
    )
    assert "₹139" in result.text  # ₹58 + ₹56 + ₹25 delivery


def test_a_price_of_what_the_shop_does_not_sell_says_so() -> None:
    result = run(
        ActionAskPrice(),
        make_tracker("250 gm badam kitne ka", "ask_price", slots={"language": "hinglish"}),
    )
    assert "badam" in result.text and "nahi" in result.text


@pytest.mark.parametrize(
    ("text", "intent", "language"),
    [
        ("which is the cheapest 1 litre one?", "ask_price", "en"),
        ("1 litre wala sabse sasta kaunsa hai", "add_items", "hinglish"),
        ("1 लीटर वाला सबसे सस्ता कौन सा है", "add_items", "hi"),
    ],
)
def test_the_cheapest_after_a_price_is_the_cheapest_of_that_kind(
    text: str, intent: str, language: str
) -> None:
    """ "सबसे सस्ता" after the milk prices: the cheapest one-litre milk, nothing added."""
    action = ActionAskPrice() if intent == "ask_price" else ActionAddItems()
    result = run(
        action,
        make_tracker(text, intent, slots={"language": language}, before=priced("milk ka rate")),
    )
    assert "₹46" in result.text, result.text  # Nandini Toned Milk 1 L
    assert len(result.texts) == 1 and result.text.count("₹") == 1
    assert cart_lines() == {}
    assert result.slots()["priced"]


@pytest.mark.parametrize(
    "text", ["cheapest atta kaunsa hai", "sabse sasta atta konsa hai", "सबसे सस्ता आटा कौन सा है"]
)
def test_the_cheapest_of_a_kind_asked_outright(text: str) -> None:
    result = run(ActionAskPrice(), make_tracker(text, "ask_price"))
    assert "Chakki Atta (loose)" in result.text or "चक्की आटा (खुला)" in result.text, result.text
    assert result.text.count("₹") == 1
