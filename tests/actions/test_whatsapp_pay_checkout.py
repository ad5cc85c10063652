"""Checkout offers WhatsApp Pay's order_details sheet for a shop set up for it, and the pay link
for every other shop; the sheet the gateway renders from the action's payload is one Meta takes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from actions.checkout import ActionPlaceOrder
from api.whatsapp.render import check, render
from bot.db.models import Order, Payment
from bot.db.session import session_scope
from bot.payments.order_details import payment_public_id
from bot.settings import get_settings
from tests import meta_openapi
from tests.actions.conftest import make_tracker, run
from tests.actions.test_checkout_actions import confirmed_slots, fill_cart


@pytest.fixture
def whatsapp_pay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "WHATSAPP_PAY",
        json.dumps({"*": {"gateway": "razorpay", "configuration_name": "kirana-rzp"}}),
    )
    get_settings.cache_clear()


def test_a_whatsapp_pay_shop_gets_the_order_details_sheet(whatsapp_pay: None) -> None:
    fill_cart()
    result = run(ActionPlaceOrder(), make_tracker("haan", "affirm", slots=confirmed_slots()))
    assert "✅ Order #" in result.text and "Pay by UPI here" not in result.text
    [custom] = [m["custom"] for m in result.messages if m.get("custom")]
    with session_scope() as s:
        order = s.scalar(select(Order))
        payment = s.scalar(select(Payment))
        assert order is not None and payment is not None
        total, public_id, pay_url = order.total_paise, payment.public_id, payment.pay_url
    assert custom["text"] == f"Pay by UPI here: {pay_url}"  # what a channel without WhatsApp shows
    messages = render([{"recipient_id": "x", "custom": custom}], "en")
    assert len(messages) == 1
    [sheet] = messages
    body = sheet.request("919800000101")
    assert check(body) == []
    if meta_openapi.available():
        assert meta_openapi.problems(body) == []
    interactive = body["interactive"]
    assert interactive["type"] == "order_details"
    assert interactive["action"]["name"] == "review_and_pay"
    parameters = interactive["action"]["parameters"]
    assert parameters["total_amount"] == {"value": total, "offset": 100}
    assert payment_public_id(parameters["reference_id"]) == public_id
    assert sheet.options == {"kind": "order_details", "reference_id": parameters["reference_id"]}
    assert f"₹{total // 100}" in interactive["body"]["text"]


def test_a_shop_without_whatsapp_pay_keeps_the_pay_link() -> None:
    fill_cart()
    result = run(ActionPlaceOrder(), make_tracker("yes", "affirm", slots=confirmed_slots()))
    assert "Pay by UPI here: http" in result.text
    assert not [m for m in result.messages if m.get("custom")]


def test_cash_on_delivery_is_never_offered_whatsapp_pay(whatsapp_pay: None) -> None:
    fill_cart()
    result = run(
        ActionPlaceOrder(),
        make_tracker("yes", "affirm", slots=confirmed_slots(payment_method="cod")),
    )
    assert not [m for m in result.messages if m.get("custom")]


def test_the_renderers_check_refuses_sheets_that_do_not_add_up() -> None:
    parameters = {
        "reference_id": "cpay_x.abc",
        "currency": "INR",
        "total_amount": {"value": 1000, "offset": 100},
        "payment_settings": [{"type": "payment_gateway"}],
        "order": {
            "items": [{"amount": {"value": 450, "offset": 100}, "quantity": 1.5}],
            "subtotal": {"value": 900, "offset": 100},
            "tax": {"value": 0, "offset": 100},
        },
    }
    [sheet] = render(
        [{"custom": {"order_details": {"body": "Pay", "parameters": parameters}}}], "en"
    )
    problems = check(sheet.request("919800000101"))
    assert "item quantity 1.5" in problems
    assert any(p.startswith("items come to 0, the subtotal says 900") for p in problems)
    assert any(p.startswith("total_amount is not subtotal") for p in problems)
