"""No secret and no full phone number in any log: the API and the WhatsApp worker run as real
processes (as `chatcart run` starts them) against a fake Graph API and an engine stand-in that
insists on RASA_TOKEN, a shopper writes, a notification goes out, Meta's verification handshake
comes in — and then both processes' logs are read for what must not be there."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from api.redaction import mask, secrets_of
from api.simulator import webhooks
from bot.settings import Settings
from tests.api.whatsapp.support import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeGraph,
    Gateway,
    gateway_env,
    notify,
    shopper_wrote,
)
from tests.loopback import JsonHandler, serve
from tests.shop import free_port
from tests.waiting import wait_until

RASA_TOKEN = "rasa-token-that-must-never-be-logged"
SHOPPER = "919812340077"
OTHER = "919812340078"


class Engine:
    """The Rasa engine's two HTTP surfaces the worker uses, each asking for the token as the
    real one started with --auth-token does: the REST channel (rasa_engine/channels.py) as a
    Bearer header, the tracker as ?token=."""

    def __init__(self) -> None:
        self.tracker_calls: list[str] = []
        engine = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.read_json()
                if self.headers.get("Authorization") != f"Bearer {RASA_TOKEN}":
                    return self.send_json(401, {"status": "failure", "reason": "NotAuthenticated"})
                self.send_json(200, [{"recipient_id": body["sender"], "text": "Namaste!"}])

            def do_GET(self) -> None:  # noqa: N802
                query = parse_qs(urlsplit(self.path).query)
                if query.get("token") != [RASA_TOKEN]:
                    return self.send_json(401, {"status": "failure", "reason": "NotAuthenticated"})
                engine.tracker_calls.append(self.path)
                return self.send_json(200, {"slots": {"language": "en"}, "events": []})

        self.server, self.url = serve(Handler)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def channel(database_url: str, tmp_path: Path) -> Iterator[tuple[Gateway, FakeGraph, Engine]]:
    graph, engine = FakeGraph(), Engine()
    env = gateway_env(database_url, graph.url, engine.url, RASA_TOKEN=RASA_TOKEN)
    gateway = Gateway(env, free_port(), tmp_path, prefix=f"test-logs-{free_port()}-")
    try:
        yield gateway.start(), graph, engine
    finally:
        gateway.stop()
        engine.close()
        graph.close()
        for service in gateway.services:
            service.log.unlink(missing_ok=True)


def test_the_logs_of_a_conversation_hold_no_secret_and_no_phone_number(
    channel: tuple[Gateway, FakeGraph, Engine],
) -> None:
    gateway, graph, engine = channel
    handshake = {"hub.mode": "subscribe", "hub.challenge": "4242"}
    assert (
        httpx.get(
            f"{gateway.url}/webhooks/whatsapp",
            params=handshake | {"hub.verify_token": VERIFY_TOKEN},
        ).text
        == "4242"
    )
    wrong = httpx.get(
        f"{gateway.url}/webhooks/whatsapp", params=handshake | {"hub.verify_token": "guess"}
    )
    assert wrong.status_code == 403
    assert gateway.post(webhooks.text(PHONE_NUMBER_ID, SHOPPER, "2 kilo atta")).status_code == 200
    wait_until(lambda: graph.messages(SHOPPER), "the engine's reply to reach the Graph API")
    # Outside the 24-hour window: the worker asks the engine for the shopper's language (the
    # tracker, with the token) and sends the template.
    shopper_wrote(OTHER, "en", wrote=None)
    notify(OTHER, "order_packed", {"order_id": 5}, "order:5:packed")
    wait_until(lambda: graph.messages(OTHER), "the notification to reach the Graph API")
    wait_until(lambda: engine.tracker_calls, "the worker to read a tracker with the token")
    not_understood = gateway.post(f'{{"object": "x", "entry": "{SHOPPER}"'.encode())
    assert not_understood.json() == {"received": 0, "understood": False}

    logs = {s.name: s.log.read_text(errors="replace") for s in gateway.services}
    worker = logs[gateway.worker.name]
    assert "HTTP Request" in worker and "whatsapp sent" in worker  # the lines that used to leak
    assert "GET /webhooks/whatsapp" in logs[gateway.api.name]
    for name, text in logs.items():
        for secret in (RASA_TOKEN, VERIFY_TOKEN, APP_SECRET, ACCESS_TOKEN, "guess"):
            assert secret not in text, f"{secret!r} in the log of {name}"
        for number in (SHOPPER, OTHER):
            assert number not in text, f"{number} in the log of {name}"
        assert "token=***" in text or name == gateway.api.name


def test_masking_keeps_what_the_formatters_need() -> None:
    secrets = secrets_of(Settings(rasa_token=RASA_TOKEN, whatsapp_verify_token="short"))
    assert RASA_TOKEN in secrets and "short" not in secrets  # too short to look for safely
    assert mask(f"sent to +{SHOPPER} at 1764000000", secrets) == (
        "sent to +********0077 at 1764000000"
    )
    assert mask(f"/x?a=1&token={RASA_TOKEN}", secrets) == "/x?a=1&token=***"
    assert mask("Authorization: Bearer EAAGm0PX4ZCps", secrets) == "Authorization: Bearer ***"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", f"/webhooks/whatsapp?hub.verify_token={RASA_TOKEN}", "1.1", 200),
        None,
    )
    made: Any = logging.getLogRecordFactory()  # the masking factory, installed by `api`
    masked = made(record.name, record.levelno, record.pathname, 1, record.msg, record.args, None)
    assert masked.args[2] == "/webhooks/whatsapp?hub.verify_token=***" and masked.args[4] == 200
    assert masked.getMessage().endswith('hub.verify_token=*** HTTP/1.1" 200')
