"""The merchant's FAQs found from how shoppers ask, in three languages; the delivery area."""

from __future__ import annotations

import pytest

from bot.db.session import session_scope
from bot.faq.answer import best_faq
from bot.faq.store import Faq, add_faq, delete_faq, delivery_area, faqs, set_delivery_area

SHOP_FAQS = [
    Faq(1, "What is the delivery fee?", "Delivery is ₹25."),
    Faq(2, "What are your shop timings?", "8 am to 9 pm.", answer_hinglish="Subah 8 se raat 9."),
    Faq(3, "Is cash on delivery available?", "Yes, cash or UPI."),
    Faq(4, "Can I return or replace an item?", "Within 24 hours."),
    Faq(5, "Are you hiring?", "Write to jobs@example.com."),
    Faq(6, "Do you sell organic atta?", "Yes, two kinds."),
]


@pytest.mark.parametrize(
    ("question", "faq_id"),
    [
        ("delivery charges kitna hai bhai", 1),
        ("डिलीवरी चार्ज कितना लगेगा", 1),
        ("dukan kitne baje khulti hai", 2),
        ("दुकान कितने बजे तक खुली है", 2),
        ("COD milega kya", 3),
        ("नकद दे सकते हैं डिलीवरी पर?", 3),
        ("kharab saman wapas hoga?", 4),
        ("mujhe delivery boy ki naukri chahiye", 5),
        ("organic atta milega?", 6),
    ],
)
def test_the_question_finds_its_faq(question: str, faq_id: int) -> None:
    match = best_faq(question, SHOP_FAQS)
    assert match is not None and match.faq.id == faq_id


def test_unrelated_words_find_nothing() -> None:
    assert best_faq("kal ka match kisne jeeta", SHOP_FAQS) is None


def test_answers_fall_back_to_english() -> None:
    assert SHOP_FAQS[1].answer_in("hinglish") == "Subah 8 se raat 9."
    assert SHOP_FAQS[1].answer_in("hi") == "8 am to 9 pm."


def test_faqs_and_the_delivery_area_are_the_shops(shop_id: int) -> None:
    with session_scope(write=True) as s:
        faq = add_faq(s, shop_id, " What  is the fee? ", "₹25", answer_hi="₹25 है")
        assert [f.question for f in faqs(s, shop_id)] == ["What is the fee?"]
        assert set_delivery_area(s, shop_id, "400069, 400 093;400059 and 12345") == {
            "400069",
            "400093",
            "400059",
        }
        assert delivery_area(s, shop_id) == {"400069", "400093", "400059"}
        assert not delete_faq(s, shop_id + 1, faq.id)
        assert delete_faq(s, shop_id, faq.id) and faqs(s, shop_id) == []
    with pytest.raises(ValueError, match="needs a question and an answer"), session_scope() as s:
        add_faq(s, shop_id, "Why?", " ")
