"""When the bot is unsure: ask "did you mean …?" in the shopper's language, and keep the
message for merchants to label."""

from __future__ import annotations

from typing import Any

from actions.runtime import ShopAction, Turn
from actions.unsold import say_unsold
from bot.i18n.messages import INTENT_MEANINGS
from bot.review.service import record


class ActionDefaultAskAffirmation(ShopAction):
    """First stage of Rasa's two-stage fallback, replacing its English-only default."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        ranking = [
            r
            for r in turn.tracker.latest_message.get("intent_ranking") or []
            if r.get("name") not in ("nlu_fallback", None)
        ]
        if say_unsold(turn):  # "do u have fish?": no need to ask what was meant
            return []
        record(
            turn.session,
            turn.shop.id,
            kind="fallback",
            text=turn.text,
            language=turn.language,
            prediction=ranking[0]["name"] if ranking else None,
            confidence=ranking[0].get("confidence") if ranking else None,
            conversation_id=turn.wa_id,
            details={"ranking": ranking[:3]},
        )
        guess = next((r["name"] for r in ranking if r["name"] in INTENT_MEANINGS), None)
        if guess is None:
            turn.dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        meaning = INTENT_MEANINGS[guess].get(turn.language) or INTENT_MEANINGS[guess]["en"]
        turn.say(
            "did_you_mean_intent",
            meaning=meaning,
            buttons=[
                {"title": meaning[:20], "payload": f"/{guess}"},
                {"title": turn.t("something_else"), "payload": "/out_of_scope"},
            ],
        )
        return []


class ActionRecordMisunderstood(ShopAction):
    def name(self) -> str:
        return "action_record_misunderstood"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        record_misunderstood(turn)
        return []


def record_misunderstood(turn: Turn, details: dict[str, Any] | None = None) -> None:
    """Keep the message for the merchants' review queue, as out of scope."""
    name, confidence = turn.intent
    record(
        turn.session,
        turn.shop.id,
        kind="out_of_scope",
        text=turn.text,
        language=turn.language,
        prediction=name,
        confidence=confidence,
        conversation_id=turn.wa_id,
        details=details,
    )
