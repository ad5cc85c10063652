"""Privacy in the WhatsApp channel: STOP, START and "delete my data" answered by the gateway
before the engine (planners, then the whole channel over the webhook with the fake Graph API),
and the worker purging old conversation text."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.simulator import webhooks
from api.whatsapp import inbox, planners, render
from api.whatsapp.graph import GraphClient
from api.whatsapp.inbox import InboxRow
from api.whatsapp.payloads import Webhook
from api.whatsapp.plan import Context, Plan, commit
from api.whatsapp.worker import purge_periodically
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing
from bot.i18n import t
from bot.privacy import consent
from bot.privacy.retention import PURGED, purge_old
from bot.rasa_api import EngineClient
from bot.settings import Settings, get_settings
from tests.api.whatsapp.support import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    FakeGraph,
    channel_settings,
    choose,
    inbox_settled,
    notify,
    outbox_drained,
    shopper_wrote,
    wait_for_messages,
)
from tests.bot.privacy.support import chat, default_shop
from tests.shop import load_shop

SHOPPER = "919812300888"
Params = ParamSpec("Params")
Returned = TypeVar("Returned")


def test_the_worker_purges_old_text_at_start(shop_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "30")
    monkeypatch.setenv("PRIVACY_PURGE_EVERY_HOURS", "0")  # at start only: the loop returns
    get_settings.cache_clear()
    chat(shop_id, "919812345678", "old", days_ago=31)
    chat(shop_id, "919812345678", "new", days_ago=29)
    asyncio.run(asyncio.wait_for(purge_periodically(get_settings()), 30))
    with session_scope() as s:
        payloads = [r.payload for r in s.scalars(select(WhatsAppInbox).order_by(WhatsAppInbox.id))]
    assert payloads[0] == PURGED and payloads[1]["message"]["text"]["body"] == "new"


# planners ---------------------------------------------------------------------------------
async def _db(
    fn: Callable[Params, Returned], /, *args: Params.args, **kwargs: Params.kwargs
) -> Returned:
    return await asyncio.to_thread(fn, *args, **kwargs)


def _plan_and_commit(shop_id: int, payload: dict) -> Plan:
    """The plan for one delivered message (the engine is down: no slots), committed."""
    [fields] = inbox.rows_of(Webhook.model_validate(payload))
    with session_scope(write=True) as s:
        stored = WhatsAppInbox(**fields)
        s.add(stored)
        s.flush()
        row = InboxRow(
            stored.id, stored.key, "message", stored.type, stored.wa_id,
            stored.phone_number_id, dict(stored.payload), "pending", 0, None, None,
        )  # fmt: skip
    [value] = Webhook.model_validate(payload).values()

    async def go() -> Plan:
        rasa = EngineClient("http://127.0.0.1:9")
        graph = GraphClient(Settings())
        try:
            ctx = Context(rasa, graph, _db, lambda: shop_id, lambda: "no photos")
            return await planners.plan(ctx, row, value.messages[0])
        finally:
            await rasa.aclose()
            await graph.aclose()

    found = asyncio.run(go())
    commit(row, found, shop_id)
    with session_scope(write=True) as s:  # answered, as the gateway's lane would next
        for out in s.scalars(select(WhatsAppOutgoing).where(WhatsAppOutgoing.inbox_id == row.id)):
            out.state = "sent"
        if s.get_one(WhatsAppInbox, row.id).outcome != "privacy_erased":
            s.get_one(WhatsAppInbox, row.id).state = "done"
    return found


def _texts(found: Plan) -> list[str]:
    return [
        m.content["body"] if m.type == "text" else m.content["body"]["text"] for m in found.replies
    ]


@pytest.mark.parametrize(
    ("said", "language"),
    [("STOP", "en"), ("band karo", "hinglish"), ("मैसेज मत भेजो", "hi")],
)
def test_stop_is_answered_before_the_engine_and_stored_with_the_answer(
    shop_id: int, said: str, language: str
) -> None:
    found = _plan_and_commit(shop_id, webhooks.text(PHONE_NUMBER_ID, SHOPPER, said))
    assert found.outcome == "privacy:opt_out" and found.forward is None
    assert _texts(found) == [t("privacy_opted_out", language)]
    with session_scope() as s:
        assert consent.opted_out(s, shop_id, SHOPPER)
        [out] = s.scalars(select(WhatsAppOutgoing)).all()
        assert out.body["text"]["body"] == t("privacy_opted_out", language)


def test_start_opts_back_in_and_is_a_greeting_otherwise(shop_id: int) -> None:
    hello = _plan_and_commit(shop_id, webhooks.text(PHONE_NUMBER_ID, SHOPPER, "START"))
    assert hello.forward == "START"  # never opted out: the engine greets them
    _plan_and_commit(shop_id, webhooks.text(PHONE_NUMBER_ID, SHOPPER, "stop"))
    back = _plan_and_commit(shop_id, webhooks.text(PHONE_NUMBER_ID, SHOPPER, "फिर से शुरू करो"))
    assert back.outcome == "privacy:opt_in" and _texts(back) == [t("privacy_opted_in", "hi")]
    with session_scope() as s:
        assert not consent.opted_out(s, shop_id, SHOPPER)


def test_delete_my_data_asks_with_two_buttons_in_the_shoppers_words(shop_id: int) -> None:
    for said, language in (
        ("delete my data", "en"),
        ("mera data delete karo", "hinglish"),
        ("मेरा डेटा मिटा दो", "hi"),
    ):
        found = _plan_and_commit(shop_id, webhooks.text(PHONE_NUMBER_ID, SHOPPER, said))
        assert found.outcome == "privacy:erase_asked" and found.forward is None
        [question] = found.replies
        buttons = question.content["action"]["buttons"]
        assert question.content["body"]["text"] == t("privacy_erase_confirm", language)
        assert [b["reply"]["title"] for b in buttons] == [
            t("privacy_erase_yes", language),
            t("privacy_erase_no", language),
        ]
        assert render.check(question.request(SHOPPER)) == []


def _tap(shop_id: int, title: str) -> Plan:
    """Tap the button titled `title` of the last question the shopper was sent."""
    with session_scope() as s:
        asked = s.scalars(select(WhatsAppOutgoing).order_by(WhatsAppOutgoing.id.desc())).first()
        assert asked is not None
        [button] = [
            b["reply"]
            for b in asked.body["interactive"]["action"]["buttons"]
            if b["reply"]["title"] == title
        ]
    tap = webhooks.reply(PHONE_NUMBER_ID, SHOPPER, "button_reply", button["id"], title)
    return _plan_and_commit(shop_id, tap)


def test_yes_erases_no_keeps_and_an_order_on_its_way_waits(shop_id: int) -> None:
    from bot.db.models import Customer, Order
    from bot.orders import service
    from bot.privacy.pseudonym import is_pseudonym
    from tests.bot.privacy.support import finished_order

    order_id = finished_order(shop_id, SHOPPER)

    def ask() -> Plan:
        return _plan_and_commit(
            shop_id, webhooks.text(PHONE_NUMBER_ID, SHOPPER, "mera data delete karo")
        )

    ask()
    kept = _tap(shop_id, t("privacy_erase_no", "hinglish"))
    assert kept.outcome == "privacy:erase_kept"
    assert _texts(kept) == [t("privacy_erase_kept", "hinglish")]

    from bot.cart import service as carts

    with session_scope(write=True) as s:  # an order on its way
        carts.add_packs(s, shop_id, SHOPPER, [("STP-0013", 2)])
        waiting = service.place_order(
            s, shop_id, SHOPPER, idempotency_key="k2", address="Flat 9", pincode="560001",
            delivery_slot=service_slot(), payment_method="cod",
        )  # fmt: skip
    ask()
    _tap(shop_id, t("privacy_erase_yes", "hinglish"))
    assert _answer() == [t("privacy_erase_order_open", "hinglish", order_id=waiting.id)]
    with session_scope() as s:
        assert s.get_one(WhatsAppInbox, _last_inbox_id()).outcome == "privacy:erase_waits_for_order"
        assert s.scalar(select(Customer.wa_id).where(Customer.shop_id == shop_id)) == SHOPPER

    with session_scope(write=True) as s:
        service.cancel_order(s, shop_id, waiting.id, "test")
    ask()
    erased = _tap(shop_id, t("privacy_erase_yes", "hinglish"))
    assert erased.outcome == "privacy_erased"
    assert _texts(erased) == [t("privacy_erased", "hinglish")]
    with session_scope() as s:
        customer = s.scalar(select(Customer).where(Customer.shop_id == shop_id))
        assert customer is not None and is_pseudonym(customer.wa_id)
        assert s.get_one(Order, order_id).customer_id == customer.id
        assert s.get_one(Order, order_id).address == ""
        left = s.scalars(select(WhatsAppInbox).where(WhatsAppInbox.wa_id == SHOPPER)).all()
        assert [r.outcome for r in left] == ["privacy_erased"]  # being answered still
        assert "name" not in left[0].payload

    with session_scope(write=True) as s:  # its answer sent: the request itself goes too
        s.get_one(WhatsAppInbox, _last_inbox_id()).state = "done"
    assert purge_old().erasures_finished == 1
    with session_scope() as s:
        for table in (WhatsAppInbox, WhatsAppOutgoing):
            assert not s.scalars(select(table).where(table.wa_id == SHOPPER)).all()


def service_slot() -> str:
    from tests.shop import slot

    return slot()


def _answer() -> list[str]:
    """What the gateway stored to say to the last message (as `commit` made it)."""
    with session_scope() as s:
        rows = s.scalars(
            select(WhatsAppOutgoing)
            .where(WhatsAppOutgoing.inbox_id == _last_inbox_id())
            .order_by(WhatsAppOutgoing.seq)
        )
        return [r.body["text"]["body"] for r in rows]


def _last_inbox_id() -> int:
    with session_scope() as s:
        return s.scalars(select(WhatsAppInbox.id).order_by(WhatsAppInbox.id.desc())).first() or 0


# the channel over the webhook ---------------------------------------------------------------
@pytest.fixture
def channel(
    database_url: str, monkeypatch: pytest.MonkeyPatch, graph: FakeGraph
) -> Iterator[TestClient]:
    """The app in this process with its gateway working the inbox and the outbox, the fake
    Graph API, and no engine: every message here is the gateway's to answer."""
    settings = channel_settings(
        graph.url, "http://127.0.0.1:9", WHATSAPP_OUTBOX_EVERY_SECONDS="0.2"
    )
    for k, v in settings.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    load_shop(database_url)
    from api.main import create_app

    with TestClient(create_app()) as client:
        yield client
    get_settings.cache_clear()


def _say(client: TestClient, payload: dict) -> None:
    body, headers = webhooks.signed(payload, APP_SECRET)
    assert client.post("/webhooks/whatsapp", content=body, headers=headers).status_code == 200


def _bodies(messages: list[dict]) -> list[str]:
    return [
        m["text"]["body"] if m["type"] == "text" else m["interactive"]["body"]["text"]
        for m in messages
    ]


def test_after_stop_order_notices_still_go_and_promotions_do_not(
    channel: TestClient, graph: FakeGraph
) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.db.models import OutboxMessage

    shopper_wrote(SHOPPER, "hi", wrote=timedelta(hours=1))  # inside the 24-hour window
    notify(SHOPPER, "cart_reminder", {"items": 3}, "reminder:1")
    with session_scope(write=True) as s:  # due in an hour (a reminder is sent later)
        reminder = s.scalars(select(OutboxMessage)).one()
        reminder.next_attempt_at = datetime.now(UTC) + timedelta(hours=1)
    _say(channel, webhooks.text(PHONE_NUMBER_ID, SHOPPER, "मैसेज मत भेजो"))
    assert _bodies(wait_for_messages(graph, SHOPPER, 1)) == [t("privacy_opted_out", "hi")]
    assert inbox_settled(get_settings().database_url)
    notify(SHOPPER, "cart_reminder", {"items": 4}, "reminder:2")  # refused: not written
    notify(SHOPPER, "order_packed", {"order_id": 7}, "order:7:packed")
    sent = wait_for_messages(graph, SHOPPER, 2)
    assert outbox_drained()
    assert _bodies(sent) == [t("privacy_opted_out", "hi"), "📦 ऑर्डर #7 पैक हो गया है।"]
    with session_scope() as s:
        rows = {m.dedupe_key: m for m in s.scalars(select(OutboxMessage))}
    assert set(rows) == {"reminder:1", "order:7:packed"}
    assert rows["reminder:1"].status == "sent" and rows["reminder:1"].provider_message_id is None
    _say(channel, webhooks.text(PHONE_NUMBER_ID, SHOPPER, "START"))
    assert _bodies(wait_for_messages(graph, SHOPPER, 3))[2] == t("privacy_opted_in", "hi")


def test_delete_my_data_over_the_webhook_keeps_the_order_under_a_hash(
    channel: TestClient, graph: FakeGraph
) -> None:
    from bot.db.models import Customer, Order
    from bot.privacy.pseudonym import is_pseudonym
    from tests.bot.privacy.support import finished_order

    shop_id = default_shop()
    order_id = finished_order(shop_id, SHOPPER)
    assert outbox_drained()  # its notices (placed, cancelled) went first
    told = len(graph.messages(SHOPPER))
    _say(channel, webhooks.text(PHONE_NUMBER_ID, SHOPPER, "delete my data", name="Asha"))
    question = wait_for_messages(graph, SHOPPER, told + 1)[told]
    assert _bodies([question]) == [t("privacy_erase_confirm", "en")]
    kind, reply_id, title = choose(question, lambda title: title == t("privacy_erase_yes", "en"))
    _say(channel, webhooks.reply(PHONE_NUMBER_ID, SHOPPER, kind, reply_id, title))
    answer = wait_for_messages(graph, SHOPPER, told + 2)[told + 1]
    assert _bodies([answer]) == [t("privacy_erased", "en")]
    assert inbox_settled(get_settings().database_url)
    with session_scope() as s:
        order = s.get_one(Order, order_id)
        customer = s.get_one(Customer, order.customer_id)
        assert is_pseudonym(customer.wa_id) and customer.name == "" and order.address == ""
    purge_old()  # the worker's next round: the request and its answer go too
    with session_scope() as s:
        for table in (WhatsAppInbox, WhatsAppOutgoing):
            assert not s.scalars(select(table).where(table.wa_id == SHOPPER)).all()
        assert not s.scalars(select(Customer).where(Customer.wa_id == SHOPPER)).all()
