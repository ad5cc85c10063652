"""Handing back to the bot against the real Rasa engine and action server: the shopper asks for
a person, the bot keeps quiet, the merchant releases the conversation, the bot answers again.
Needs a model in production in the registry; skipped without one — this test never trains."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.catalog.store import ensure_shop
from bot.db.session import session_scope
from bot.handoff import inbox
from bot.handoff.tracker import EngineTracker
from bot.merchants.users import create_user
from bot.settings import get_settings
from cli.engine import RASA, production_model
from cli.stack import assistant_services, start_all, stop_all
from tests.shop import free_port

pytestmark = pytest.mark.skipif(
    not RASA.exists() or production_model(required=False) is None,
    reason="needs .venv-rasa and a trained model in production (make train)",
)
WA = "919811119999"


@pytest.fixture
def engine_url(database_url: str) -> Iterator[str]:
    with session_scope() as s:
        ensure_shop(s, get_settings().default_shop_slug, get_settings().default_shop_name)
    services = assistant_services(database_url, free_port(), free_port(), prefix="handoff-test-")
    running = start_all(services)
    try:
        yield services[1].health.rstrip("/")
    finally:
        stop_all(running)


def say(url: str, text: str) -> list[str]:
    r = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": WA, "message": text}, timeout=60)
    r.raise_for_status()
    return [m.get("text", "") for m in r.json()]


def test_release_gives_the_conversation_back_to_the_bot(engine_url: str) -> None:
    with session_scope() as s:
        shop = ensure_shop(s, get_settings().default_shop_slug, get_settings().default_shop_name)
        shop_id, user_id = shop.id, create_user(s, shop.id, "asha", "a long passphrase").id
    assert any("someone from the shop" in t for t in say(engine_url, "i want to talk to a person"))
    assert say(engine_url, "hello? 2 kg atta please") == []  # the shop has it: the bot keeps quiet
    tracker = EngineTracker(engine_url, get_settings().rasa_token.get_secret_value())
    with session_scope() as s:
        [flag] = inbox.flagged(s, shop_id)
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
        assert inbox.flagged(s, shop_id) == []
