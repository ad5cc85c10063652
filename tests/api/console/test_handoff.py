"""The handoff inbox pages: a reply reaches the shopper through the Graph API (a real local
server standing in for Meta), hand-back goes to the engine's tracker API (a real local server
standing in for Rasa), and another shop's merchant reaches neither."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.catalog.store import ensure_shop
from bot.db.models import ReviewItem
from bot.db.review_models import HandoffEvent
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing
from bot.review.service import record
from bot.settings import get_settings
from tests.api.console.conftest import Console, log_in, make_merchant, session_csrf
from tests.api.whatsapp.support import ACCESS_TOKEN, PHONE_NUMBER_ID, FakeGraph
from tests.bot.handoff.fake_engine import FakeEngine
from tests.waiting import holds_for

WA = "919811112222"


@pytest.fixture
def meta() -> Iterator[FakeGraph]:
    graph = FakeGraph()
    yield graph
    graph.close()


@pytest.fixture
def rasa() -> Iterator[FakeEngine]:
    engine = FakeEngine(token="engine-token")
    yield engine
    engine.close()


@pytest.fixture
def wired(
    database_url: str, meta: FakeGraph, rasa: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings pointing at the two stand-ins, set before the app is made."""
    for key, value in {
        "WHATSAPP_GRAPH_URL": meta.url,
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_BACKOFF_SECONDS": "0.01",
        "RASA_URL": rasa.url,
        "RASA_TOKEN": "engine-token",
        "WHATSAPP_OUTBOX_EVERY_SECONDS": "0",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


def flagged(shop_id: int, wa_id: str = WA, *, wrote_hours_ago: float = 0.1) -> None:
    """A shopper who wrote on WhatsApp and asked for a person, as the gateway and actions record it."""
    at = datetime.now(UTC) - timedelta(hours=wrote_hours_ago)
    with session_scope(write=True) as s:
        s.add(
            WhatsAppInbox(
                key=f"wamid.{wa_id}.{at.timestamp()}",
                kind="message",
                type="text",
                wa_id=wa_id,
                phone_number_id=PHONE_NUMBER_ID,
                state="done",
                received_at=at,
                payload={"message": {"timestamp": str(int(at.timestamp())), "type": "text"}},
            )
        )
        record(
            s,
            shop_id,
            kind="handoff",
            text="dukaan wale se baat karao",
            language="hinglish",
            prediction="human_handoff",
            conversation_id=wa_id,
        )
        record(
            s,
            shop_id,
            kind="handoff",
            text="mera order galat aaya",
            language="hinglish",
            prediction="add_items",
            conversation_id=wa_id,
            details={"during_handoff": True},
        )


def test_the_inbox_and_a_conversation(
    wired: None, shop_id: int, console: Console, rasa: FakeEngine
) -> None:
    assert "No one is waiting" in console.get("/merchant/handoff").text
    flagged(shop_id)
    rasa.said(
        WA,
        ("user", "dukaan wale se baat karao"),
        ("bot", "Maine shop se kisi ko reply karne ko bola hai."),
        ("user", "mera order galat aaya"),
    )
    page = console.get("/merchant/handoff")
    assert f'data-conversation="{WA}"' in page.text and "“mera order galat aaya”" in page.text
    assert "2 messages" in page.text
    chat = console.get(f"/merchant/handoff/{WA}")
    assert chat.status_code == 200
    texts = chat.text
    assert (
        texts.index("dukaan wale se baat karao")
        < texts.index("Maine shop se kisi")
        < texts.index("mera order galat aaya")
    )
    assert "The bot is keeping quiet" in texts and 'id="reply-form"' in texts
    assert console.get("/merchant/handoff/919800000000").status_code == 404

    rasa.close()  # the engine goes away: the page still shows what was recorded
    down = console.get(f"/merchant/handoff/{WA}")
    assert (
        down.status_code == 200
        and "did not answer" in down.text
        and "mera order galat aaya" in down.text
    )


def test_reply_as_the_shop_reaches_the_shopper(
    wired: None, shop_id: int, console: Console, meta: FakeGraph
) -> None:
    flagged(shop_id)
    sent = console.post(
        f"/merchant/handoff/{WA}/reply", {"text": "Namaste! Kaunsa item galat aaya?"}
    )
    assert sent.status_code == 303, sent.text
    [message] = meta.messages(WA)
    assert (
        message["type"] == "text" and message["text"]["body"] == "Namaste! Kaunsa item galat aaya?"
    )
    assert any(
        r["auth"] == f"Bearer {ACCESS_TOKEN}" and PHONE_NUMBER_ID in r["path"]
        for r in meta.requests
    )
    with session_scope() as s:
        event = s.scalar(select(HandoffEvent))
        out = s.get(WhatsAppOutgoing, event.outgoing_id)
        assert (event.kind, event.merchant_user_id is not None) == ("reply", True)
        assert out.state == "sent" and out.wamid and out.wamid.startswith("wamid.FAKE")
    page = console.get(f"/merchant/handoff/{WA}").text
    assert "Kaunsa item galat aaya?" in page and "Owner (shop)" in page

    meta.script = [(400, {"error": {"code": 131047, "message": "Re-engagement message"}})]
    refused = console.post(f"/merchant/handoff/{WA}/reply", {"text": "Hello again"})
    assert refused.status_code == 502 and "did not take the reply" in refused.text
    assert "Hello again</textarea>" in refused.text  # the draft is kept
    empty = console.post(f"/merchant/handoff/{WA}/reply", {"text": "   "})
    assert empty.status_code == 422 and "the reply is empty" in empty.text
    with session_scope() as s:
        assert [
            o.state for o in s.scalars(select(WhatsAppOutgoing).order_by(WhatsAppOutgoing.id))
        ] == ["sent", "failed"]


def test_no_reply_outside_the_window_or_off_whatsapp(
    wired: None, shop_id: int, console: Console, meta: FakeGraph
) -> None:
    flagged(shop_id, wrote_hours_ago=30)
    late = console.post(f"/merchant/handoff/{WA}/reply", {"text": "sorry for the delay"})
    assert late.status_code == 409 and "within 24 hours" in late.text
    with session_scope(write=True) as s:
        record(s, shop_id, kind="handoff", text="human please", conversation_id="terminal-user")
    offline = console.post("/merchant/handoff/terminal-user/reply", {"text": "hello"})
    assert offline.status_code == 409 and "never written to the shop" in offline.text
    assert meta.messages() == []


def test_hand_back_to_the_bot(
    wired: None, shop_id: int, console: Console, rasa: FakeEngine
) -> None:
    flagged(shop_id)
    rasa.said(WA, ("user", "dukaan wale se baat karao"))
    rasa.fail_with = 503
    failed = console.post(f"/merchant/handoff/{WA}/release")
    assert failed.status_code == 503 and "Not handed back" in failed.text
    rasa.fail_with = None
    done = console.post(f"/merchant/handoff/{WA}/release")
    assert done.status_code == 303 and done.headers["location"].startswith(
        "/merchant/handoff?notice="
    )
    assert rasa.posted == [(WA, {"event": "slot", "name": "handoff", "value": False})]
    assert rasa.tracker(WA)["slots"]["handoff"] is False
    assert "No one is waiting" in console.get("/merchant/handoff").text
    page = console.get(f"/merchant/handoff/{WA}").text
    assert (
        "With the bot" in page and "Handed back by Owner" in page and 'id="reply-form"' not in page
    )


def test_another_shops_merchant_reaches_nothing(
    wired: None, shop_id: int, console: Console, meta: FakeGraph, rasa: FakeEngine
) -> None:
    from api.main import create_app

    flagged(shop_id)
    with session_scope(write=True) as s:
        other = ensure_shop(s, "other", "Other Kirana").id
    make_merchant(other, "ravi")
    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        assert log_in(client, "ravi").status_code == 303
        intruder = Console(client, "ravi", session_csrf("ravi"))
        assert WA not in intruder.get("/merchant/handoff").text
        assert intruder.get(f"/merchant/handoff/{WA}").status_code == 404
        assert intruder.post(f"/merchant/handoff/{WA}/reply", {"text": "hi"}).status_code == 404
        assert intruder.post(f"/merchant/handoff/{WA}/release").status_code == 404
    holds_for(
        lambda: meta.messages() == [] and rasa.posted == [],
        0.1,
        "nothing sent to Meta or the engine",
    )
    with session_scope() as s:
        assert set(s.scalars(select(ReviewItem.status))) == {"open"}


def test_reply_when_the_gateway_runs_in_another_process(
    wired: None, shop_id: int, meta: FakeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WHATSAPP_WORKERS=false (`chatcart whatsapp worker` sends the rest): the page sends with a
    Graph API client of its own."""
    from api.main import create_app

    monkeypatch.setenv("WHATSAPP_WORKERS", "false")
    get_settings.cache_clear()
    flagged(shop_id)
    make_merchant(shop_id)
    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        assert getattr(client.app.state, "whatsapp", None) is None
        assert log_in(client, "owner").status_code == 303
        console = Console(client, "owner", session_csrf("owner"))
        assert (
            console.post(
                f"/merchant/handoff/{WA}/reply", {"text": "Aapka order theek kar diya"}
            ).status_code
            == 303
        )
    assert [m["text"]["body"] for m in meta.messages(WA)] == ["Aapka order theek kar diya"]
