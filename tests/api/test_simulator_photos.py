"""The simulator's 📷: a photo the page sent is served as the Graph API serves a shopper's
media (`GET /{version}/{media-id}` → URL → bytes, both only with the access token), so the
gateway's own Graph API client downloads it as it would from Meta."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi.testclient import TestClient

from api.simulator.routes import MEDIA
from api.whatsapp.graph import GraphClient, GraphError, MediaTooLarge
from bot.settings import Settings
from tests.api.conftest import SIMULATOR_TOKEN


def test_a_photo_from_the_page_is_served_like_meta_media(simulator: TestClient) -> None:
    media_id = MEDIA.add(b"\x89PNG fake bytes", "image/png")
    assert simulator.get(f"/simulator/graph/v21.0/{media_id}").status_code == 401
    info = simulator.get(
        f"/simulator/graph/v21.0/{media_id}", headers={"Authorization": f"Bearer {SIMULATOR_TOKEN}"}
    ).json()
    assert info["file_size"] == 15 and info["mime_type"] == "image/png" and info["id"] == media_id
    url = httpx.URL(info["url"])
    assert simulator.get(url.path).status_code == 401
    got = simulator.get(url.path, headers={"Authorization": f"Bearer {SIMULATOR_TOKEN}"})
    assert got.content == b"\x89PNG fake bytes" and got.headers["content-type"] == "image/png"


def test_the_gateways_client_downloads_it_within_its_limit(simulator: TestClient) -> None:
    media_id = MEDIA.add(bytes(5000), "image/jpeg")
    transport = httpx.ASGITransport(app=simulator.app)
    settings = Settings(
        whatsapp_graph_url="http://testserver/simulator/graph",
        whatsapp_access_token=SIMULATOR_TOKEN,
    )

    async def fetch(limit: int, which: str = media_id) -> tuple[bytes, str]:
        graph = GraphClient(settings, http=httpx.AsyncClient(transport=transport))
        try:
            return await graph.media(which, limit)
        finally:
            await graph.aclose()

    data, mime = asyncio.run(fetch(10_000))
    assert data == bytes(5000) and mime == "image/jpeg"
    with pytest.raises(MediaTooLarge):
        asyncio.run(fetch(4000))
    with pytest.raises(GraphError):
        asyncio.run(fetch(10_000, "404"))
