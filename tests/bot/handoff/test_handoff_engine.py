"""Handing back to the bot against the real Rasa engine and action server: the shopper asks for
a person, the bot keeps quiet, the merchant releases the conversation, the bot answers again.
On the run's shared assistant, kept apart from the other tests by its own shopper."""

from __future__ import annotations

import httpx
import pytest

from bot.catalog.store import ensure_shop
from bot.db.session import session_scope
from bot.handoff import inbox
from bot.merchants.users import create_user
from bot.rasa_api import EngineClient
from bot.settings import get_settings
from tests.processes import ENGINE_GROUP, Assistant

pytestmark = ENGINE_GROUP
WA = "919811119999"


@pytest.fixture
def engine_url(on_assistant_database: Assistant) -> str:
    return on_assistant_database.url


def say(url: str, text: str) -> list[str]:
    r = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": WA, "message": text}, timeout=60)
    r.raise_for_status()
    return [m.get("text", "") for m in r.json()]


def test_release_gives_the_conversation_back_to_the_bot(engine_url: str) -> None:
    with session_scope() as s:
        shop = ensure_shop(s, get_settings().default_shop_slug, get_settings().default_shop_name)
        shop_id, user_id = shop.id, create_user(s, shop.id, "handoff-asha", "a long passphrase").id
    assert any("someone from the shop" in t for t in say(engine_url, "i want to talk to a person"))
    assert say(engine_url, "hello? 2 kg atta please") == []  # the shop has it: the bot keeps quiet
    tracker = EngineClient(engine_url, get_settings().rasa_token.get_secret_value())
    with session_scope() as s:
        [flag] = [f for f in inbox.flagged(s, shop_id) if f.conversation_id == WA]
        assert flag.conversation_id == WA and flag.messages == 2
        view = inbox.conversation(s, shop_id, WA, tracker)
        assert view.bot_quiet is True
        assert [m.text for m in view.messages if m.sender == "shopper"][
            -1
        ] == "hello? 2 kg atta please"
    with session_scope() as s:
        inbox.release(s, shop_id, WA, user_id, tracker)
    assert tracker.tracker(WA)["slots"]["handoff"] is False
    assert say(engine_url, "hi") != []  # the bot answers again
    with session_scope() as s:
        assert WA not in {f.conversation_id for f in inbox.flagged(s, shop_id)}
