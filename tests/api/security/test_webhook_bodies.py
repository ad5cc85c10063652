"""Webhook bodies an attacker shapes: a signed JSON bomb nested past any real delivery answers
200 "not understood" (never 500, which Meta would retry for a week) and stores nothing; a body
over the cap is refused with 413 by a real server while the client is still sending it — from
Content-Length, or from the bytes of a chunked body — not after it was read whole."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.routes.whatsapp import MAX_BODY
from api.whatsapp.signature import sign
from bot.settings import get_settings
from tests.api.whatsapp.support import APP_SECRET, channel_settings, inbox_states
from tests.shop import LiveServer, start_server, stop_server

NO_ENGINE = "http://127.0.0.1:9"
NO_GRAPH = "http://127.0.0.1:9"
# The answer to a refused upload arrives within a busy machine's scheduling delay; an endpoint
# that waits for the rest of a body that never comes does not answer at all.
ANSWER_SECONDS = 60.0


@pytest.fixture
def client(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    for name, value in channel_settings(NO_GRAPH, NO_ENGINE, WHATSAPP_WORKERS="false").items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    from api.main import create_app

    with TestClient(create_app()) as c:
        yield c
    get_settings.cache_clear()


def _post(client: TestClient, body: bytes) -> dict[str, object]:
    r = client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)},
    )
    assert r.status_code == 200, r.text
    answer: dict[str, object] = r.json()
    return answer


@pytest.mark.parametrize("depth", [100_000, 3_000])
def test_a_signed_json_bomb_is_not_understood(client: TestClient, depth: int) -> None:
    assert _post(client, b"[" * depth + b"]" * depth) == {"received": 0, "understood": False}


def test_a_delivery_with_a_deeply_nested_field_is_not_understood(client: TestClient) -> None:
    """Extra fields are kept with the delivery, so one nested 500 deep would reach the inbox
    and whatever reads it; it stops here."""
    nested = "[" * 500 + "]" * 500
    body = (
        '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages",'
        '"value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"1"},'
        f'"statuses":[],"bomb":{nested}}}}}]}}]}}'
    ).encode()
    assert _post(client, body) == {"received": 0, "understood": False}
    assert inbox_states(get_settings().database_url) == []


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module's refusals (they store nothing), on a database of its own."""
    where = tmp_path_factory.mktemp("bodies")
    live = start_server(
        f"sqlite:///{where / 'chatcart.db'}",
        where / "uvicorn.log",
        **channel_settings(NO_GRAPH, NO_ENGINE, WHATSAPP_WORKERS="false"),
    )
    yield live
    stop_server(live)


def _answer_while_sending(url: str, head: bytes, chunks: Iterator[bytes]) -> bytes:
    """Send `head` and then `chunks` (never the end of the body), and return what the server
    answers; a server that waits for the rest of the body times the read out."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=ANSWER_SECONDS) as sock:
        sock.sendall(head)
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except OSError:
            pass  # the server refused and closed while we were still sending: what we want
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                got = sock.recv(65536)
                if not got:
                    break
                answer += got
        except TimeoutError:
            pytest.fail(f"no answer in {ANSWER_SECONDS:g} s while the body was still coming")
        return answer


@pytest.mark.parametrize("path", ["/webhooks/whatsapp", "/api/v1/payments/webhooks/sandbox"])
def test_a_declared_large_body_is_refused_before_it_is_sent(server: LiveServer, path: str) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Hub-Signature-256: sha256=00\r\nContent-Length: {100 * MAX_BODY}\r\n\r\n"
    ).encode()
    answer = _answer_while_sending(server.url, head, iter([b"[" * 1000]))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_chunked_body_is_refused_once_it_passes_the_cap(server: LiveServer) -> None:
    head = (
        b"POST /webhooks/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
        b"\r\nX-Hub-Signature-256: sha256=00\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"[" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    answer = _answer_while_sending(server.url, head, iter([chunk] * (MAX_BODY // len(piece) + 8)))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
