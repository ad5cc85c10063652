"""The WhatsApp channel's parts on their own: signature, payload models over Meta's real
payloads, the renderer's limits, the Graph API client against a real local HTTP server, and the
webhook route (handshake, refusals, statuses, payments) with a fresh database."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.simulator import webhooks
from api.whatsapp import render as r
from api.whatsapp.graph import GraphClient, GraphError
from api.whatsapp.payloads import Webhook
from api.whatsapp.signature import sign, verify
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing, WhatsAppStatus
from bot.settings import Settings, get_settings
from tests.api.whatsapp.support import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeGraph,
    channel_settings,
    notify,
    outbox_drained,
    shopper_wrote,
    template_request,
    wait_for_messages,
)
from tests.conftest import shared_path
from tests.waiting import wait_until


def shared_payloads() -> list[Path]:
    folder = shared_path("whatsapp")
    return sorted(folder.glob("*.json")) + sorted((folder / "pywa").glob("*.json"))


def deliveries(path: Path) -> list[dict]:
    """A fixture file holds one delivery, or (pywa) a dict of named deliveries."""
    data = json.loads(path.read_text())
    if "object" in data:
        return [data]
    return [v for v in data.values() if isinstance(v, dict) and "object" in v]


# signature ----------------------------------------------------------------------------------
def test_the_real_signature_vector_verifies_and_one_flipped_byte_fails() -> None:
    vector = json.loads(shared_path("whatsapp", "pywa_signature_vector.json").read_text())
    body = shared_path("whatsapp", vector["body_file"]).read_bytes()
    assert verify(body, vector["x_hub_signature_256"], vector["app_secret"])
    for i in (0, len(body) // 2, len(body) - 1):
        flipped = bytearray(body)
        flipped[i] ^= 0x01
        assert not verify(bytes(flipped), vector["x_hub_signature_256"], vector["app_secret"])
    assert not verify(body, None, vector["app_secret"])
    assert not verify(
        body, vector["x_hub_signature_256"].replace("sha256=", "sha1="), vector["app_secret"]
    )
    assert not verify(body, vector["x_hub_signature_256"], "another-secret")


# payloads -------------------------------------------------------------------------------------
def test_every_real_payload_parses() -> None:
    seen_types: set[str] = set()
    for path in shared_payloads():
        if path.name == "pywa_signature_vector.json":
            continue
        for delivery in deliveries(path):
            webhook = Webhook.model_validate(delivery)
            for value in webhook.values():
                seen_types |= {m.type for m in value.messages} | {
                    f"status:{s.status}" for s in value.statuses
                }
    assert {
        "text",
        "interactive",
        "location",
        "order",
        "reaction",
        "audio",
        "image",
        "sticker",
        "button",
        "unsupported",
        "status:sent",
        "status:delivered",
        "status:read",
        "status:failed",
        "status:captured",
    } <= seen_types


# renderer -------------------------------------------------------------------------------------
def test_long_text_is_split_within_4096() -> None:
    text = ("Aashirvaad atta 5 kg ₹260. " * 400).strip()
    parts = r.render([{"text": text}], "en")
    assert len(parts) > 1 and all(r.check(p.request("91")) == [] for p in parts)
    assert "".join(p.content["body"].replace(" ", "") for p in parts) == text.replace(" ", "")


def test_buttons_lists_and_pagination_stay_within_limits() -> None:
    three = [
        {"title": t, "payload": f"/x{i}"} for i, t in enumerate(["UPI", "Cash on delivery", "No"])
    ]
    [buttons] = r.render([{"text": "Pay how?", "buttons": three}], "en")
    assert buttons.content["type"] == "button" and r.check(buttons.request("91")) == []
    long_titles = [
        {"title": "Aashirvaad Shudh Chakki Atta 10 kg bag", "payload": "/a"},
        {"title": "No", "payload": "/b"},
    ]
    [as_list] = r.render([{"text": "Which?", "buttons": long_titles}], "hi")
    assert as_list.content["type"] == "list" and r.check(as_list.request("91")) == []
    many = [
        {
            "title": f"{i}. Product with a rather long name number {i}",
            "payload": f'/choose_option{{"choice":"SKU-{i}"}}',
        }
        for i in range(23)
    ]
    [first] = r.render([{"text": "x" * 3000, "buttons": many}], "en")[-1:]
    rows = first.content["action"]["sections"][0]["rows"]
    assert (
        len(rows) == 10
        and rows[-1]["id"].endswith(":more:1")
        and r.check(first.request("91")) == []
    )
    assert r.resolve(first.options, rows[3]["id"]) == (
        "payload",
        '/choose_option{"choice":"SKU-3"}',
    )
    second = r.list_page("", many, "en", first.options["token"], 1)
    third = r.list_page("", many, "en", first.options["token"], 2)
    assert r.check(second.request("91")) == [] and r.check(third.request("91")) == []
    ids = [
        row["id"]
        for p in (first, second, third)
        for row in p.content["action"]["sections"][0]["rows"]
        if ":more:" not in row["id"]
    ]
    assert [r.resolve(first.options, i)[1] for i in ids] == [m["payload"] for m in many]
    assert r.resolve(first.options, "someone-else:1") is None


def test_check_finds_what_meta_refuses() -> None:
    bad = {
        "messaging_product": "whatsapp",
        "to": "91",
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "x"},
            "action": {
                "buttons": [
                    {
                        "type": "reply",
                        "reply": {"id": str(i), "title": "A title far longer than twenty"},
                    }
                    for i in range(4)
                ]
            },
        },
    }
    assert len(r.check(bad)) >= 2
    template = {
        "messaging_product": "whatsapp",
        "to": "91",
        "type": "template",
        "template": {
            "name": "Order Update",
            "language": {},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "a\nb"},
                        {"type": "text", "text": ""},
                        {"type": "text", "text": "five     spaces"},
                    ],
                }
            ],
        },
    }
    assert len(r.check(template)) == 5


# Graph API client -----------------------------------------------------------------------------
def _client(graph: FakeGraph, **extra: object) -> GraphClient:
    return GraphClient(
        Settings(
            whatsapp_graph_url=graph.url,
            whatsapp_access_token=ACCESS_TOKEN,
            whatsapp_phone_number_id=PHONE_NUMBER_ID,
            whatsapp_backoff_seconds=0.01,
            **extra,
        )
    )


MESSAGE = {
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": "919812345678",
    "type": "text",
    "text": {"body": "hello"},
}


def test_graph_500_then_200_is_retried(graph: FakeGraph) -> None:
    graph.script = [(500, {"error": {"message": "Internal", "code": 1}}), (503, {})]

    async def go() -> str:
        client = _client(graph)
        try:
            return await client.send(MESSAGE)
        finally:
            await client.aclose()

    wamid = asyncio.run(go())
    assert wamid.startswith("wamid.FAKE")
    assert [q["answered"] for q in graph.requests] == [500, 503, 200]
    assert all(q["path"] == f"/v21.0/{PHONE_NUMBER_ID}/messages" for q in graph.requests)
    assert all(q["auth"] == f"Bearer {ACCESS_TOKEN}" for q in graph.requests)


def test_graph_400_is_not_retried_and_is_logged(
    graph: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    graph.script = [
        (400, {"error": {"message": "(#131009) Parameter value is not valid", "code": 131009}})
    ]

    async def go() -> None:
        client = _client(graph)
        try:
            await client.send(MESSAGE)
        finally:
            await client.aclose()

    with (
        caplog.at_level(logging.ERROR, "chatcart.whatsapp.graph"),
        pytest.raises(GraphError) as err,
    ):
        asyncio.run(go())
    assert err.value.status == 400 and not err.value.retryable and err.value.code == 131009
    assert len(graph.requests) == 1
    assert any(
        "not retried" in rec.getMessage() and "131009" in rec.getMessage() for rec in caplog.records
    )


def test_graph_429_is_retried_and_the_send_rate_is_limited(graph: FakeGraph) -> None:
    graph.script = [(429, {"error": {"message": "rate", "code": 130429}})]

    async def go() -> float:
        client = _client(graph, whatsapp_send_rate=20.0)
        try:
            started = time.monotonic()
            await asyncio.gather(*(client.send(MESSAGE) for _ in range(30)))
            return time.monotonic() - started
        finally:
            await client.aclose()

    asyncio.run(go())
    assert len(graph.requests) == 31 and graph.requests[0]["answered"] == 429


# the webhook route ------------------------------------------------------------------------------
@pytest.fixture
def app_client(database_url: str, monkeypatch: pytest.MonkeyPatch, graph: FakeGraph):
    settings = channel_settings(
        graph.url, "http://127.0.0.1:9", WHATSAPP_OUTBOX_EVERY_SECONDS="0.2"
    )
    for k, v in settings.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    from api.main import create_app

    with TestClient(create_app()) as client:
        yield client
    get_settings.cache_clear()


def _post(client: TestClient, body: bytes, secret: str = APP_SECRET):
    return client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)},
    )


def _count(model: type) -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_the_verification_handshake(app_client: TestClient) -> None:
    ok = app_client.get(
        "/webhooks/whatsapp",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    bad = app_client.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
    )
    assert bad.status_code == 403 and bad.headers["content-type"] == "application/problem+json"


def test_unsigned_or_wrongly_signed_deliveries_are_refused_and_stored_nowhere(
    app_client: TestClient,
) -> None:
    body = shared_path("whatsapp", "inbound_text.json").read_bytes()
    assert app_client.post("/webhooks/whatsapp", content=body).status_code == 401
    assert _post(app_client, body, secret="wrong").status_code == 401
    tampered = body.replace(b"Body Text", b"Body Texx") if b"Body Text" in body else body + b" "
    r = app_client.post(
        "/webhooks/whatsapp",
        content=tampered,
        headers={"X-Hub-Signature-256": sign(body, APP_SECRET)},
    )
    assert r.status_code == 401
    assert _count(WhatsAppInbox) == 0
    from api.whatsapp import inbox

    assert inbox.not_taken_in() == []


def test_a_burst_is_one_durable_insert_and_repeats_add_nothing(database_url: str) -> None:
    from sqlalchemy import text

    from api.whatsapp import inbox, spool

    message = Webhook.model_validate(webhooks.text(PHONE_NUMBER_ID, "919800000401", "2 kg atta"))
    status = Webhook.model_validate(
        webhooks.status(PHONE_NUMBER_ID, "wamid.B1", "919800000401", "read")
    )
    other = Webhook.model_validate(webhooks.text(PHONE_NUMBER_ID, "919800000402", "hi"))
    assert inbox.record_many([message, status, message, other]) == [
        ["919800000401"],
        [inbox.STATUS_LANE],
        [],
        ["919800000402"],
    ]
    assert inbox.record_many([message, status]) == [[], []]  # Meta's retry: nothing new
    lanes, last = inbox.take_in(0)  # the gateway's step (SQLite: from the intake's own file)
    assert _count(WhatsAppInbox) == 3 and inbox.not_taken_in() == []
    assert inbox.take_in(last) == ([], last) and inbox.take_in(0)[0] == []  # again: nothing doubled
    if inbox.intake_file() is not None:
        assert lanes == ["919800000401", inbox.STATUS_LANE, "919800000402"]
        assert inbox.prune_intake() == 3
        # Meta retries after the prune: appended to the intake file again, skipped by its key
        assert inbox.record_many([message]) == [["919800000401"]]
        assert inbox.take_in(last)[0] == [] and _count(WhatsAppInbox) == 3
        with spool.engine(spool.url_for(database_url)).connect() as c:
            assert c.execute(text("PRAGMA synchronous")).scalar() == 2  # every commit synced
            # no checkpoint inside an acknowledgement's commit: the gateway's, off that path
            assert (
                c.execute(text("PRAGMA wal_autocheckpoint")).scalar() == spool.API_CHECKPOINT_PAGES
            )
        inbox.checkpoint_intake()
        with spool.engine(spool.url_for(database_url)).connect() as c:
            busy, frames, copied = c.execute(text("PRAGMA wal_checkpoint(PASSIVE)")).one()
            assert busy == 0 and frames == copied  # everything back in the file
    with inbox.durable_write() as s:
        if s.get_bind().dialect.name == "sqlite":  # the commit syncs the WAL (2 = FULL)
            assert s.execute(text("PRAGMA synchronous")).scalar() == 2
    with session_scope() as s:
        if s.get_bind().dialect.name == "sqlite":  # the app's other writes keep their setting
            assert s.execute(text("PRAGMA synchronous")).scalar() == 1


def test_the_intake_file_keeps_the_order_across_prunes_and_restarts(database_url: str) -> None:
    """SQLite: ids in the intake file only grow, even after every row was pruned, so the
    gateway's cursor never skips a delivery; a restarted gateway (cursor 0) doubles nothing."""
    from api.whatsapp import inbox, spool

    if inbox.intake_file() is None:
        pytest.skip("PostgreSQL: the API writes the inbox itself")
    said = [
        Webhook.model_validate(webhooks.text(PHONE_NUMBER_ID, "919800000403", text))
        for text in ("hi", "2 kg atta", "1 litre milk")
    ]
    inbox.record_many(said[:1])
    _, last = inbox.take_in(0)
    assert inbox.prune_intake() == 1 and spool.after(spool.url_for(database_url), 0) == []
    inbox.record_many(said[1:2])
    inbox.record_many(said[2:])
    assert [r["id"] for r in spool.after(spool.url_for(database_url), 0)] == [last + 1, last + 2]
    assert inbox.take_in(last)[0] == ["919800000403"]
    assert inbox.take_in(0)[0] == []  # a restart reads the file again: every key is there
    with session_scope() as s:
        bodies = [
            r.payload["message"]["text"]["body"]
            for r in s.scalars(select(WhatsAppInbox).order_by(WhatsAppInbox.id))
        ]
    assert bodies == ["hi", "2 kg atta", "1 litre milk"]


def test_statuses_are_recorded_per_outgoing_message(app_client: TestClient) -> None:
    with session_scope(write=True) as s:
        s.add(
            WhatsAppOutgoing(
                wa_id="972987654321",
                phone_number_id=PHONE_NUMBER_ID,
                type="text",
                body={},
                options={},
                state="sent",
                wamid="wamid.xyzxyz",
            )
        )
    folder = shared_path("whatsapp")
    for name in (
        "status_sent.json",
        "status_read.json",
        "status_delivered.json",
        "status_read.json",
    ):
        answer = _post(app_client, (folder / name).read_bytes())
        assert answer.status_code == 200
        assert all(
            f"{step};dur=" in answer.headers["server-timing"]
            for step in ("inbox", "lock", "write", "sync")
        )
    wait_until(lambda: _count(WhatsAppStatus) >= 3, "the worker to record the three statuses")
    with session_scope() as s:
        out = s.scalar(select(WhatsAppOutgoing).where(WhatsAppOutgoing.wamid == "wamid.xyzxyz"))
        statuses = sorted(s.scalars(select(WhatsAppStatus.status)))
    assert statuses == ["delivered", "read", "sent"]  # the repeated "read" is recorded once
    assert out.status == "read"  # delivered arrived after read: the furthest status stays


def test_a_payment_status_webhook_reaches_the_payments_ledger(app_client: TestClient) -> None:
    from bot.db.models import PaymentEvent

    body = shared_path("whatsapp", "kairon_status_payment_upi_razorpay.json").read_bytes()
    assert _post(app_client, body).status_code == 200

    def handled() -> WhatsAppInbox | None:
        with session_scope() as s:
            row = s.scalar(select(WhatsAppInbox))
            return row if row is not None and row.state == "done" else None

    row = wait_until(handled, "the worker to finish the payment status's inbox row")
    with session_scope() as s:
        event = s.scalar(select(PaymentEvent))
    assert event is not None, "the inbox row is done but the ledger holds no payment event"
    assert (
        event.event_id.startswith("whatsapp:") and event.event_type == "whatsapp.payment.captured"
    )
    assert (
        event.outcome == "unknown_payment"
    )  # no order BM3-43D-12 in this shop: recorded, nothing paid
    assert row.kind == "payment" and row.state == "done"


def test_a_whatsapp_pay_status_is_the_ledgers_event() -> None:
    """Meta's amount is value / offset rupees; the event id is the message and the status
    (Meta sends each once; a retried delivery repeats both)."""
    from bot.payments.whatsapp_pay import payment_event

    [value] = Webhook.model_validate(
        json.loads(shared_path("whatsapp", "kairon_status_payment_upi_razorpay.json").read_bytes())
    ).values()
    status = value.statuses[0].model_dump(mode="json", by_alias=True, exclude_none=True)
    event = payment_event(status)
    assert event is not None
    assert (event.kind, event.public_id, event.provider_payment_id) == (
        "captured",
        "BM3-43D-12",
        "order_Ovpn6PVVFYbmK3",
    )
    assert (event.amount_paise, event.currency) == (100, "INR")  # 100 / 100 rupees
    assert event.event_id == f"whatsapp:{status['id']}:captured"
    half = {
        **status,
        "status": "failed",
        "payment": {**status["payment"], "amount": {"value": 12350, "offset": 100}},
    }
    failed = payment_event(half)
    assert failed is not None and (failed.kind, failed.amount_paise) == ("failed", 12350)
    assert payment_event({"id": "wamid.X", "status": "read"}) is None


def test_the_outbox_is_drained_in_the_shoppers_language(
    app_client: TestClient, graph: FakeGraph
) -> None:
    from bot.db.models import OutboxMessage

    shopper_wrote("919812345678", "hi", wrote=timedelta(hours=3))  # inside the 24-hour window: text
    notify("919812345678", "order_out_for_delivery", {"order_id": 7}, "order:7:ofd")
    notify("919812345678", "order_cancelled", {"order_id": 8, "reason": "स्टॉक ख़त्म"}, "order:8:c")
    texts = [m["text"]["body"] for m in wait_for_messages(graph, "919812345678", 2)]
    assert texts == ["🛵 ऑर्डर #7 रास्ते में है।", "❌ ऑर्डर #8 रद्द हो गया: स्टॉक ख़त्म।"]
    assert outbox_drained()
    with session_scope() as s:
        rows = s.scalars(select(OutboxMessage)).all()
        sent = s.scalars(
            select(WhatsAppOutgoing).where(WhatsAppOutgoing.outbox_id.is_not(None))
        ).all()
    assert [r.status for r in rows] == ["sent", "sent"] and all(r.provider_message_id for r in rows)
    assert {o.wamid for o in sent} == {r.provider_message_id for r in rows}


def test_notifications_outside_the_24_hour_window_go_as_approved_templates(
    app_client: TestClient, graph: FakeGraph
) -> None:
    shopper_wrote("919800000101", "hi", wrote=timedelta(hours=25))
    shopper_wrote(
        "919800000102", "hinglish", wrote=None
    )  # never wrote: only a template may start the chat
    shopper_wrote(
        "919800000103", "en", wrote=timedelta(hours=23, minutes=55)
    )  # the window closes as it goes
    shopper_wrote("919800000104", "en", wrote=timedelta(hours=2))
    notify("919800000101", "order_out_for_delivery", {"order_id": 7}, "a")
    notify(
        "919800000102",
        "order_cancelled",
        {"order_id": 8, "reason": "out of stock\n\ttoday,     sorry"},
        "b",
    )
    notify("919800000103", "order_paid", {"order_id": 9, "total_paise": 15050}, "c")
    notify("919800000104", "order_paid", {"order_id": 10, "total_paise": 15000}, "d")
    notify(
        "919800000101",
        "payment_failed",
        {"order_id": 11, "total_paise": 9000, "pay_url": "http://127.0.0.1:8000/pay/pay_x"},
        "e",
    )
    notify(
        "919800000102",
        "order_placed",
        {
            "order_id": 12,
            "total_paise": 25000,
            "payment_method": "cod",
            "delivery_slot": "2026-01-01T08",
            "pay_url": None,
        },
        "f",
    )
    assert wait_for_messages(graph, "919800000101", 2) == [
        template_request("919800000101", "chatcart_out_for_delivery", "hi", "7"),
        template_request(
            "919800000101",
            "chatcart_payment_failed",
            "hi",
            "11",
            "₹90",
            "http://127.0.0.1:8000/pay/pay_x",
        ),
    ]
    assert wait_for_messages(graph, "919800000102", 2) == [  # Hinglish: the English template
        template_request(
            "919800000102", "chatcart_order_cancelled", "en", "8", "out of stock today, sorry"
        ),
        template_request(
            "919800000102",
            "chatcart_order_placed",
            "en",
            "12",
            "₹250",
            "2026-01-01T08",
            "Cash on delivery",
        ),
    ]
    assert wait_for_messages(graph, "919800000103", 1) == [
        template_request("919800000103", "chatcart_payment_received", "en", "9", "₹150.50")
    ]
    [text] = wait_for_messages(graph, "919800000104", 1)
    assert text["type"] == "text" and "₹150" in text["text"]["body"]
    assert all(r.check(b) == [] for b in graph.messages())
    assert outbox_drained()
    with session_scope() as s:
        outgoing = s.scalars(
            select(WhatsAppOutgoing).where(WhatsAppOutgoing.outbox_id.is_not(None))
        ).all()
    assert sorted(o.type for o in outgoing) == ["template"] * 5 + ["text"]
    assert all(o.state == "sent" and o.wamid for o in outgoing)


def test_a_text_meta_refuses_as_outside_the_window_goes_again_as_thetemplate_request(
    app_client: TestClient, graph: FakeGraph
) -> None:
    """Meta judges the window, and says so synchronously (an error) or later (a failed status)."""
    from bot.db.models import OutboxMessage

    re_engagement = {
        "code": 131047,
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {
            "details": "Message failed to send because more than 24 hours have passed "
            "since the customer last replied to this number."
        },
    }
    shopper_wrote("919800000201", "en", wrote=timedelta(hours=1))
    graph.script = [(400, {"error": {**re_engagement, "type": "OAuthException"}})]
    notify("919800000201", "order_packed", {"order_id": 21}, "a")
    refused, sent = wait_for_messages(graph, "919800000201", 2)
    assert [q["answered"] for q in graph.requests] == [400, 200]
    assert refused["type"] == "text" and sent == template_request(
        "919800000201", "chatcart_order_packed", "en", "21"
    )

    shopper_wrote("919800000202", "hi", wrote=timedelta(hours=1))
    notify("919800000202", "order_delivered", {"order_id": 22}, "b")
    [text] = wait_for_messages(graph, "919800000202", 1)
    assert text["type"] == "text" and outbox_drained()
    with session_scope() as s:
        out = s.scalar(select(WhatsAppOutgoing).where(WhatsAppOutgoing.wa_id == "919800000202"))
    failed = webhooks.status(PHONE_NUMBER_ID, out.wamid, "919800000202", "failed")
    failed["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"] = [re_engagement]
    assert _post(app_client, webhooks.signed(failed, APP_SECRET)[0]).status_code == 200
    assert wait_for_messages(graph, "919800000202", 2)[1] == template_request(
        "919800000202", "chatcart_order_delivered", "hi", "22"
    )
    assert outbox_drained()
    with session_scope() as s:
        out = s.scalar(select(WhatsAppOutgoing).where(WhatsAppOutgoing.wa_id == "919800000202"))
        message = s.get(OutboxMessage, out.outbox_id)
        statuses = s.scalars(
            select(WhatsAppStatus).where(WhatsAppStatus.recipient_id == "919800000202")
        ).all()
    assert out.type == "template" and out.state == "sent" and out.status == "accepted"
    assert message.status == "sent" and message.provider_message_id == out.wamid
    assert [st.status for st in statuses] == ["failed"] and statuses[0].wamid != out.wamid


def test_template_names_and_languages_come_from_the_settings() -> None:
    from pydantic import ValidationError

    from api.whatsapp.templates import BODIES, PARAMETERS, preview, template_message
    from bot.notifications.outbox import TEMPLATES
    from bot.settings import DEFAULT_WHATSAPP_TEMPLATES

    assert set(TEMPLATES) == set(DEFAULT_WHATSAPP_TEMPLATES) == set(PARAMETERS) == set(BODIES)
    for key, params in PARAMETERS.items():  # every body to register uses each parameter once
        for body in BODIES[key].values():
            assert sorted(re.findall(r"\{\{(\d+)\}\}", body)) == [
                str(i) for i in range(1, len(params) + 1)
            ]
    settings = Settings(
        whatsapp_templates={"order_paid": "kirana_payment_ok"},
        whatsapp_template_languages={"hinglish": "hi", "en": "en_US"},
    )
    assert (
        settings.whatsapp_templates["order_packed"] == "chatcart_order_packed"
    )  # merged over the defaults
    message = template_message(
        "order_paid", {"order_id": 3, "total_paise": 9900}, "hinglish", settings
    )
    body = message.request("91")
    assert body["template"]["name"] == "kirana_payment_ok" and body["template"]["language"] == {
        "code": "hi"
    }
    assert r.check(body) == []
    assert preview(body["template"], settings) == "💰 ऑर्डर #3 का ₹99 का पेमेंट मिल गया। हम पैक कर रहे हैं।"
    assert template_message("order_packed", {"order_id": 3}, "en", settings).content[
        "language"
    ] == {"code": "en_US"}
    for bad in (
        {"whatsapp_templates": {"order_shipped": "x"}},
        {"whatsapp_templates": {"order_paid": "Paid Now"}},
        {"whatsapp_template_languages": {"ta": "ta"}},
        {"whatsapp_template_languages": {"hi": "hindi"}},
    ):
        with pytest.raises(ValidationError):
            Settings(**bad)
