"""The engine client against a real HTTP server on loopback that answers as Rasa's does: the
token where each surface asks for it, and what a failure means for whoever retries."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.rasa_api import EngineClient, EngineRefused, EngineUnreachable, replies_in
from tests.loopback import JsonHandler, serve

TOKEN = "s3cret-engine-token"
WAMID = "wamid.HBgM"
EVENTS: list[dict[str, Any]] = [
    {"event": "user", "text": "hi", "metadata": {"wamid": "wamid.earlier"}},
    {"event": "bot", "text": "Namaste!"},
    {"event": "user", "text": "2 kg atta", "metadata": {"wamid": WAMID}},
    {"event": "bot", "text": "Which atta?", "data": {"buttons": [{"title": "Aashirvaad"}]}},
    {"event": "bot", "text": "Or type another."},
    {"event": "user", "text": "1", "metadata": {"wamid": "wamid.later"}},
    {"event": "bot", "text": "Added."},
]


class Engine:
    """Rasa started with --enable-api --auth-token: ?token= on its API, a Bearer header on the
    REST channel (rasa_engine/channels.py); `answer` forces a status on the next call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.answer: int | None = None
        self.loaded = "first.tar.gz"
        engine = self

        class Handler(JsonHandler):
            def _serve(self, method: str) -> None:
                body = self.read_json() if method in ("POST", "PUT") else None
                url = urlsplit(self.path)
                engine.calls.append((method, url.path))
                if engine.answer is not None:
                    status, engine.answer = engine.answer, None
                    return self.send_json(status, {"message": "forced"})
                if url.path == "/webhooks/rest/webhook":
                    if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                        return self.send_json(401, {"reason": "NotAuthenticated"})
                    return self.send_json(200, [{"recipient_id": body["sender"], "text": "Hi"}])
                if parse_qs(url.query).get("token") != [TOKEN]:
                    return self.send_json(401, {"message": "User is not authenticated."})
                if url.path == "/status":
                    return self.send_json(200, {"model_file": engine.loaded, "model_id": "x"})
                if url.path == "/model":
                    engine.loaded = Path(body["model_file"]).name
                    self.send_response(204)
                    self.end_headers()
                    return None
                if url.path.endswith("/tracker/events"):
                    return self.send_json(200, {"slots": {"handoff": body["value"]}})
                return self.send_json(200, {"slots": {"language": "hi"}, "events": EVENTS})

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def do_PUT(self) -> None:  # noqa: N802
                self._serve("PUT")

        self.server, self.url = serve(Handler)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def engine() -> Iterator[Engine]:
    server = Engine()
    yield server
    server.close()


def run_async(client: EngineClient, call: Any) -> Any:
    async def go() -> Any:
        try:
            return await call(client)
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_a_turn_and_the_tracker_carry_the_token_each_as_its_surface_asks(engine: Engine) -> None:
    client = EngineClient(engine.url, TOKEN)
    replies = run_async(client, lambda c: c.send("919812345678", "hi", {"wamid": WAMID}))
    assert replies == [{"recipient_id": "919812345678", "text": "Hi"}]
    assert run_async(EngineClient(engine.url, TOKEN), lambda c: c.slots("919812345678")) == {
        "language": "hi"
    }
    assert EngineClient(engine.url, TOKEN).tracker("919812345678")["events"] == EVENTS
    assert EngineClient(engine.url, TOKEN).hand_back("919812345678") is False


def test_a_wrong_token_is_refused_and_the_message_never_shows_it(engine: Engine) -> None:
    with pytest.raises(EngineRefused) as refused:
        EngineClient(engine.url, "wrong-token").status()
    assert refused.value.status == 401 and "RASA_TOKEN" in str(refused.value)
    assert "wrong-token" not in str(refused.value)
    with pytest.raises(EngineRefused):
        run_async(EngineClient(engine.url), lambda c: c.send("9198", "hi", {}))


@pytest.mark.parametrize(("status", "meaning"), [(502, EngineUnreachable), (500, EngineRefused)])
def test_a_proxys_bad_gateway_is_an_outage_and_the_engines_own_error_is_a_refusal(
    engine: Engine, status: int, meaning: type[Exception]
) -> None:
    engine.answer = status
    with pytest.raises(meaning):
        run_async(EngineClient(engine.url, TOKEN), lambda c: c.send("9198", "hi", {}))


def test_nothing_listening_is_unreachable() -> None:
    with pytest.raises(EngineUnreachable):
        EngineClient("http://127.0.0.1:9", TOKEN, timeout=2).status()
    with pytest.raises(EngineUnreachable):
        run_async(EngineClient("http://127.0.0.1:9", timeout=2), lambda c: c.slots("9198"))


def test_a_model_is_loaded_and_then_served(engine: Engine, tmp_path: Path) -> None:
    client = EngineClient(engine.url, TOKEN)
    client.load(tmp_path / "second.tar.gz")
    assert client.status()["model_file"] == "second.tar.gz"
    assert ("PUT", "/model") in engine.calls


def test_the_replies_to_one_message_are_read_back_from_its_events(engine: Engine) -> None:
    replies = run_async(EngineClient(engine.url, TOKEN), lambda c: c.replies_for("9198", WAMID))
    assert replies == [
        {"recipient_id": "9198", "text": "Which atta?", "buttons": [{"title": "Aashirvaad"}]},
        {"recipient_id": "9198", "text": "Or type another."},
    ]
    assert replies_in(EVENTS, "9198", "wamid.never-sent") is None
