"""Two shops, two delivery areas: the checkout form's address and "do you deliver to …?" are
answered from the area of the shop the conversation is with, by PIN code or by a place's name,
in the shopper's language."""

from __future__ import annotations

import pytest

from actions.checkout import ValidateCheckoutForm
from actions.faq import ActionAnswerFaq
from bot.db.session import session_scope
from bot.shops.area import set_area
from bot.shops.directory import create_shop
from tests.actions.conftest import make_tracker, run, slot_event
from tests.shop import WA_ID

EAST = f"{WA_ID}@east"  # the same shopper's conversation with the other shop


@pytest.fixture(autouse=True)
def two_areas(shop_id: int) -> None:
    with session_scope(write=True) as s:
        set_area(s, shop_id, "400069 Andheri East, Chakala; 400059 Marol")
        east = create_shop(s, "east", "East Kirana", "1000000002")
        s.flush()
        set_area(s, east.id, "560001 MG Road; 560034 Koramangala")


def address(value: str, sender: str = WA_ID, language: str = "en") -> tuple[dict, str]:
    tracker = make_tracker(
        value,
        "inform",
        active_loop="checkout_form",
        slots={"requested_slot": "address", "language": language},
        after=[slot_event("address", value)],
        sender=sender,
    )
    result = run(ValidateCheckoutForm(), tracker)
    return result.slots(), result.text


def ask(text: str, sender: str = WA_ID, language: str = "en") -> str:
    tracker = make_tracker(text, "ask_faq", slots={"language": language}, sender=sender)
    return run(ActionAnswerFaq(), tracker).text


def test_an_address_is_checked_against_the_area_of_the_shop_it_is_for() -> None:
    mumbai, bengaluru = "Flat 302, Shanti Apts, Marol 400059", "Flat 4B, 12 MG Road 560001"
    assert address(mumbai)[0] == {"address": mumbai, "pincode": "400059"}
    assert address(bengaluru, EAST)[0] == {"address": bengaluru, "pincode": "560001"}
    slots, text = address(bengaluru)
    assert slots == {"address": None}
    assert text.startswith("Sorry, we don't deliver to 560001 yet.")
    slots, text = address(mumbai, EAST)
    assert slots == {"address": None} and "400059" in text


def test_the_refusal_is_in_the_shoppers_language() -> None:
    hindi = address("फ्लैट 4, एमजी रोड, बेंगलुरु ५६०००१", language="hi")
    assert hindi[0] == {"address": None}
    assert "560001 में डिलीवरी नहीं करते" in hindi[1]
    hinglish = address("Flat 302, Shanti Apts, Marol 400059", EAST, "hinglish")
    assert hinglish[0] == {"address": None}
    assert "400059 mein delivery nahi karte" in hinglish[1]


def test_do_you_deliver_to_a_pin_code_is_the_shops_answer() -> None:
    assert "Yes, we deliver to 400059" in ask("do you deliver to 400059?")
    assert "don't deliver to 400059" in ask("do you deliver to 400059?", EAST)
    assert "Yes, we deliver to 560034" in ask("do you deliver to 560034?", EAST)
    no = ask("560034 mein delivery karte ho?", language="hinglish")
    assert "560034 mein delivery nahi karte" in no
    assert "400059" in no and "400069" in no  # and where this shop does deliver


def test_do_you_deliver_to_a_place_by_its_name() -> None:
    assert ask("do u deliver to marol?") == "Yes, we deliver to Marol. Tell me what you need."
    assert "Andheri East" in ask("andheri east mein delivery karte ho?", language="hinglish")
    assert "हाँ, हम Marol में डिलीवरी करते हैं" in ask("मरोल में डिलीवरी करते हो?", language="hi")
    assert "Koramangala" in ask("do you deliver in koramangala", EAST)
    # Marol is not one of the east shop's places: it says where it does deliver instead
    other = ask("do you deliver to marol?", EAST)
    assert "Yes" not in other and "560001" in other and "560034" in other
