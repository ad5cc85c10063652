"""Handing the conversation to a person at the shop, and keeping quiet until released.

The merchant console lists open `handoff` review items; releasing one sets the `handoff`
slot back to false through the engine's tracker API.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.runtime import ShopAction, Turn
from bot.review.service import record


class ActionHumanHandoff(ShopAction):
    def name(self) -> str:
        return "action_human_handoff"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        record(
            turn.session,
            turn.shop.id,
            kind="handoff",
            text=turn.text,
            language=turn.language,
            prediction=turn.intent[0],
            confidence=turn.intent[1],
            conversation_id=turn.wa_id,
        )
        turn.say("handoff")
        return [SlotSet("handoff", True)]


class ActionHandoffHold(ShopAction):
    """The shop has the conversation: note the message for the person, say nothing."""

    def name(self) -> str:
        return "action_handoff_hold"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        record(
            turn.session,
            turn.shop.id,
            kind="handoff",
            text=turn.text,
            language=turn.language,
            prediction=turn.intent[0],
            confidence=turn.intent[1],
            conversation_id=turn.wa_id,
            details={"during_handoff": True},
        )
        return []
