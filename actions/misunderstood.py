"""What the bot did not understand, kept for the merchants' review queue."""

from __future__ import annotations

from typing import Any

from actions.runtime import ShopAction, Turn
from bot.review.service import record


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
