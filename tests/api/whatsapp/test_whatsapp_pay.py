"""WhatsApp Pay over the webhook: a `statuses[].type = payment` delivery is believed only when
Meta's own record of the payment (looked up on the fake Graph API, a real HTTP server) agrees;
replayed and out-of-order payment webhooks change nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.whatsapp.signature import sign
from bot.cart import service as cart
from bot.db.models import Order, Payment, PaymentEvent
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.orders import service
from bot.settings import get_settings
from tests.api.whatsapp.support import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    FakeGraph,
    channel_settings,
    payment_record,
)
from tests.shop import WA_ID, checkout
from tests.waiting import wait_until

CONFIGURATION = "kirana-razorpay"


def paying_app(
    monkeypatch: pytest.MonkeyPatch, graph: FakeGraph, outbox_every: str
) -> Iterator[TestClient]:
    """The app in this process with every shop on WhatsApp Pay through CONFIGURATION, the fake
    Graph API, no engine, and the outbox worked every `outbox_every` seconds."""
    settings = channel_settings(
        graph.url,
        "http://127.0.0.1:9",
        WHATSAPP_PAY=json.dumps(
            {"*": {"gateway": "razorpay", "configuration_name": CONFIGURATION}}
        ),
        WHATSAPP_OUTBOX_EVERY_SECONDS=outbox_every,
    )
    for k, v in settings.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    from api.main import create_app

    with TestClient(create_app()) as client:
        yield client
    get_settings.cache_clear()


@pytest.fixture
def app_client(
    shop_id: int, monkeypatch: pytest.MonkeyPatch, graph: FakeGraph
) -> Iterator[TestClient]:
    yield from paying_app(monkeypatch, graph, outbox_every="0")


def _order(shop_id: int) -> tuple[int, str, int]:
    """A UPI order waiting for payment: its id, its payment's public id, its total."""
    with session_scope() as s:
        cart.add_packs(s, shop_id, WA_ID, [("STP-0013", 2)])
        order = service.place_order(s, shop_id, WA_ID, **checkout())
        assert order.payment is not None
        return order.id, order.payment.id, order.total_paise


def _status(reference: str, state: str, amount: int, wamid: str = "wamid.PAY1") -> dict[str, Any]:
    return {
        "id": wamid,
        "status": state,
        "timestamp": "1733300000",
        "recipient_id": WA_ID,
        "type": "payment",
        "payment": {
            "reference_id": reference,
            "amount": {"value": amount, "offset": 100},
            "currency": "INR",
            "transaction": {
                "id": "pay_FakeGraph001",
                "type": "razorpay",
                "status": "success" if state == "captured" else state,
                "amount": {"value": amount, "offset": 100},
                "currency": "INR",
                "method": {"type": "upi"},
            },
        },
    }


def _deliver(client: TestClient, *statuses: dict[str, Any]) -> None:
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "190133580861200",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "919800000000",
                                    "phone_number_id": PHONE_NUMBER_ID,
                                },
                                "statuses": list(statuses),
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    answer = client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)},
    )
    assert answer.status_code == 200, answer.text


def _all_done(n: int) -> None:
    def done() -> bool:
        with session_scope() as s:
            rows = list(s.scalars(select(WhatsAppInbox)))
            return len(rows) >= n and all(r.state == "done" for r in rows)

    wait_until(done, f"the worker to finish {n} payment rows")


def _state(order_id: int) -> tuple[str, str, str | None, int]:
    with session_scope() as s:
        order = s.get(Order, order_id)
        payment = s.scalar(select(Payment).where(Payment.order_id == order_id))
        assert order is not None and payment is not None
        events = s.scalar(select(func.count()).select_from(PaymentEvent)) or 0
        return order.status, payment.status, payment.flag_reason, events


def test_a_capture_meta_confirms_pays_once_whatever_is_replayed(
    app_client: TestClient, graph: FakeGraph, shop_id: int
) -> None:
    order_id, public_id, total = _order(shop_id)
    reference = f"{public_id}.a1b2c3"
    graph.payments[(CONFIGURATION, reference)] = payment_record(reference, total)
    captured = _status(reference, "captured", total)
    _deliver(app_client, captured)
    _all_done(1)
    assert graph.payment_lookups == [(PHONE_NUMBER_ID, CONFIGURATION, reference)]
    status, paid, flag, events = _state(order_id)
    assert (status, paid, flag, events) == ("paid", "paid", None, 1)
    with session_scope() as s:
        payment = s.scalar(select(Payment).where(Payment.order_id == order_id))
        assert payment is not None and payment.provider_payment_id == "pay_FakeGraph001"
    # Meta's retry of the same delivery, and a failure arriving after the capture: nothing moves
    _deliver(app_client, captured)
    _deliver(app_client, _status(reference, "failed", total, wamid="wamid.PAY0"))
    _all_done(2)
    assert _state(order_id)[:3] == ("paid", "paid", None)


def test_a_capture_whose_lookup_disagrees_is_flagged_not_paid(
    app_client: TestClient, graph: FakeGraph, shop_id: int
) -> None:
    order_id, public_id, total = _order(shop_id)
    reference = f"{public_id}.d00d00"
    graph.payments[(CONFIGURATION, reference)] = payment_record(reference, total - 100)
    _deliver(app_client, _status(reference, "captured", total))
    _all_done(1)
    status, paid, flag, _ = _state(order_id)
    assert (status, paid) == ("pending_payment", "flagged")
    assert flag is not None and f"Meta's record says {total - 100} INR" in flag
    with session_scope() as s:
        outcomes = list(s.scalars(select(PaymentEvent.outcome)))
    assert outcomes == ["flagged"]
    _deliver(app_client, _status(reference, "captured", total))  # replayed: still not paid
    _all_done(1)
    assert _state(order_id)[:2] == ("pending_payment", "flagged")


def test_a_capture_meta_does_not_know_or_still_pending_is_not_paid(
    app_client: TestClient, graph: FakeGraph, shop_id: int
) -> None:
    order_id, public_id, total = _order(shop_id)
    unknown = f"{public_id}.000001"  # the fake Graph API answers 404 for it
    _deliver(app_client, _status(unknown, "captured", total, wamid="wamid.PAY2"))
    _all_done(1)
    status, paid, flag, _ = _state(order_id)
    assert (status, paid) == ("pending_payment", "flagged")
    assert flag is not None and "the lookup failed" in flag

    order_id, public_id, total = _order_again(shop_id)
    pending = f"{public_id}.000002"
    graph.payments[(CONFIGURATION, pending)] = payment_record(pending, total, status="pending")
    _deliver(app_client, _status(pending, "captured", total, wamid="wamid.PAY3"))
    _all_done(2)
    status, paid, flag, _ = _state(order_id)
    assert (status, paid) == ("pending_payment", "flagged")
    assert flag is not None and "says pending, not captured" in flag


def test_failures_and_pending_statuses_need_no_lookup(
    app_client: TestClient, graph: FakeGraph, shop_id: int
) -> None:
    order_id, public_id, total = _order(shop_id)
    reference = f"{public_id}.f00f00"
    _deliver(app_client, _status(reference, "pending", total, wamid="wamid.P1"))
    _deliver(app_client, _status(reference, "failed", total, wamid="wamid.P2"))
    _all_done(2)
    assert graph.payment_lookups == []
    assert _state(order_id)[:2] == ("pending_payment", "failed")


def _order_again(shop_id: int) -> tuple[int, str, int]:
    with session_scope() as s:
        cart.add_packs(s, shop_id, WA_ID, [("STP-0013", 3)])
        order = service.place_order(s, shop_id, WA_ID, **checkout(idempotency_key="key-2"))
        assert order.payment is not None
        return order.id, order.payment.id, order.total_paise
