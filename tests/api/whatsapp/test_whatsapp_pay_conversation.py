"""Paying inside WhatsApp, end to end with the real assistant: a Hinglish shopper orders from a
shop set up for WhatsApp Pay over the webhook (API → worker → engine → action server → the fake
Graph API), fills WhatsApp's address form, gets the order_details sheet instead of a pay link,
pays (Meta's payment webhook,
believed once the Graph API's record agrees), and follows the order on the sheet as the
merchant moves it; the payment webhook replayed changes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, update

from api.simulator import webhooks
from bot.catalog.sources import read_shop_catalog
from bot.catalog.store import load_catalog
from bot.db.models import Order, Payment, PaymentEvent, Product
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.orders import service
from bot.payments.order_details import payment_public_id
from bot.settings import PROJECT_ROOT
from bot.shops.directory import by_slug, create_shop
from tests.api.whatsapp.support import (
    FakeGraph,
    Gateway,
    choose,
    gateway_env,
    inbox_settled,
    payment_record,
)
from tests.processes import (
    ENGINE_GROUP,
    WHATSAPP_PAY,
    WHATSAPP_PAY_CONFIGURATION,
    WHATSAPP_PAY_SHOP,
    Assistant,
)
from tests.shop import free_port
from tests.waiting import wait_until

pytestmark = ENGINE_GROUP
NUMBER = "106540352249911"  # the shop's own business number
SHOPPER = "919800000777"
ADDRESS = "Flat 302, Shanti Apartments, Andheri East, Mumbai 400069"
FILLED_FORM = {  # WhatsApp's address form as the shopper sends it back
    "type": "nfm_reply",
    "nfm_reply": {
        "name": "address_message",
        "body": "Sent",
        "response_json": json.dumps(
            {
                "values": {
                    "name": "Asha",
                    "phone_number": "+919800000777",
                    "house_number": "Flat 302",
                    "building_name": "Shanti Apartments",
                    "landmark_area": "Andheri East",
                    "city": "Mumbai",
                    "state": "Maharashtra",
                    "in_pin_code": "400069",
                }
            }
        ),
    },
}


@pytest.fixture(scope="session")
def pay_graph() -> Iterator[FakeGraph]:
    server = FakeGraph()
    yield server
    server.close()


@pytest.fixture(scope="session")
def pay_gateway(
    assistant: Assistant, pay_graph: FakeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    with session_scope(assistant.database_url, write=True) as s:
        shop = by_slug(s, WHATSAPP_PAY_SHOP) or create_shop(
            s, WHATSAPP_PAY_SHOP, "Asha Kirana", NUMBER
        )
        load_catalog(s, shop, read_shop_catalog(PROJECT_ROOT / "data" / "catalog"))
        s.execute(update(Product).where(Product.shop_id == shop.id).values(stock=50))
    gw = Gateway(
        gateway_env(
            assistant.database_url, pay_graph.url, assistant.url, WHATSAPP_PAY=WHATSAPP_PAY
        ),
        free_port(),
        tmp_path_factory.mktemp("pay-gateway"),
    ).start()
    yield gw
    gw.stop()


@pytest.fixture(autouse=True)
def processing(pay_gateway: Gateway) -> None:
    pay_gateway.resume()  # other modules' gateways share the assistant's database


class Shopper:
    def __init__(self, gw: Gateway, graph: FakeGraph, db: str) -> None:
        self.gw, self.graph, self.db = gw, graph, db
        self.seen = 0

    def send(self, payload: dict[str, Any] | bytes) -> list[dict[str, Any]]:
        assert self.gw.post(payload).status_code == 200
        assert inbox_settled(self.db)
        replies = self.graph.messages(SHOPPER)[self.seen :]
        self.seen += len(replies)
        return replies

    def say(self, text: str) -> list[dict[str, Any]]:
        return self.send(webhooks.text(NUMBER, SHOPPER, text, "Asha"))

    def tap(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        upi = lambda title: bool(re.search(r"UPI|haan|checkout|yes", title, re.I))  # noqa: E731
        kind, reply_id, title = choose(message, upi)
        return self.send(webhooks.reply(NUMBER, SHOPPER, kind, reply_id, title))

    def updates(self) -> list[dict[str, Any]]:
        """The next notification (the outbox is drained every half second)."""
        wait_until(lambda: len(self.graph.messages(SHOPPER)) > self.seen, "a notification")
        replies = self.graph.messages(SHOPPER)[self.seen :]
        self.seen += len(replies)
        return replies


def _text(m: dict[str, Any]) -> str:
    if m["type"] == "text":
        return str(m["text"]["body"])
    return str(m.get("interactive", {}).get("body", {}).get("text", ""))


def _kind(m: dict[str, Any]) -> str:
    return str(m.get("interactive", {}).get("type") or m["type"])


def _order_through(shopper: Shopper) -> list[dict[str, Any]]:
    replies = shopper.say("2 kg atta aur 1 litre doodh bhej do")
    everything = list(replies)
    for _ in range(15):
        if any(_kind(m) == "order_details" for m in replies):
            return everything
        last = replies[-1]
        if _kind(last) == "address_message":
            form = last["interactive"]["action"]["parameters"]
            assert form["country"] == "IN"
            replies = shopper.send(
                webhooks.inbound(NUMBER, SHOPPER, "Asha", "interactive", FILLED_FORM)
            )
        elif last["type"] == "interactive":
            replies = shopper.tap(last)
        elif re.search(r"address|PIN|deliver|pata", _text(last), re.I):
            replies = shopper.say(ADDRESS)
        else:
            replies = shopper.say("checkout karo")
        everything += replies
    raise AssertionError(json.dumps([_text(m) for m in everything], ensure_ascii=False))


def _payment_webhook(reference: str, amount: int) -> bytes:
    status = {
        "id": "wamid.PAYCONVERSATION1",
        "status": "captured",
        "timestamp": "1733300000",
        "recipient_id": SHOPPER,
        "type": "payment",
        "payment": {
            "reference_id": reference,
            "amount": {"value": amount, "offset": 100},
            "currency": "INR",
            "transaction": {
                "id": "pay_FakeGraph001",
                "type": "razorpay",
                "status": "success",
                "amount": {"value": amount, "offset": 100},
                "currency": "INR",
                "method": {"type": "upi"},
            },
        },
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "919800000999", "phone_number_id": NUMBER},
        "statuses": [status],
    }
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()


def test_a_hinglish_shopper_pays_inside_whatsapp_and_follows_the_order(
    pay_gateway: Gateway, pay_graph: FakeGraph, assistant: Assistant
) -> None:
    shopper = Shopper(pay_gateway, pay_graph, assistant.database_url)
    everything = _order_through(shopper)
    assert any(_kind(m) == "address_message" for m in everything)  # the form, filled in
    [sheet] = [m for m in everything if _kind(m) == "order_details"]
    assert not any("/pay/" in _text(m) for m in everything)  # the sheet, not the pay link
    parameters = sheet["interactive"]["action"]["parameters"]
    reference = parameters["reference_id"]
    assert parameters["payment_settings"][0]["payment_gateway"] == {
        "type": "razorpay",
        "configuration_name": WHATSAPP_PAY_CONFIGURATION,
    }
    assert "Review and pay" in _text(sheet) and "dabao" in _text(sheet)  # Hinglish
    with session_scope(assistant.database_url) as s:
        payment = s.scalar(select(Payment).where(Payment.public_id == payment_public_id(reference)))
        assert payment is not None and payment.status == "created"
        order_id, total = payment.order_id, payment.amount_paise
        address = s.get_one(Order, order_id).address
    with session_scope(assistant.database_url) as s:
        rows = [
            (r.type, r.outcome)
            for r in s.scalars(select(WhatsAppInbox).where(WhatsAppInbox.wa_id == SHOPPER))
        ]
    assert address == "Flat 302, Shanti Apartments, Andheri East, Mumbai, Maharashtra 400069", (
        json.dumps([(_kind(m), _text(m)[:50]) for m in everything], ensure_ascii=False),
        rows,
    )
    assert parameters["total_amount"] == {"value": total, "offset": 100}

    pay_graph.payments[(WHATSAPP_PAY_CONFIGURATION, reference)] = payment_record(reference, total)
    paid = _payment_webhook(reference, total)
    early = shopper.send(paid)  # the update may be out before the inbox settles
    assert (NUMBER, WHATSAPP_PAY_CONFIGURATION, reference) in pay_graph.payment_lookups
    wait_until(lambda: _order_status(assistant, order_id) == "paid", "the order to be paid")
    later = [] if early else shopper.updates()
    [processing] = early + later
    assert _kind(processing) == "order_status"
    assert processing["interactive"]["action"]["parameters"] == {
        "reference_id": reference,
        "order": {"status": "processing"},
    }

    said = []
    for status in ("packed", "out_for_delivery", "delivered"):
        with session_scope(assistant.database_url) as s:
            service.transition(s, order_id, status, "merchant:test")
        [update_] = shopper.updates()
        said.append(
            (
                _kind(update_),
                update_.get("interactive", {})
                .get("action", {})
                .get("parameters", {})
                .get("order", {})
                .get("status"),
            )
        )
    assert said == [("text", None), ("order_status", "shipped"), ("order_status", "completed")]

    events = _events(assistant)
    assert shopper.send(paid) == []  # Meta's retry of the payment webhook, after it all
    assert _events(assistant) == events and _order_status(assistant, order_id) == "delivered"


def _order_status(assistant: Assistant, order_id: int) -> str:
    with session_scope(assistant.database_url) as s:
        return s.get_one(Order, order_id).status


def _events(assistant: Assistant) -> int:
    with session_scope(assistant.database_url) as s:
        return s.scalar(select(func.count()).select_from(PaymentEvent)) or 0
