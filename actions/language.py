"""The reply language: detected on every message, fixed once the shopper asks for one.

`action_validate_slot_mappings` runs after every user message (Rasa calls it from
`action_extract_slots`), before any response is chosen, so even a bare "नमस्ते" is answered
in Hindi. It is also where low-confidence intents and corrections are noted for review.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rasa_sdk import Tracker, ValidationAction
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.runtime import ShopAction, Turn, shop_of
from bot.db.session import session_scope
from bot.i18n.render import reply_language
from bot.review.service import record
from bot.settings import get_settings
from bot.text.language import LanguageState, next_language
from bot.text.normalize import normalize

CORRECTION = re.compile(
    r"^(no+|nahi|nahin|nhi|नहीं|not that)?[ ,.!]*(i meant|i mean|mera matlab|matlab|मेरा मतलब|मतलब)\b"
)
WANTS = {
    "hi": ("hindi", "हिंदी", "हिन्दी"),
    "en": ("english", "angrezi", "angreji", "अंग्रेज़ी", "अंग्रेजी", "इंग्लिश"),
    "hinglish": ("hinglish", "roman", "हिंग्लिश"),
}


class ValidateSlotMappings(ValidationAction):
    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        current = tracker.get_slot("language") or "en"
        await asyncio.to_thread(_review_turn, tracker, current)
        if tracker.get_slot("language_locked") or not text.strip() or text.startswith("/"):
            return {"language": current}
        evidence = tracker.get_slot("language_evidence") or {}
        state = next_language(
            text,
            LanguageState(reply_language(current), evidence.get("streak"), evidence.get("pending")),
        )
        return {
            "language": state.language,
            "language_evidence": {"streak": state.streak, "pending": state.pending},
        }


def _review_turn(tracker: Tracker, language: str) -> None:
    """Low-confidence intents and "no, I meant…" corrections go to the review queue."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    intent = message.get("intent") or {}
    name, confidence = intent.get("name"), intent.get("confidence")
    low = (
        name not in (None, "nlu_fallback")
        and confidence is not None
        and confidence < get_settings().review_confidence
        and not text.startswith("/")
    )
    correction = bool(CORRECTION.match(normalize(text)))
    if not (low or correction):
        return
    with session_scope() as session:
        shop = shop_of(session, tracker)
        if low:
            record(
                session,
                shop.id,
                kind="low_confidence",
                text=text,
                language=language,
                prediction=name,
                confidence=confidence,
                conversation_id=tracker.sender_id,
                details={"ranking": (message.get("intent_ranking") or [])[:3]},
            )
        if correction:
            previous = next(
                (e.get("text") for e in reversed(tracker.events[:-1]) if e.get("event") == "user"),
                None,
            )
            record(
                session,
                shop.id,
                kind="correction",
                text=text,
                language=language,
                prediction=name,
                confidence=confidence,
                conversation_id=tracker.sender_id,
                details={"corrects": previous},
            )


class ActionChangeLanguage(ShopAction):
    def name(self) -> str:
        return "action_change_language"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        text = normalize(turn.text)
        named = [(text.find(w), lang) for lang, words in WANTS.items() for w in words if w in text]
        # "reply in english, my hindi is weak": the language asked for is named first
        wanted = min(named)[1] if named else None
        if wanted is None:  # "change language": toggle between English and Hindi
            wanted = "en" if turn.language != "en" else "hi"
        turn.language = wanted
        turn.say("language_set")
        return [SlotSet("language", wanted), SlotSet("language_locked", True)]
