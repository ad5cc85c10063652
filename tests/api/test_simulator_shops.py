"""The simulator chooses which shop (business number) the shopper writes to: the page lists
every shop's number, a message goes to the gateway as that number's webhook signed with that
shop's app secret, and each number's replies are a chat of their own in the feed."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.db.session import session_scope
from bot.settings import get_settings
from bot.shops.directory import create_shop
from tests.api.conftest import SIMULATOR_TOKEN
from tests.shop import start_server, stop_server

WA_ID = "919800000077"
EAST = "1000000002"


def _shops() -> None:
    settings = get_settings()
    with session_scope(write=True) as s:
        from bot.catalog.store import ensure_shop

        ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        create_shop(s, "east", "East Kirana", EAST, app_secret="east-app-secret",
                    access_token="east-token")  # fmt: skip


def _text(to: str, body: str) -> dict:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


def test_the_page_offers_every_shops_number(simulator: TestClient) -> None:
    _shops()
    page = simulator.get("/simulator").text
    platform = get_settings().whatsapp_phone_number_id
    assert f'<option value="{platform}"' in page
    assert f'<option value="{EAST}" data-name="East Kirana">East Kirana · {EAST}</option>' in page
    assert page.index(platform) < page.index(EAST)  # the default shop first


@pytest.mark.processes
def test_a_message_goes_as_the_chosen_numbers_signed_webhook(
    database_url: str, tmp_path: Path
) -> None:
    """Over real HTTP (the page's send posts the webhook to the server's own address)."""
    _shops()
    server = start_server(database_url, tmp_path / "api.log", WHATSAPP_WORKERS="false",
                          WHATSAPP_ACCESS_TOKEN=SIMULATOR_TOKEN)  # fmt: skip
    try:
        send = f"{server.url}/simulator/api/send"
        sent = httpx.post(send, json={"wa_id": WA_ID, "phone_number_id": EAST, "type": "text",
                                      "text": "2 kg atta"}, timeout=30).json()  # fmt: skip
        # 200: the gateway checked the signature with east's own app secret, which vouches for
        # east's number only
        assert sent["status"] == 200, sent
        metadata = sent["webhook"]["entry"][0]["changes"][0]["value"]["metadata"]
        assert metadata["phone_number_id"] == EAST
        default = httpx.post(
            send, json={"wa_id": WA_ID, "type": "text", "text": "hi"}, timeout=30
        ).json()
        assert default["status"] == 200
        value = default["webhook"]["entry"][0]["changes"][0]["value"]
        assert value["metadata"]["phone_number_id"] == get_settings().whatsapp_phone_number_id
        unknown = httpx.post(send, json={"wa_id": WA_ID, "phone_number_id": "999",
                                         "type": "text", "text": "hi"}, timeout=30)  # fmt: skip
        assert unknown.status_code == 404
    finally:
        stop_server(server)


def test_each_numbers_replies_are_a_chat_of_their_own(simulator: TestClient) -> None:
    _shops()
    platform = get_settings().whatsapp_phone_number_id
    graph = "/simulator/graph/v21.0/{}/messages"
    east = simulator.post(graph.format(EAST), json=_text(WA_ID, "from east"),
                          headers={"Authorization": "Bearer east-token"})  # fmt: skip
    assert east.status_code == 200, east.text
    own = simulator.post(graph.format(platform), json=_text(WA_ID, "from the default shop"),
                         headers={"Authorization": f"Bearer {SIMULATOR_TOKEN}"})  # fmt: skip
    assert own.status_code == 200, own.text
    wrong_token = simulator.post(graph.format(EAST), json=_text(WA_ID, "x"),
                                 headers={"Authorization": f"Bearer {SIMULATOR_TOKEN}"})  # fmt: skip
    assert wrong_token.status_code == 401
    assert simulator.post(graph.format("999"), json=_text(WA_ID, "x"),
                          headers={"Authorization": "Bearer east-token"}).status_code == 400  # fmt: skip

    def feed(number: str) -> list[str]:
        events = simulator.get(
            "/simulator/api/feed", params={"wa_id": WA_ID, "phone_number_id": number}
        ).json()["events"]
        return [e["body"]["text"]["body"] for e in events if e["kind"] == "message"]

    assert feed(EAST) == ["from east"]
    assert feed(platform) == ["from the default shop"]
    assert feed("") == ["from the default shop"]  # no number chosen: the platform's
