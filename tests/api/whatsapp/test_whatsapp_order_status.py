"""Order updates in the WhatsApp Pay thread: every state change of an order the shopper was
offered order_details for goes as `order_status` on that sheet while the window is open, in
Meta's statuses and allowed moves; a move Meta has no status for, or refuses (2046, 2047), goes
as text; outside the window, the template. The outbox drains in the test's own app against the
fake Graph API, and the payment is made over the webhook."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.whatsapp import order_status
from api.whatsapp.render import order_details
from bot.db.models import Shop
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppOutgoing
from bot.orders import service
from bot.payments.order_details import payment_public_id
from bot.payments.whatsapp_offer import offer
from tests.api.whatsapp.support import (
    PHONE_NUMBER_ID,
    FakeGraph,
    outbox_drained,
    payment_record,
    shopper_wrote,
)
from tests.api.whatsapp.test_whatsapp_pay import (
    CONFIGURATION,
    _deliver,
    _order,
    _status,
    paying_app,
)
from tests.shop import WA_ID
from tests.waiting import wait_until


@pytest.fixture
def app_client(
    shop_id: int, monkeypatch: pytest.MonkeyPatch, graph: FakeGraph
) -> Iterator[TestClient]:
    yield from paying_app(monkeypatch, graph, outbox_every="0.1")


def _sheet_sent(shop_id: int, order_id: int) -> str:
    """The order_details sheet the chat sent for the order (as the gateway stores a sent
    reply); its reference id."""
    with session_scope() as s:
        shop = s.get_one(Shop, shop_id)
        payload = offer(s, shop, order_id, "hinglish")
        assert payload is not None
        sheet = order_details(payload["order_details"])
        s.add(
            WhatsAppOutgoing(
                wa_id=WA_ID,
                phone_number_id=PHONE_NUMBER_ID,
                type=sheet.type,
                body=sheet.request(WA_ID),
                options=sheet.options,
                state="sent",
                wamid=f"wamid.sheet{order_id}",
            )
        )
        return str(sheet.options["reference_id"])


def _updates(graph: FakeGraph, after: int) -> list[dict[str, Any]]:
    assert outbox_drained(), "the outbox was not drained"
    return graph.messages(WA_ID)[after:]


def _said(message: dict[str, Any]) -> tuple[str, str | None]:
    """(type, Meta's order status) of a sent message."""
    interactive = message.get("interactive") or {}
    if interactive.get("type") == "order_status":
        parameters = interactive["action"]["parameters"]
        return "order_status", parameters["order"]["status"]
    return message["type"], None


def test_a_paid_order_is_followed_on_its_sheet_to_completed(
    app_client: TestClient, graph: FakeGraph, shop_id: int
) -> None:
    shopper_wrote(WA_ID, "hinglish", timedelta(minutes=5))
    order_id, _, total = _order(shop_id)
    reference = _sheet_sent(shop_id, order_id)
    seen = len(_updates(graph, 0))  # the order_placed notice (the order was not placed in chat)
    graph.payments[(CONFIGURATION, reference)] = payment_record(reference, total)
    _deliver(app_client, _status(reference, "captured", total))
    wait_until(lambda: len(graph.messages(WA_ID)) > seen, "the paid order's update")
    [paid] = _updates(graph, seen)
    assert _said(paid) == ("order_status", "processing")
    assert paid["interactive"]["action"]["parameters"]["reference_id"] == reference
    assert f"Order #{order_id} ka" in paid["interactive"]["body"]["text"]  # Hinglish, as she wrote
    steps = []
    for status in ("packed", "out_for_delivery", "delivered"):
        with session_scope() as s:
            service.transition(s, order_id, status, "merchant:test")
        [message] = _updates(graph, seen + 1 + len(steps))
        steps.append(_said(message))
    # packed is still processing for Meta (the same status is no move): text
    assert steps == [("text", None), ("order_status", "shipped"), ("order_status", "completed")]
    with session_scope() as s:
        service.transition(s, order_id, "refunded", "merchant:test", "damaged")
    [refund] = _updates(graph, seen + 4)
    assert _said(refund) == ("text", None)  # Meta has no refunded; completed is final anyway


def test_an_unpaid_order_cancelled_is_canceled_on_its_sheet_and_2046_falls_back_to_text(
    app_client: TestClient, graph: FakeGraph, shop_id: int
) -> None:
    shopper_wrote(WA_ID, "en", timedelta(minutes=5))
    order_id, _, _ = _order(shop_id)
    _sheet_sent(shop_id, order_id)
    seen = len(_updates(graph, 0))
    with session_scope() as s:
        service.transition(s, order_id, "cancelled", "merchant:test", "out of stock")
    [cancelled] = _updates(graph, seen)
    assert _said(cancelled) == ("order_status", "canceled")

    # Meta refuses a move it should have allowed (it knows the order otherwise): text instead
    second, _, _ = _order_again(shop_id)
    _sheet_sent(shop_id, second)
    seen = len(_updates(graph, 0))
    graph.script.append(
        (400, {"error": {"message": "Invalid order status transition", "code": 2046}})
    )
    with session_scope() as s:
        service.transition(s, second, "cancelled", "merchant:test", "shop closed")
    sent = _updates(graph, seen)
    assert [_said(m) for m in sent] == [("order_status", "canceled"), ("text", None)]
    assert "shop closed" in sent[-1]["text"]["body"]


def test_a_failed_payment_gets_a_new_sheet_and_the_order_follows_the_one_paid(
    app_client: TestClient, graph: FakeGraph, shop_id: int
) -> None:
    shopper_wrote(WA_ID, "en", timedelta(minutes=5))
    order_id, public_id, total = _order(shop_id)
    first = _sheet_sent(shop_id, order_id)
    seen = len(_updates(graph, 0))
    _deliver(app_client, _status(first, "failed", total, wamid="wamid.FAIL1"))
    wait_until(lambda: len(graph.messages(WA_ID)) > seen, "the failed payment's notice")
    [again] = _updates(graph, seen)
    assert again["interactive"]["type"] == "order_details"
    second = again["interactive"]["action"]["parameters"]["reference_id"]
    assert second != first and payment_public_id(second) == public_id  # a new suffix
    assert "didn't go through" in again["interactive"]["body"]["text"]
    graph.payments[(CONFIGURATION, second)] = payment_record(second, total)
    _deliver(app_client, _status(second, "captured", total, wamid="wamid.PAID2"))
    wait_until(lambda: len(graph.messages(WA_ID)) > seen + 1, "the paid order's update")
    [paid] = _updates(graph, seen + 1)
    assert paid["interactive"]["action"]["parameters"] == {
        "reference_id": second,
        "order": {"status": "processing"},
    }


def test_outside_the_window_the_update_is_the_template(
    app_client: TestClient, graph: FakeGraph, shop_id: int
) -> None:
    shopper_wrote(WA_ID, "en", timedelta(days=2))
    order_id, _, _ = _order(shop_id)
    _sheet_sent(shop_id, order_id)
    seen = len(_updates(graph, 0))
    with session_scope() as s:
        service.transition(s, order_id, "cancelled", "merchant:test")
    [message] = _updates(graph, seen)
    assert message["type"] == "template"
    assert message["template"]["name"] == "chatcart_order_cancelled"


def test_metas_moves() -> None:
    assert order_status.allowed("pending", "processing")
    assert order_status.allowed("processing", "shipped")
    assert not order_status.allowed("processing", "processing")
    assert not order_status.allowed("shipped", "processing")
    assert not order_status.allowed("completed", "canceled")
    assert order_status.META_STATUS["order_out_for_delivery"] == "shipped"
    assert "order_refunded" not in order_status.META_STATUS


def _order_again(shop_id: int) -> tuple[int, str, int]:
    from tests.api.whatsapp.test_whatsapp_pay import _order_again as again

    return again(shop_id)
