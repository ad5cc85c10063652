"""When the model is unsure, a message a shopkeeper would simply answer gets its answer instead
of "did you mean…?": a shop question the FAQs answer, a question about products it names, an
order that names products and amounts."""

from __future__ import annotations

from typing import Any

import pytest

from actions.fallback import ActionDefaultAskAffirmation
from bot.db.session import session_scope
from bot.faq.store import add_faq
from tests.actions.conftest import Result, make_tracker, review_items, run
from tests.actions.test_cart_actions import add, cart_lines


def unsure(
    text: str, guess: str, language: str = "en", slots: dict[str, Any] | None = None
) -> Result:
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": guess, "confidence": 0.5}]
    tracker = make_tracker(
        text,
        "nlu_fallback",
        confidence=0.55,
        ranking=ranking,
        slots={**(slots or {}), "language": language},
    )
    return run(ActionDefaultAskAffirmation(), tracker)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("what time do you open in the morning", "en"),
        ("aur subah kitne baje se order aata hai", "hinglish"),
        ("दुकान कितने बजे खुलती है", "hi"),
    ],
)
def test_a_shop_question_is_answered_from_the_faqs(shop_id: int, text: str, language: str) -> None:
    with session_scope(write=True) as s:
        add_faq(s, shop_id, "What are your shop timings?", "8 am to 9 pm every day.")
    result = unsure(text, "order_status", language)
    assert result.text == "8 am to 9 pm every day."
    assert review_items("fallback") == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("what milk options do you have", "en"),
        ("doodh ke options dikhao", "hinglish"),
        ("दूध कौन कौन से हैं", "hi"),
    ],
)
def test_a_question_about_named_products_lists_them(text: str, language: str) -> None:
    result = unsure(text, "browse_catalog", language)
    assert "Milk" in result.text or "दूध" in result.text
    assert "₹" in result.text
    assert "did you mean" not in result.text.casefold()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Amul Malai Paneer 500 g", "en"),
        ("amul paneer 500 gm dena", "hinglish"),
        ("अमूल पनीर 500 ग्राम", "hi"),
    ],
)
def test_an_unsure_order_with_products_and_amounts_goes_in(text: str, language: str) -> None:
    unsure(text, "add_items", language)
    assert cart_lines() == {"DRY-0024": 1}


def test_words_without_a_product_or_amount_are_still_asked_about() -> None:
    result = unsure("atta thoda zyada", "update_quantity", "hinglish")
    assert result.text.startswith("Kya aap yeh kehna chahte the:")
    assert cart_lines() == {}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("wrong one, mother dairy paneer please", "en"),
        ("galat hai, mother dairy wala chahiye", "hinglish"),
        ("गलत है, मदर डेयरी वाला चाहिए", "hi"),
    ],
)
def test_an_unsure_correction_corrects_the_cart(text: str, language: str) -> None:
    added = add("amul paneer 200 g", slots={"language": language})
    assert cart_lines() == {"DRY-0023": 1}
    unsure(text, "reorder", language, slots=added.slots())
    assert cart_lines() == {"DRY-0025": 1}  # Mother Dairy Paneer 200 g instead


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("make the milk amul gold", "en"),
        ("doodh amul gold wala kar do", "hinglish"),
        ("दूध अमूल गोल्ड वाला कर दो", "hi"),
    ],
)
def test_an_unsure_change_of_a_cart_line_changes_it(text: str, language: str) -> None:
    added = add("2 litre amul taaza milk", slots={"language": language})
    unsure(text, "update_quantity", language, slots=added.slots())
    assert cart_lines() == {"DRY-0004": 2}  # Amul Gold 1 L × 2: the two litres kept


@pytest.mark.parametrize(
    ("text", "language"),
    [("total kitna hua?", "hinglish"), ("कुल कितने रुपये हुए?", "hi"), ("total?", "en")],
)
def test_an_unsure_price_question_with_no_product_is_the_carts_total(
    text: str, language: str
) -> None:
    add("2 kg atta", slots={"language": language})
    result = unsure(text, "ask_price", language)
    assert "₹90" in result.text and "did you mean" not in result.text.casefold()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("what time do you open in the morning", "en"),
        ("aur subah kitne baje se order aata hai", "hinglish"),
        ("दुकान कितने बजे खुलती है", "hi"),
    ],
)
def test_a_shop_question_read_as_the_cart_before_anything_is_in_it(
    shop_id: int, text: str, language: str
) -> None:
    from actions.cart import ActionViewCart

    with session_scope(write=True) as s:
        add_faq(s, shop_id, "What are your shop timings?", "8 am to 9 pm every day.")
    result = run(ActionViewCart(), make_tracker(text, "view_cart", slots={"language": language}))
    assert result.text == "8 am to 9 pm every day."
