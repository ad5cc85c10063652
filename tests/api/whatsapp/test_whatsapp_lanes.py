"""What one shopper does never holds up another: a message the engine can never accept is set
aside after a few tries, a flooding number is limited, and notifications that keep failing
for one shopper leave the others' alone. The real app in this process (its gateway running
the lanes), an engine stand-in over HTTP, and Graph API stand-ins."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.simulator import webhooks
from api.whatsapp import flood, inbox
from api.whatsapp.signature import sign
from bot.db.models import ReviewItem
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.i18n import t
from bot.settings import get_settings
from tests.api.whatsapp.support import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    FakeGraph,
    channel_settings,
    inbox_settled,
    notify,
    shopper_wrote,
)
from tests.loopback import JsonHandler, serve
from tests.waiting import wait_until


class Engine:
    """Rasa's REST channel answering every turn with what it was told."""

    def __init__(self) -> None:
        self.turns: list[tuple[str, str]] = []
        engine = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.read_json()
                engine.turns.append((body["sender"], body["message"]))
                self.send_json(
                    200, [{"recipient_id": body["sender"], "text": f"Added: {body['message']}"}]
                )

            def do_GET(self) -> None:  # noqa: N802
                self.send_json(200, {"slots": {"language": "en"}, "events": []})

        self.server, self.url = serve(Handler)

    def asked(self, wa_id: str) -> list[str]:
        return [said for who, said in self.turns if who == wa_id]


@pytest.fixture
def engine() -> Iterator[Engine]:
    stand_in = Engine()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


@contextmanager
def app(
    monkeypatch: pytest.MonkeyPatch, graph_url: str, engine_url: str, **extra: str
) -> Iterator[TestClient]:
    for k, v in channel_settings(graph_url, engine_url, **extra).items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    from api.main import create_app

    with TestClient(create_app()) as client:
        yield client
    get_settings.cache_clear()


def post(client: TestClient, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()  # ASCII escapes, as Meta sends them: "\ud800" stays
    answer = client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)},
    )
    assert answer.status_code == 200


def texts(graph: FakeGraph, wa_id: str) -> list[str]:
    return [m["text"]["body"] for m in graph.messages(wa_id) if m["type"] == "text"]


def outcomes(wa_id: str) -> list[tuple[str, str | None]]:
    with session_scope() as s:
        rows = s.execute(
            select(WhatsAppInbox.state, WhatsAppInbox.outcome)
            .where(WhatsAppInbox.wa_id == wa_id)
            .order_by(WhatsAppInbox.id)
        ).all()
    return [(state, outcome) for state, outcome in rows]


def test_a_message_the_engine_can_never_accept_is_set_aside_and_the_next_goes_on(
    database_url: str, monkeypatch: pytest.MonkeyPatch, graph: FakeGraph, engine: Engine
) -> None:
    """A lone surrogate cannot be encoded for the engine at all. Before, the shopper's lane
    waited through twelve back-offs (about 24 minutes) and the message was then dropped
    without a word."""
    shopper = "919800002001"
    with app(monkeypatch, graph.url, engine.url) as client:
        post(client, webhooks.text(PHONE_NUMBER_ID, shopper, "2 kg \ud800 atta"))
        post(client, webhooks.text(PHONE_NUMBER_ID, shopper, "1 litre milk"))
        assert inbox_settled(database_url, timeout=60)
        assert texts(graph, shopper) == [t("wa_unsupported", "en"), "Added: 1 litre milk"]
    assert engine.asked(shopper) == ["1 litre milk"]
    assert outcomes(shopper) == [("done", "quarantined"), ("done", "text")]
    with session_scope() as s:
        row = s.scalar(select(WhatsAppInbox).order_by(WhatsAppInbox.id).limit(1))
        [item] = s.scalars(select(ReviewItem)).all()
    assert row is not None and row.attempts == inbox.QUARANTINE_AFTER
    assert (item.kind, item.text, item.conversation_id) == (
        "fallback",
        "2 kg \\ud800 atta",
        shopper,
    )
    assert "encode" in (item.details or {})["quarantined"]


def test_a_flooding_number_is_limited_and_the_others_are_answered(
    database_url: str, monkeypatch: pytest.MonkeyPatch, graph: FakeGraph, engine: Engine
) -> None:
    flooder, other = "919800002011", "919800002012"
    with app(monkeypatch, graph.url, engine.url, WHATSAPP_SHOPPER_RATE="3") as client:
        for i in range(8):
            post(client, webhooks.text(PHONE_NUMBER_ID, flooder, f"spam {i}"))
        post(client, webhooks.text(PHONE_NUMBER_ID, other, "2 kg atta"))
        assert inbox_settled(database_url, timeout=60)
        assert texts(graph, flooder) == [
            "Added: spam 0",
            "Added: spam 1",
            "Added: spam 2",
            t("wa_slow_down", "en"),
        ]
        assert texts(graph, other) == ["Added: 2 kg atta"]
    assert engine.asked(flooder) == ["spam 0", "spam 1", "spam 2"]  # the rest cost no turn
    assert [outcome for _, outcome in outcomes(flooder)] == ["text"] * 3 + [flood.TOLD] + [
        flood.LIMITED
    ] * 4


class PickyGraph:
    """The Graph API answering 500 for every message to `failing` (the client retries each
    with its back-off) and 200 to anyone else; who was tried, in order."""

    def __init__(self, failing: str) -> None:
        self.tries: list[str] = []
        self.lock = threading.Lock()
        graph = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                to = self.read_json().get("to")
                with graph.lock:
                    graph.tries.append(to)
                if to == failing:
                    return self.send_json(500, {"error": {"message": "Internal", "code": 1}})
                return self.send_json(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "messages": [{"id": f"wamid.P{len(graph.tries)}"}],
                    },
                )

        self.server, self.url = serve(Handler)

    def count(self, to: str) -> int:
        with self.lock:
            return self.tries.count(to)


def test_one_shoppers_failing_notifications_never_delay_anothers(
    database_url: str, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    """Sent one after another (before), the good shopper's notice waited behind every retry
    of the failing shopper's two (5 tries each, 1 + 2 + 4 + 8 s of back-off apart here)."""
    failing, fine = "919800002021", "919800002022"
    graph = PickyGraph(failing)
    try:
        env = {"WHATSAPP_OUTBOX_EVERY_SECONDS": "0.2", "WHATSAPP_BACKOFF_SECONDS": "1"}
        with app(monkeypatch, graph.url, engine.url, **env):
            for wa_id in (failing, fine):
                shopper_wrote(wa_id, "en", wrote=timedelta(hours=1))
            notify(failing, "order_packed", {"order_id": 1}, "a")
            notify(failing, "order_out_for_delivery", {"order_id": 1}, "b")
            notify(fine, "order_packed", {"order_id": 2}, "c")
            wait_until(lambda: graph.count(fine) == 1, "the good shopper's notice", 30)
            tries = graph.count(failing)
            assert 1 <= tries < get_settings().whatsapp_send_attempts  # still on its first
    finally:
        graph.server.shutdown()
        graph.server.server_close()
