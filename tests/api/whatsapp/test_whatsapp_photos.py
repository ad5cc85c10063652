"""A photo of a shopping list over the WhatsApp channel: fetched from the Graph API as Meta
documents it (media id → URL → bytes, both with the token), read by the gateway off the
webhook's path, what was read said first, and the lines sent to the engine as the shopper's
text. The engine is a stand-in HTTP server here (what reaches it is the point); the real
Tesseract reads real images from data/eval/lists."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from api.simulator import webhooks
from bot.catalog.sources import read_shop_catalog
from bot.catalog.store import ensure_shop, load_catalog
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.ocr import reading
from bot.ocr.recognise import available
from bot.settings import PROJECT_ROOT, get_settings
from tests.api.whatsapp.support import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    FakeGraph,
    channel_settings,
    wait_for_messages,
)
from tests.loopback import JsonHandler, serve
from tests.waiting import wait_until

pytestmark = pytest.mark.skipif(available() is not None, reason=f"{available()}")
LISTS = PROJECT_ROOT / "data" / "eval" / "lists"
SHOPPER = "919812300016"


class Engine:
    """Rasa's REST channel and tracker, answering every turn with one line and recording
    what it was told."""

    def __init__(self) -> None:
        self.turns: list[dict[str, Any]] = []
        engine = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.read_json()
                engine.turns.append(body)
                self.send_json(200, [{"recipient_id": body["sender"], "text": "Added."}])

            def do_GET(self) -> None:  # noqa: N802
                self.send_json(200, {"slots": {"language": "en"}, "events": []})

        self.server, self.url = serve(Handler)


@pytest.fixture
def engine() -> Iterator[Engine]:
    stand_in = Engine()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


@pytest.fixture
def client(
    database_url: str, monkeypatch: pytest.MonkeyPatch, graph: FakeGraph, engine: Engine
) -> Iterator[TestClient]:
    for k, v in channel_settings(graph.url, engine.url, WHATSAPP_OUTBOX_EVERY_SECONDS="0").items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    settings = get_settings()
    with session_scope(write=True) as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        load_catalog(s, shop, read_shop_catalog(settings.catalog_path))
    from api.main import create_app

    with TestClient(create_app()) as c:
        yield c
    get_settings.cache_clear()


def _send(client: TestClient, kind: str, media_id: str, mime: str) -> None:
    payload = webhooks.inbound(
        PHONE_NUMBER_ID, SHOPPER, "Asha", kind, {"id": media_id, "mime_type": mime}
    )
    body, headers = webhooks.signed(payload, APP_SECRET)
    assert client.post("/webhooks/whatsapp", content=body, headers=headers).status_code == 200


def _outcome() -> str | None:
    with session_scope() as s:
        row = s.scalars(select(WhatsAppInbox).where(WhatsAppInbox.kind == "message")).first()
        return row.outcome if row is not None and row.state == "done" else None


def test_a_photo_of_a_list_is_read_and_its_lines_reach_the_engine_as_typed(
    client: TestClient, graph: FakeGraph, engine: Engine
) -> None:
    graph.media["1016"] = ((LISTS / "latin-printed-02-clean.png").read_bytes(), "image/png")
    _send(client, "image", "1016", "image/png")
    said, answered = wait_for_messages(graph, SHOPPER, 2)
    assert said["text"]["body"].startswith("📷 I read 7 items on your list:\n1. vim bar 2\n")
    assert answered["text"]["body"] == "Added."
    [turn] = engine.turns
    assert turn["message"].split("\n") == [
        "vim bar 2", "biscuit 3 packet", "maggi 4 packet", "dahi 400 g", "lux soap 4",
        "basmati rice 5 kg", "tomato 1 kg",
    ]  # fmt: skip
    assert turn["sender"] == SHOPPER and turn["metadata"]["wamid"].startswith("wamid.")
    assert [r["path"] for r in graph.media_requests] == ["/v21.0/1016", "/_media/1016"]
    assert all(r["auth"] == f"Bearer {ACCESS_TOKEN}" for r in graph.media_requests)
    assert wait_until(_outcome, "the row to be done") == "photo:7_items"


def test_a_document_that_is_a_hindi_list_is_read_too(
    client: TestClient, graph: FakeGraph, engine: Engine
) -> None:
    graph.media["2016"] = ((LISTS / "devanagari-printed-01-clean.png").read_bytes(), "image/png")
    _send(client, "document", "2016", "image/png")
    said, _ = wait_for_messages(graph, SHOPPER, 2)
    assert said["text"]["body"].startswith("📷 I read 7 items")
    assert engine.turns[0]["message"].split("\n")[:2] == ["आटा 5 किलो", "धनिया पाउडर 200 ग्राम"]


def test_a_photo_with_no_list_gets_a_polite_reply_and_no_engine_turn(
    client: TestClient, graph: FakeGraph, engine: Engine
) -> None:
    blank = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 180, 150)).save(blank, "JPEG")
    graph.media["3016"] = (blank.getvalue(), "image/jpeg")
    _send(client, "image", "3016", "image/jpeg")
    [said] = wait_for_messages(graph, SHOPPER, 1)
    assert said["text"]["body"].startswith("I couldn't find a shopping list in this photo.")
    assert wait_until(_outcome, "the row to be done") == "photo_no_list"
    assert engine.turns == []


def test_a_photo_over_the_size_limit_is_refused_unread(
    client: TestClient, graph: FakeGraph, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_BYTES", 2**20)
    graph.media["4016"] = (b"\xff\xd8" + bytes(2**20 + 10), "image/jpeg")
    _send(client, "image", "4016", "image/jpeg")
    [said] = wait_for_messages(graph, SHOPPER, 1)
    assert said["text"]["body"].startswith("That file is too large for me to read.")
    assert [r["path"] for r in graph.media_requests] == ["/v21.0/4016"]  # never downloaded
    assert engine.turns == []


def test_what_is_not_a_picture_is_answered_politely(
    client: TestClient, graph: FakeGraph, engine: Engine
) -> None:
    graph.media["5016"] = (Path(__file__).read_bytes(), "image/png")
    _send(client, "image", "5016", "image/png")
    [said] = wait_for_messages(graph, SHOPPER, 1)
    assert said["text"]["body"].startswith("Sorry, I couldn't open that photo.")
    assert engine.turns == []


def _list_photo(*lines: str) -> bytes:
    """A sheet with `lines` printed large and straight: what Tesseract reads surely, so that
    only a misspelt word makes a line unsure."""
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 48)
    sheet = Image.new("L", (900, 120 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(sheet)
    for n, line in enumerate(lines):
        draw.text((60, 60 + 90 * n), line, font=font, fill=0)
    out = io.BytesIO()
    sheet.save(out, "PNG")
    return out.getvalue()


def test_an_unsure_line_is_offered_to_tap_not_put_in_the_cart(
    client: TestClient, graph: FakeGraph, engine: Engine
) -> None:
    graph.media["5016"] = (_list_photo("atta 5 kg", "RAIMA 1 KG"), "image/png")
    _send(client, "image", "5016", "image/png")
    said, asked, answered = wait_until(
        lambda: (found := graph.messages(SHOPPER)) and len(found) >= 3 and found,
        "what was read, the question about the unsure line and the engine's answer",
    )[:3]
    assert said["text"]["body"].startswith("📷 I read 2 items on your list:")
    assert asked["type"] == "interactive", asked
    assert asked["interactive"]["body"]["text"].startswith("I'm not sure I read these right")
    [button] = asked["interactive"]["action"]["buttons"]
    mended = button["reply"]["title"]
    assert mended.lower() == "rajma 1 kg", mended
    assert answered["text"]["body"] == "Added."
    [turn] = engine.turns
    assert turn["message"] == "atta 5 kg"  # the misspelt line is not in the cart unasked

    tap = webhooks.inbound(
        PHONE_NUMBER_ID,
        SHOPPER,
        "Asha",
        "interactive",
        {"type": "button_reply", "button_reply": {"id": button["reply"]["id"], "title": mended}},
    )
    body, headers = webhooks.signed(tap, APP_SECRET)
    assert client.post("/webhooks/whatsapp", content=body, headers=headers).status_code == 200
    second = wait_until(lambda: engine.turns[1:], "the tapped line to reach the engine")
    assert second[0]["message"] == mended  # as if the shopper had typed it
