"""The simulator shows a template notification as the shopper would read it: the gateway's own
Graph API client sends the real template message to the capture endpoint, and the page's feed
carries the approved body with its parameters filled in (it once answered 500 for every one)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi.testclient import TestClient

from api.whatsapp.graph import GraphClient
from api.whatsapp.templates import template_message
from bot.settings import Settings
from tests.api.conftest import SIMULATOR_TOKEN

WA_ID = "919800000042"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "#7"),
        ("hi", "ऑर्डर #7"),
    ],
)
def test_a_template_send_shows_its_filled_body(
    simulator: TestClient, language: str, expected: str
) -> None:
    settings = Settings(
        whatsapp_graph_url="http://testserver/simulator/graph",
        whatsapp_access_token=SIMULATOR_TOKEN,
    )
    message = template_message(
        "order_paid", {"order_id": 7, "total_paise": 12345}, language, settings
    )
    transport = httpx.ASGITransport(app=simulator.app)

    async def send() -> str:
        graph = GraphClient(settings, http=httpx.AsyncClient(transport=transport))
        try:
            return await graph.send(message.request(WA_ID))
        finally:
            await graph.aclose()

    wamid = asyncio.run(send())
    assert wamid.startswith("wamid.")
    events = simulator.get("/simulator/api/feed", params={"wa_id": WA_ID}).json()["events"]
    shown = [e for e in events if e.get("wamid") == wamid]
    assert len(shown) == 1 and shown[0]["body"]["type"] == "template"
    preview = shown[0]["preview"]
    assert preview and expected in preview and "₹123.45" in preview
    assert "{{" not in preview
