"""Running ChatCart's custom actions in-process, as the action server would: rasa_sdk's real
`Tracker` (built from the dict the engine sends) and `CollectingDispatcher`, against a real
database (SQLite file, or PostgreSQL in CI) holding the shop from `tests/shop.py`."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.runtime import ENGINES
from bot.db.models import ReviewItem
from bot.db.session import session_scope
from bot.settings import PROJECT_ROOT
from tests.shop import WA_ID

DOMAIN: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text("utf-8"))


def initial_slots() -> dict[str, Any]:
    slots = {name: spec.get("initial_value") for name, spec in DOMAIN["slots"].items()}
    slots["requested_slot"] = None
    return slots


def user_event(
    text: str,
    intent: str | None = None,
    confidence: float | None = 0.98,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "event": "user",
        "timestamp": time.time(),
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
        },
    }


def slot_event(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": time.time(), "name": name, "value": value}


def make_tracker(
    text: str = "",
    intent: str | None = None,
    *,
    confidence: float | None = 0.98,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    before: list[dict[str, Any]] | None = None,
    after: list[dict[str, Any]] | None = None,
    ranking: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender: str = WA_ID,
) -> Tracker:
    """The tracker of a conversation whose latest user message is `text`: `before` are earlier
    events, `after` the events since the message (e.g. slots the engine extracted)."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": ranking
        if ranking is not None
        else [{"name": intent, "confidence": confidence}],
    }
    message = user_event(text, intent, confidence, entities)
    message["parse_data"] = latest
    values = initial_slots() | (slots or {})
    for event in after or []:
        if event.get("event") == "slot":
            values[event["name"]] = event["value"]
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": values,
            "latest_message": latest,
            "events": [*(before or []), message, *(after or [])],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


@dataclass
class Result:
    events: list[dict[str, Any]]
    messages: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [m.get("text") or "" for m in self.messages]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [b for m in self.messages for b in m.get("buttons") or []]

    def slots(self) -> dict[str, Any]:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}


def run(action: Action, tracker: Tracker) -> Result:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return Result(list(events or []), dispatcher.messages)


def review_items(kind: str | None = None) -> list[ReviewItem]:
    with session_scope() as s:
        query = select(ReviewItem).order_by(ReviewItem.id)
        if kind:
            query = query.where(ReviewItem.kind == kind)
        items = list(s.scalars(query))
        s.expunge_all()
        return items


@pytest.fixture(autouse=True)
def shop(shop_id: int) -> int:
    """Every action test runs against a fresh database with the shop loaded; the actions'
    per-process item engine cache is emptied so no engine from another database is reused."""
    ENGINES._built.clear()
    return shop_id
