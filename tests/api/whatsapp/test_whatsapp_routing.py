"""A delivery finds its shop by the business number it names: a number no shop owns is kept,
flagged and answered nowhere; a shop on a Meta app of its own signs with that app's secret,
which vouches for its own number only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.simulator import webhooks
from api.whatsapp import routing
from api.whatsapp.signature import sign
from bot.catalog.store import ensure_shop
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.settings import get_settings
from bot.shops.directory import create_shop
from tests.api.whatsapp.support import APP_SECRET, PHONE_NUMBER_ID, FakeGraph, channel_settings
from tests.waiting import wait_until

OWN_NUMBER = "200000000000002"
OWN_SECRET = "the-dairys-own-app-secret"
SHARED_NUMBER = "200000000000005"  # a shop on the platform's app
UNKNOWN_NUMBER = "300000000000003"


@pytest.fixture
def app_client(
    database_url: str, monkeypatch: pytest.MonkeyPatch, graph: FakeGraph
) -> Iterator[TestClient]:
    """The API with the gateway in its process (no engine: these messages never reach one),
    the default shop on the platform's number and two more shops."""
    for k, v in channel_settings(graph.url, "http://127.0.0.1:9").items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    settings = get_settings()
    with session_scope(write=True) as s:
        ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        create_shop(s, "dudh", "Dudh Dairy", OWN_NUMBER, app_secret=OWN_SECRET)
        create_shop(s, "sabzi", "Sabzi Wala", SHARED_NUMBER)
    from api.main import create_app

    with TestClient(create_app()) as client:
        yield client
    get_settings.cache_clear()


def _post(client: TestClient, payload: dict, secret: str) -> int:
    body, _ = webhooks.signed(payload, secret)
    return client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)},
    ).status_code


def _rows(wa_id: str) -> list[tuple[str, str | None, str]]:
    with session_scope() as s:
        rows = s.scalars(select(WhatsAppInbox).where(WhatsAppInbox.wa_id == wa_id)).all()
        return [(r.state, r.outcome, r.phone_number_id) for r in rows]


def test_a_message_to_a_number_no_shop_owns_is_kept_flagged_and_answered_nowhere(
    app_client: TestClient, graph: FakeGraph
) -> None:
    wa_id = "919800015001"
    assert _post(app_client, webhooks.text(UNKNOWN_NUMBER, wa_id, "2 kg atta"), APP_SECRET) == 200
    wait_until(
        lambda: _rows(wa_id) == [("done", routing.UNKNOWN_NUMBER, UNKNOWN_NUMBER)],
        "the message to an unknown number marked done, unknown_number",
        explain=lambda: repr(_rows(wa_id)),
    )
    assert not [r for r in graph.requests if r["body"].get("to") == wa_id]
    assert not [r for r in graph.requests if UNKNOWN_NUMBER in r["path"]]


def test_numbers_find_their_shops(app_client: TestClient) -> None:
    settings = get_settings()
    found = {n: routing.find(n, settings) for n in (PHONE_NUMBER_ID, OWN_NUMBER, SHARED_NUMBER)}
    assert {n: ref.slug for n, ref in found.items() if ref} == {
        PHONE_NUMBER_ID: settings.default_shop_slug,
        OWN_NUMBER: "dudh",
        SHARED_NUMBER: "sabzi",
    }
    assert {ref.number for ref in found.values() if ref} == set(found)
    assert routing.find(UNKNOWN_NUMBER, settings) is None


def test_a_shops_own_app_secret_signs_for_its_own_number_only(app_client: TestClient) -> None:
    wa_id = "919800015002"
    own = webhooks.text(OWN_NUMBER, wa_id, "hello")
    assert _post(app_client, own, OWN_SECRET) == 200
    assert _post(app_client, webhooks.text(OWN_NUMBER, wa_id, "hi"), "forged") == 401
    for number in (SHARED_NUMBER, PHONE_NUMBER_ID, UNKNOWN_NUMBER):
        assert _post(app_client, webhooks.text(number, wa_id, "hi"), OWN_SECRET) == 401
    both = webhooks.text(OWN_NUMBER, wa_id, "hi")
    both["entry"] += webhooks.text(SHARED_NUMBER, wa_id, "hi")["entry"]
    assert _post(app_client, both, OWN_SECRET) == 401
    wait_until(
        lambda: [n for _, _, n in _rows(wa_id)] == [OWN_NUMBER],
        "only the message its own app signed stored",
        explain=lambda: repr(_rows(wa_id)),
    )
