"""The simulator's 📷: a photo the page sent is served as the Graph API serves a shopper's
media (`GET /{version}/{media-id}` → URL → bytes, both only with the access token), so the
gateway's own Graph API client downloads it as it would from Meta."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.simulator.routes import MEDIA
from api.whatsapp.graph import GraphClient, GraphError, MediaTooLarge
from bot.settings import Settings, get_settings

TOKEN = "simulator-test-token"


@pytest.fixture
def client(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("WHATSAPP_WORKERS", "false")
    monkeypatch.setenv("EXPIRE_UNPAID_EVERY_SECONDS", "0")
    get_settings.cache_clear()
    from api.main import create_app

    with TestClient(create_app()) as c:
        yield c
    get_settings.cache_clear()


def test_a_photo_from_the_page_is_served_like_meta_media(client: TestClient) -> None:
    media_id = MEDIA.add(b"\x89PNG fake bytes", "image/png")
    assert client.get(f"/simulator/graph/v21.0/{media_id}").status_code == 401
    info = client.get(
        f"/simulator/graph/v21.0/{media_id}", headers={"Authorization": f"Bearer {TOKEN}"}
    ).json()
    assert info["file_size"] == 15 and info["mime_type"] == "image/png" and info["id"] == media_id
    url = httpx.URL(info["url"])
    assert client.get(url.path).status_code == 401
    got = client.get(url.path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert got.content == b"\x89PNG fake bytes" and got.headers["content-type"] == "image/png"


def test_the_gateways_client_downloads_it_within_its_limit(client: TestClient) -> None:
    media_id = MEDIA.add(bytes(5000), "image/jpeg")
    transport = httpx.ASGITransport(app=client.app)
    settings = Settings(
        whatsapp_graph_url="http://testserver/simulator/graph",
        whatsapp_access_token=TOKEN,
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
