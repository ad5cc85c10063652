"""The channel end to end with the real assistant: webhook → the API (acknowledges into the
inbox) → the WhatsApp worker (its own process) → Rasa engine → action server → Graph API (a
real local HTTP server). Every request the gateway makes is checked against Meta's documented
limits. Fault tests: the same webhook five times, the worker killed mid-conversation while the
API keeps acknowledging, Graph API errors."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from api.simulator import webhooks
from api.whatsapp.render import check
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing
from bot.settings import get_settings
from bot.shops.directory import create_shop, shop_for_number
from tests.api.whatsapp.support import (
    PHONE_NUMBER_ID,
    FakeGraph,
    Gateway,
    choose,
    gateway_env,
    inbox_settled,
    inbox_states,
)
from tests.conftest import shared_path
from tests.processes import ENGINE_GROUP, Assistant
from tests.shop import free_port, load_shop
from tests.waiting import holds_for

pytestmark = ENGINE_GROUP
ADDRESS = "Flat 302, Shanti Apartments, Andheri East, Mumbai 400069"


# Session-scoped, though used by this module alone: xdist interleaves the engine group's modules
# on one worker, and a module-scoped gateway was torn down and started again (a minute each).
@pytest.fixture(scope="session")
def graph() -> Iterator[FakeGraph]:
    server = FakeGraph()
    yield server
    server.close()


@pytest.fixture(scope="session")
def gateway(
    assistant: Assistant, graph: FakeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    load_shop(assistant.database_url)
    gw = Gateway(
        gateway_env(assistant.database_url, graph.url, assistant.url),
        free_port(),
        tmp_path_factory.mktemp("gateway"),
    ).start()
    yield gw
    gw.stop()


@pytest.fixture(autouse=True)
def processing(gateway: Gateway) -> None:
    """The simulator's tests share the assistant's database and take its worker over."""
    gateway.resume()


def tracker_wamids(assistant: Assistant, wa_id: str) -> list[str]:
    events = httpx.get(
        f"{assistant.url}/conversations/{wa_id}/tracker",
        params={"include_events": "ALL"},
        timeout=30,
    ).json()["events"]
    return [(e.get("metadata") or {}).get("wamid") for e in events if e.get("event") == "user"]


class Shopper:
    def __init__(self, gw: Gateway, graph: FakeGraph, db: str, wa_id: str) -> None:
        self.gw, self.graph, self.db, self.wa_id = gw, graph, db, wa_id
        self.seen = 0

    def send(self, payload: dict) -> list[dict]:
        assert self.gw.post(payload).status_code == 200
        assert inbox_settled(self.db)
        replies = self.graph.messages(self.wa_id)[self.seen :]
        self.seen += len(replies)
        return replies

    def say(self, text: str) -> list[dict]:
        return self.send(webhooks.text(PHONE_NUMBER_ID, self.wa_id, text, "Asha"))

    def tap(self, message: dict, prefer=None) -> list[dict]:
        kind, reply_id, title = choose(message, prefer)
        return self.send(webhooks.reply(PHONE_NUMBER_ID, self.wa_id, kind, reply_id, title))


def body_text(m: dict) -> str:
    return (
        m["text"]["body"]
        if m["type"] == "text"
        else m.get("interactive", {}).get("body", {}).get("text", "")
    )


def order_through(shopper: Shopper, first: str) -> list[dict]:
    """Answer every question like a shopper until the order is placed; all the replies."""
    replies = shopper.say(first)
    everything = list(replies)
    prefer = lambda title: bool(re.search(r"cash|yes|haan|checkout|हाँ", title, re.I))  # noqa: E731
    for _ in range(15):
        if any(re.search(r"Order #\d+", body_text(m)) for m in replies):
            return everything
        last = replies[-1]
        if last["type"] == "interactive":
            replies = shopper.tap(last, prefer)
        elif re.search(r"address|PIN|deliver", body_text(last), re.I):
            replies = shopper.say(ADDRESS)
        else:
            replies = shopper.say("checkout")
        everything += replies
    raise AssertionError(
        "no order placed: " + json.dumps([body_text(m) for m in everything], ensure_ascii=False)
    )


def test_a_full_conversation_places_an_order_with_valid_cloud_api_messages(
    gateway: Gateway, graph: FakeGraph, assistant: Assistant
) -> None:
    shopper = Shopper(gateway, graph, assistant.database_url, "919800000001")
    everything = order_through(shopper, "2 kg atta and milk")
    assert any(m["type"] == "interactive" for m in everything)
    with session_scope(assistant.database_url) as s:  # taps came back as the payloads offered
        taps = s.scalars(
            select(WhatsAppInbox).where(
                WhatsAppInbox.wa_id == shopper.wa_id, WhatsAppInbox.type == "interactive"
            )
        ).all()
    assert taps and all(t.outcome in ("payload", "next_page") for t in taps)
    assert any(
        t.payload.get("forward", "").startswith(
            ("/choose_option", "/inform", "/affirm", "/checkout")
        )
        for t in taps
    )
    requests = [q["body"] for q in graph.requests]
    assert all(check(b) == [] for b in requests), [check(b) for b in requests if check(b)]
    reads = [b for b in requests if b.get("status") == "read"]
    assert reads and all(b["message_id"].startswith("wamid.SIM") for b in reads)
    with session_scope(assistant.database_url) as s:
        rows = s.scalars(
            select(WhatsAppOutgoing).where(WhatsAppOutgoing.wa_id == shopper.wa_id)
        ).all()
        assert rows and all(r.state == "sent" and r.wamid for r in rows)
        from bot.db.models import Order

        assert s.scalar(
            select(Order).join(Order.customer).where(Order.customer.has(wa_id=shopper.wa_id))
        )


def test_the_same_webhook_delivered_five_times_gets_one_reply(
    gateway: Gateway, graph: FakeGraph, assistant: Assistant
) -> None:
    wa_id = "919800000002"
    payload = webhooks.text(PHONE_NUMBER_ID, wa_id, "hi")
    for _ in range(5):
        assert gateway.post(payload).status_code == 200
    assert inbox_settled(assistant.database_url)
    wamid = payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    holds_for(
        lambda: tracker_wamids(assistant, wa_id) == [wamid], 0.5, "one message in the tracker"
    )
    with session_scope(assistant.database_url) as s:
        rows = s.scalars(select(WhatsAppInbox).where(WhatsAppInbox.wa_id == wa_id)).all()
    assert len(rows) == 1
    sent = graph.messages(wa_id)
    assert sent and len(sent) == len({json.dumps(m, sort_keys=True) for m in sent})


def _unique_ids(delivery: dict, suffix: str) -> dict:
    """pywa's named fixtures reuse one id ("wamid.xyzxyz") for every message type; Meta's ids
    are unique, and the gateway rightly takes a repeated id for a retry. Each named case gets
    its own id so that every type is handled, not deduplicated."""
    copy = json.loads(json.dumps(delivery))
    for entry in copy["entry"]:
        for change in entry["changes"]:
            for item in change["value"].get("messages", []) + change["value"].get("statuses", []):
                item["id"] = f"{item['id']}.{suffix}"
    return copy


def _numbers(delivery: dict) -> set[str]:
    return {
        change["value"]["metadata"]["phone_number_id"]
        for entry in delivery.get("entry", [])
        for change in entry.get("changes", [])
        if "metadata" in change.get("value", {})
    }


def test_real_payloads_are_accepted_and_handled(gateway: Gateway, assistant: Assistant) -> None:
    """Every business number the real payloads were written to is a shop's here (a number no
    shop owns is answered nowhere: tests/api/whatsapp/test_whatsapp_routing.py)."""
    folder = shared_path("whatsapp")
    bodies = [
        path.read_bytes()  # the exact bytes, as Meta sent them
        for path in sorted(folder.glob("inbound_*.json"))
        + sorted(folder.glob("kairon_*.json"))
        + sorted(folder.glob("status_*.json"))
    ]
    for path in sorted((folder / "pywa").glob("*.json")):
        for name, delivery in json.loads(path.read_text()).items():
            if isinstance(delivery, dict) and "object" in delivery:
                bodies.append(json.dumps(_unique_ids(delivery, f"{path.stem}.{name}")).encode())
    numbers = {
        number
        for body in bodies
        for number in _numbers(json.loads(body))
        if number.isdigit() and number != PHONE_NUMBER_ID  # not a "<PHONE_NUMBER_ID>"
    }
    with session_scope(assistant.database_url, write=True) as s:
        for index, number in enumerate(sorted(numbers)):
            if shop_for_number(s, number, get_settings()) is None:
                create_shop(s, f"real-payloads-{index}", f"Shop of {number}", number)
    for body in bodies:
        assert gateway.post(body).status_code == 200
    assert len(bodies) > 40
    assert inbox_settled(assistant.database_url, timeout=180)
    with session_scope(assistant.database_url) as s:
        rows = s.scalars(
            select(WhatsAppInbox).where(WhatsAppInbox.phone_number_id != PHONE_NUMBER_ID)
        ).all()
    assert rows and all(r.state == "done" for r in rows), [
        (r.key, r.state, r.last_error) for r in rows if r.state != "done"
    ]
    outcomes = {r.outcome for r in rows}
    assert {
        "polite:audio",
        "photo_refused",  # the real payloads' media ids are not on the fake Graph API
        "polite:sticker",
        "polite:video",
        "polite:unsupported",
        "text",
        "unknown_choice",
        "quick_reply",
        "system",
        "unreaction",
    } <= outcomes, outcomes
    assert any(o.startswith("order") for o in outcomes)
    assert any(o.startswith("location") for o in outcomes)
    assert {r.kind for r in rows} == {"message", "status", "payment"}


def test_graph_api_faults_500_retried_400_not(
    gateway: Gateway, graph: FakeGraph, assistant: Assistant
) -> None:
    shopper = Shopper(gateway, graph, assistant.database_url, "919800000003")
    graph.script = [(200, {"success": True}), (500, {"error": {"message": "Internal", "code": 2}})]
    replies = shopper.say("hi")  # mark-as-read, then the reply: 500 once, then delivered
    assert replies
    answered = [q["answered"] for q in graph.requests if q["body"].get("to") == shopper.wa_id]
    assert 500 in answered and answered[-1] == 200
    graph.script = [
        (200, {"success": True}),
        (400, {"error": {"message": "(#131009) Parameter value is not valid", "code": 131009}}),
    ]
    before = len(graph.requests)
    shopper.say("show my cart")
    bodies = [q for q in graph.requests[before:] if q["body"].get("to") == shopper.wa_id]
    assert bodies[0]["answered"] == 400
    assert sum(1 for q in bodies if q["body"] == bodies[0]["body"]) == 1  # not retried
    with session_scope(assistant.database_url) as s:
        failed = s.scalars(
            select(WhatsAppOutgoing).where(
                WhatsAppOutgoing.wa_id == shopper.wa_id, WhatsAppOutgoing.state == "failed"
            )
        ).all()
    assert len(failed) == 1 and "131009" in (failed[0].error or "")


def _states(database_url: str, wa_id: str) -> list[str]:
    return inbox_states(database_url, wa_id)


def test_gateway_killed_mid_processing_loses_and_doubles_nothing(
    gateway: Gateway, graph: FakeGraph, assistant: Assistant
) -> None:
    """The worker is killed while a message is with the engine; the API alone keeps
    acknowledging (Meta's retries, and a new message); then the API is killed too, and both
    start again."""
    wa_id = "919800000004"
    said = ["hi", "2 kg atta", "1 litre milk", "show my cart", "5 kg sugar", "clear my cart"]
    payloads = [webhooks.text(PHONE_NUMBER_ID, wa_id, text) for text in said]
    wamids = [p["entry"][0]["changes"][0]["value"]["messages"][0]["id"] for p in payloads]
    for p in payloads[:-1]:
        assert gateway.post(p).status_code == 200  # acknowledged: in the inbox
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # some handled, one with the engine, the rest waiting
        states = _states(assistant.database_url, wa_id)
        if "done" in states and "forwarding" in states:
            break
        time.sleep(0.01)
    else:
        raise AssertionError(f"never caught a message with the engine: {states}")
    gateway.kill(gateway.worker)
    for p in payloads:  # the intake without its worker: Meta's retries and one new message
        assert gateway.post(p).status_code == 200
    states = _states(assistant.database_url, wa_id)
    assert len(states) == len(said) and states[-1] == "pending"  # acknowledged, not processed
    gateway.kill(gateway.api)
    gateway.start()
    for p in payloads:  # Meta retries what it may not have seen acknowledged
        assert gateway.post(p).status_code == 200
    assert inbox_settled(assistant.database_url, timeout=180)
    assert tracker_wamids(assistant, wa_id) == wamids  # every message, once, in order
    with session_scope(assistant.database_url) as s:
        rows = s.scalars(
            select(WhatsAppInbox).where(WhatsAppInbox.wa_id == wa_id).order_by(WhatsAppInbox.id)
        ).all()
        outgoing = s.scalars(select(WhatsAppOutgoing).where(WhatsAppOutgoing.wa_id == wa_id)).all()
    assert [r.state for r in rows] == ["done"] * len(said)
    sent_ids = [o.wamid for o in outgoing if o.state == "sent"]
    assert len(sent_ids) == len(outgoing)
    sent_bodies = list(graph.messages(wa_id))
    assert (
        len(sent_bodies) <= len(outgoing) + 1
    )  # at most the one in flight at the kill, sent again
