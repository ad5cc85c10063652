"""WhatsApp Pay's order_details parameters from an order: Meta's money rules, the reference id,
the shop's payment setting, and the whole message against Meta's OpenAPI description."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.db import models as db
from bot.payments import order_details as od
from tests import meta_openapi

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
GATEWAY = od.PaySetting("payment_gateway", "razorpay", "chatcart-razorpay")
UPI = od.PaySetting("upi_intent_link", vpa="kirana@okaxis")


def _order(lines: list[tuple[str, str, int, str, int, int]], fee: int) -> tuple[Any, Any]:
    order = db.Order(
        id=7,
        subtotal_paise=sum(price * count for *_, price, count in lines),
        delivery_fee_paise=fee,
        created_at=NOW,
    )
    order.total_paise = order.subtotal_paise + fee
    order.lines = [
        db.OrderLine(
            sku=sku, name=name, pack_size=size, pack_unit=unit, unit_price_paise=price, count=count
        )
        for sku, name, size, unit, price, count in lines
    ]
    payment = db.Payment(
        public_id="cpay_AbCdEfGhIjKlMnOpQrSt", amount_paise=order.total_paise, currency="INR"
    )
    return order, payment


def _message(parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "919800000101",
        "type": "interactive",
        "interactive": {
            "type": "order_details",
            "body": {"text": "Order #7: ₹115"},
            "action": {"name": "review_and_pay", "parameters": parameters},
        },
    }


def test_an_order_becomes_order_details_in_paise_with_integer_packs() -> None:
    order, payment = _order(
        [
            ("STP-0013", "Chakki Atta (loose)", 1000, "g", 4500, 2),
            ("DRY-1", "Milk", 500, "ml", 2500, 1),
        ],
        fee=2500,
    )
    p = od.for_order(
        order, payment, GATEWAY, timeout_minutes=30, payee="Kirana", expiry_text="Pay in 30 min"
    )
    assert p["currency"] == "INR" and p["type"] == "physical-goods"
    assert p["total_amount"] == {"value": 14000, "offset": 100}
    assert [(i["name"], i["quantity"], i["amount"]) for i in p["order"]["items"]] == [
        ("Chakki Atta (loose) 1 kg", 2, {"value": 4500, "offset": 100}),
        ("Milk 500 ml", 1, {"value": 2500, "offset": 100}),
    ]
    assert all(isinstance(i["quantity"], int) for i in p["order"]["items"])
    assert p["order"]["subtotal"]["value"] == 11500 and p["order"]["shipping"]["value"] == 2500
    assert p["order"]["expiration"]["timestamp"] == str(
        int((NOW + timedelta(minutes=30)).timestamp())
    )
    assert p["payment_settings"] == [
        {
            "type": "payment_gateway",
            "payment_gateway": {"type": "razorpay", "configuration_name": "chatcart-razorpay"},
        }
    ]
    if meta_openapi.available():
        assert meta_openapi.problems(_message(p)) == []


def test_a_upi_intent_link_carries_the_amount_and_the_reference() -> None:
    order, payment = _order([("DRY-1", "Milk", 500, "ml", 2850, 3)], fee=0)
    p = od.for_order(order, payment, UPI, timeout_minutes=30, payee="Kirana", expiry_text="x")
    [setting] = p["payment_settings"]
    link = setting["upi_intent_link"]["link"]
    assert setting["type"] == "upi_intent_link" and link.startswith("upi://pay?pa=kirana@okaxis")
    assert "am=85.50" in link and f"tr={p['reference_id']}" in link
    if meta_openapi.available():
        assert meta_openapi.problems(_message(p)) == []


def test_every_message_gets_its_own_reference_that_names_the_payment() -> None:
    order, payment = _order([("DRY-1", "Milk", 500, "ml", 2850, 1)], fee=0)
    refs = {
        od.for_order(order, payment, GATEWAY, timeout_minutes=30, payee="K", expiry_text="x")[
            "reference_id"
        ]
        for _ in range(20)
    }
    assert len(refs) == 20  # a re-sent order gets a new suffix
    for ref in refs:
        assert od.REFERENCE_RE.fullmatch(ref) and len(ref) <= 35
        assert od.payment_public_id(ref) == payment.public_id
    assert od.payment_public_id("BM3-43D-12") == "BM3-43D-12"


@given(
    prices=st.lists(
        st.tuples(st.integers(0, 2_00_000), st.integers(1, 50)), min_size=1, max_size=30
    ),
    tax=st.integers(0, 50_000),
    shipping=st.integers(0, 10_000),
    discount=st.integers(0, 50_000),
)
def test_the_total_is_subtotal_plus_tax_plus_shipping_minus_discount(
    prices: list[tuple[int, int]], tax: int, shipping: int, discount: int
) -> None:
    items = [
        od.Item(f"SKU-{n}", f"Item {n}", price, count) for n, (price, count) in enumerate(prices)
    ]
    amounts = od.Amounts(sum(p * c for p, c in prices), tax, shipping, discount)
    try:
        p = od.parameters(
            reference_id="cpay_x.abc123",
            items=items,
            amounts=amounts,
            setting=GATEWAY,
            expires_at=NOW,
            payee="K",
            note="Order 1",
            expiry_text="x",
        )
    except od.NotPayable:
        assert not 0 < amounts.total <= od.UPI_CAP_PAISE
        return
    order = p["order"]
    parts = [order[k]["value"] if k in order else 0 for k in ("subtotal", "tax", "shipping")]
    assert p["total_amount"]["value"] == sum(parts) - (order.get("discount") or {}).get("value", 0)
    assert order["subtotal"]["value"] == sum(
        i["amount"]["value"] * i["quantity"] for i in order["items"]
    )
    assert all(
        a["offset"] == 100 and isinstance(a["value"], int)
        for a in [p["total_amount"], *(i["amount"] for i in order["items"])]
    )


def test_what_whatsapp_pay_refuses_falls_back_to_the_pay_link() -> None:
    order, payment = _order([("X", "Gold", 1, "pc", 6_00_000_00, 1)], fee=0)
    with pytest.raises(od.NotPayable, match="5,00,000"):
        od.for_order(order, payment, GATEWAY, timeout_minutes=30, payee="K", expiry_text="x")
    order, payment = _order([("DRY-1", "Milk", 500, "ml", 2850, 1)], fee=0)
    order.total_paise += 1  # an order whose own total disagrees is never sent
    with pytest.raises(od.NotPayable, match="add up"):
        od.for_order(order, payment, GATEWAY, timeout_minutes=30, payee="K", expiry_text="x")


def test_a_shops_setting_comes_from_whatsapp_pay_by_slug_then_star() -> None:
    configured = {
        "kirana": {"gateway": "payu", "configuration_name": "kirana-payu"},
        "*": {"upi_vpa": "platform@upi"},
    }
    assert od.pay_setting(configured, "kirana") == od.PaySetting(
        "payment_gateway", "payu", "kirana-payu"
    )
    assert od.pay_setting(configured, "other") == od.PaySetting(
        "upi_intent_link", vpa="platform@upi"
    )
    assert od.pay_setting({}, "kirana") is None
    with pytest.raises(ValueError, match="gateway"):
        od.pay_setting({"*": {"gateway": "stripe", "configuration_name": "x"}}, "k")
    with pytest.raises(ValueError, match="configuration_name or upi_vpa"):
        od.pay_setting({"*": {"gateway": "razorpay"}}, "k")
