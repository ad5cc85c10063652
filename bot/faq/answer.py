"""Which of the merchant's FAQs a shopper's question is, in any of the three languages.

Shops get the same few questions — where they deliver, the fee, the hours, cash on delivery,
returns, jobs — asked in English, Hinglish and Hindi with words no FAQ question contains ("COD
hai?", "कितने बजे खुलते हो"). Each question, the merchant's and the shopper's, is read for these
topics through one lexicon; what is left to match (a shop's own FAQ, "do you sell organic
atta?") is matched on the phonetic keys of its words, as the item engine matches products.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.catalog.index import keys
from bot.faq.store import Faq
from bot.text.normalize import normalize

TOPICS: dict[str, tuple[str, ...]] = {
    "area": (
        "deliver to",
        "delivery in",
        "deliver in",
        "area",
        "areas",
        "pincode",
        "pin code",
        "deliver karte",
        "delivery karte",
        "delivery hoti",
        "delivery hai kya",
        "deliver hota",
        "aate ho",
        "aaoge",
        "डिलीवरी करते",
        "डिलीवरी होगी",
        "डिलीवरी होती",
        "इलाके",
        "एरिया",
        "पिन कोड",
    ),
    "fee": (
        "delivery fee",
        "delivery charge",
        "delivery charges",
        "charges",
        "fee",
        "minimum order",
        "min order",
        "free delivery",
        "minimum",
        "kam se kam",
        "shipping",
        "kitna lagega delivery",
        "delivery ka kitna",
        "charge",
        "delivery ke kitne",
        "delivery kitne ka",
        "delivery fees",
        "डिलीवरी चार्ज",
        "डिलीवरी का कितना",
        "डिलीवरी के कितने",
        "डिलीवरी कितने की",
        "डिलीवरी फीस",
        "डिलीवरी शुल्क",
        "शुल्क",
        "चार्ज",
        "कम से कम",
        "मुफ़्त डिलीवरी",
        "फ्री डिलीवरी",
    ),
    "hours": (
        "timing",
        "timings",
        "open",
        "close",
        "closed",
        "hours",
        "khulti",
        "khulta",
        "khuli",
        "band",
        "kitne baje",
        "kab tak",
        "sunday",
        "holiday",
        "खुली",
        "खुलती",
        "खुलता",
        "बंद",
        "कितने बजे",
        "समय",
        "टाइमिंग",
    ),
    "cod": (
        "cash on delivery",
        "cod",
        "cash",
        "pay cash",
        "nakad",
        "naqad",
        "upi",
        "gpay",
        "phonepe",
        "paytm",
        "card",
        "payment",
        "कैश",
        "नकद",
        "यूपीआई",
        "पेमेंट",
        "भुगतान",
    ),
    "returns": (
        "return",
        "returns",
        "refund",
        "replace",
        "replacement",
        "exchange",
        "damaged",
        "damage",
        "broken",
        "wapas",
        "vapas",
        "badal",
        "kharab",
        "toota",
        "tuta",
        "वापस",
        "रिफंड",
        "बदल",
        "ख़राब",
        "खराब",
        "टूटा",
    ),
    "jobs": (
        "job",
        "jobs",
        "hiring",
        "vacancy",
        "vacancies",
        "work with you",
        "naukri",
        "kaam",
        "delivery boy",
        "नौकरी",
        "काम",
        "भर्ती",
        "वैकेंसी",
    ),
}
KEY_MATCH = 0.5  # share of a question's keys a shopper's words must hit, without a topic


@dataclass(frozen=True, slots=True)
class Match:
    faq: Faq
    topic: str | None
    score: float


def topics(text: str) -> set[str]:
    words = f" {normalize(text)} "
    return {
        topic
        for topic, phrases in TOPICS.items()
        if any(f" {normalize(phrase)} " in words for phrase in phrases)
    }


def best_faq(question: str, faqs: Sequence[Faq]) -> Match | None:
    """The FAQ the shopper is asking, or None. A topic both share decides (the most specific
    shared topics win ties by word overlap); otherwise enough of the FAQ question's keys."""
    asked = topics(question)
    asked_keys = set(keys(question))
    best: Match | None = None
    for faq in faqs:
        shared = asked & topics(faq.question)
        faq_keys = set(keys(faq.question))
        overlap = len(asked_keys & faq_keys) / len(faq_keys) if faq_keys else 0.0
        score = len(shared) + overlap if shared else overlap
        if (shared or overlap >= KEY_MATCH) and (best is None or score > best.score):
            topic = next(iter(sorted(shared)), None)
            best = Match(faq, topic, score)
    return best


def faq_on(topic: str, faqs: Sequence[Faq]) -> Faq | None:
    """The merchant's own answer on a topic ("area": where the shop delivers), if there is one."""
    return next((faq for faq in faqs if topic in topics(faq.question)), None)


def asks_about_area(question: str) -> bool:
    return "area" in topics(question)
