"""Razorpay: the real signature vectors, and payment links, webhooks and refunds against a
local HTTP server standing in for Razorpay's API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from sqlalchemy import select

from bot.cart import service as cart
from bot.db.models import Payment, PaymentEvent
from bot.db.session import session_scope
from bot.orders import service
from bot.payments.configured import configured_provider
from bot.payments.errors import InvalidSignature
from bot.payments.razorpay import EVENT_ID_HEADER, SIGNATURE_HEADER, RazorpayProvider
from bot.payments.webhooks import handle_webhook
from bot.settings import get_settings
from tests.conftest import shared_path
from tests.shop import WA_ID, FakeRazorpay, checkout

WEBHOOK_SECRET = "whsec_test_0123456789"


def _vectors() -> dict:
    return json.loads(shared_path("payments", "razorpay_signature_vectors.json").read_text())


@pytest.mark.shared
def test_the_real_webhook_vector_verifies_on_the_raw_body() -> None:
    v = _vectors()["webhook"]
    body = shared_path("payments", v["body_file"]).read_bytes()
    provider = RazorpayProvider("rzp_test", "unused", v["secret"])
    event = provider.parse_webhook(body, {"x-razorpay-signature": v["x_razorpay_signature"]})
    assert event.event_type == "payment.authorized" and event.kind == "ignored"
    assert event.amount_paise == 1000000 and event.currency == "INR"
    for tampered in (body.replace(b"1000000", b"1000001"), body + b" ", body.rstrip(b"\n")):
        with pytest.raises(InvalidSignature):
            provider.parse_webhook(tampered, {SIGNATURE_HEADER: v["x_razorpay_signature"]})
    with pytest.raises(InvalidSignature):
        RazorpayProvider("k", "s", "wrong").parse_webhook(
            body, {SIGNATURE_HEADER: v["x_razorpay_signature"]}
        )


@pytest.mark.shared
def test_the_real_payment_and_payment_link_vectors_verify() -> None:
    vectors = _vectors()
    link = vectors["payment_link"]
    provider = RazorpayProvider("rzp_test", link["secret"], "unused")
    params = {
        "payment_link_id": link["payment_link_id"],
        "payment_link_reference_id": link["payment_link_reference_id"],
        "payment_link_status": link["payment_link_status"],
        "razorpay_payment_id": link["razorpay_payment_id"],
        "razorpay_signature": link["razorpay_signature"],
    }
    provider.verify_link_callback(params)
    with pytest.raises(InvalidSignature):
        provider.verify_link_callback(params | {"payment_link_status": "failed"})
    pay = vectors["payment"]
    assert RazorpayProvider(
        "rzp_test", pay["secret"], "unused"
    ).client.utility.verify_payment_signature(
        {
            "razorpay_order_id": pay["razorpay_order_id"],
            "razorpay_payment_id": pay["razorpay_payment_id"],
            "razorpay_signature": pay["razorpay_signature"],
        }
    )


@pytest.fixture
def razorpay(
    shop_id: int, razorpay_server: FakeRazorpay, monkeypatch: pytest.MonkeyPatch
) -> FakeRazorpay:
    for name, value in {
        "PAYMENT_PROVIDER": "razorpay",
        "RAZORPAY_KEY_ID": "rzp_test_key",
        "RAZORPAY_KEY_SECRET": "key_secret_x",
        "RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "RAZORPAY_API_BASE": razorpay_server.url,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return razorpay_server


def _signed(event: dict, event_id: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event).encode()
    sig = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {SIGNATURE_HEADER: sig, EVENT_ID_HEADER: event_id}


def _link_paid(link_id: str, amount: int, currency: str = "INR") -> dict:
    return {
        "entity": "event",
        "event": "payment_link.paid",
        "contains": ["payment_link", "order", "payment"],
        "payload": {
            "payment_link": {
                "entity": {
                    "id": link_id,
                    "amount": amount,
                    "amount_paid": amount,
                    "currency": currency,
                    "status": "paid",
                }
            },
            "payment": {
                "entity": {
                    "id": "pay_TEST000001",
                    "amount": amount,
                    "currency": currency,
                    "status": "captured",
                    "method": "upi",
                }
            },
        },
        "created_at": 1764000000,
    }


def test_a_upi_order_gets_a_payment_link_and_is_paid_by_the_webhook(
    razorpay: FakeRazorpay, shop_id: int
) -> None:
    with session_scope() as s:
        cart.add_packs(s, shop_id, WA_ID, [("STP-0013", 2)])
        order = service.place_order(s, shop_id, WA_ID, **checkout())
    assert order.payment is not None and order.payment.provider == "razorpay"
    assert order.payment.pay_url.startswith("https://rzp.io/i/")
    sent = razorpay.requests[0]
    assert sent["path"] == "/v1/payment_links"
    assert sent["auth"] == "Basic " + base64.b64encode(b"rzp_test_key:key_secret_x").decode()
    assert sent["body"]["amount"] == order.total_paise and sent["body"]["currency"] == "INR"
    assert (
        sent["body"]["reference_id"] == order.payment.id
        and sent["body"]["customer"]["contact"] == f"+{WA_ID}"
    )

    with session_scope() as s:
        link_id = s.scalar(select(Payment.provider_ref))
    body, headers = _signed(_link_paid(link_id, order.total_paise), "evt_link_paid_1")
    with session_scope() as s:
        assert handle_webhook(s, configured_provider(), body, headers).outcome == "paid"
    with session_scope() as s:
        assert handle_webhook(s, configured_provider(), body, headers).duplicate
        paid = service.get_order(s, shop_id, order.id)
    assert paid.status == "paid" and paid.payment is not None and paid.payment.status == "paid"

    with session_scope() as s:
        refunded = service.cancel_order(s, shop_id, order.id, f"shopper:{WA_ID}")
    assert refunded.status == "refunded"
    assert razorpay.requests[-1]["path"] == "/v1/payments/pay_TEST000001/refund"
    assert razorpay.requests[-1]["body"]["amount"] == order.total_paise


def test_a_short_payment_link_payment_is_flagged(razorpay: FakeRazorpay, shop_id: int) -> None:
    with session_scope() as s:
        cart.add_packs(s, shop_id, WA_ID, [("STP-0013", 2)])
        order = service.place_order(s, shop_id, WA_ID, **checkout())
        link_id = s.scalar(select(Payment.provider_ref))
    body, headers = _signed(_link_paid(link_id, order.total_paise - 100), "evt_short")
    with session_scope() as s:
        assert handle_webhook(s, configured_provider(), body, headers).outcome == "flagged"
        assert service.get_order(s, shop_id, order.id).status == "pending_payment"


def test_an_expired_link_cancels_the_order(razorpay: FakeRazorpay, shop_id: int) -> None:
    with session_scope() as s:
        cart.add_packs(s, shop_id, WA_ID, [("STP-0013", 2)])
        order = service.place_order(s, shop_id, WA_ID, **checkout())
        link_id = s.scalar(select(Payment.provider_ref))
    event = {
        "event": "payment_link.expired",
        "payload": {
            "payment_link": {
                "entity": {
                    "id": link_id,
                    "amount": order.total_paise,
                    "currency": "INR",
                    "status": "expired",
                }
            }
        },
    }
    body, headers = _signed(event, "evt_expired")
    with session_scope() as s:
        assert handle_webhook(s, configured_provider(), body, headers).outcome == "expired"
        assert service.get_order(s, shop_id, order.id).status == "cancelled"


def test_a_replayed_body_is_the_same_event_whatever_its_event_id_header(
    razorpay: FakeRazorpay, shop_id: int
) -> None:
    """`X-Razorpay-Event-Id` is not signed: a captured delivery replayed with a new header value
    (or none, or re-serialised) must still be the event already applied."""
    with session_scope() as s:
        cart.add_packs(s, shop_id, WA_ID, [("STP-0013", 2)])
        order = service.place_order(s, shop_id, WA_ID, **checkout())
        link_id = s.scalar(select(Payment.provider_ref))
    event = _link_paid(link_id, order.total_paise)
    body, headers = _signed(event, "evt_first")
    with session_scope() as s:
        first = handle_webhook(s, configured_provider(), body, headers)
    assert first.outcome == "paid" and not first.duplicate
    respaced = json.dumps(event, indent=2, sort_keys=True).encode()
    replays = [
        (body, headers | {EVENT_ID_HEADER: "evt_forged_2"}),
        (body, {SIGNATURE_HEADER: headers[SIGNATURE_HEADER]}),
        _signed(json.loads(respaced), "evt_forged_3"),
    ]
    for replay_body, replay_headers in replays:
        with session_scope() as s:
            again = handle_webhook(s, configured_provider(), replay_body, replay_headers)
        assert again.duplicate and again.event_id == first.event_id
    with session_scope() as s:
        events = s.scalars(select(PaymentEvent.event_id)).all()
    assert events == [first.event_id]


@pytest.mark.shared
def test_the_real_webhook_is_known_by_its_signed_body() -> None:
    v = _vectors()["webhook"]
    body = shared_path("payments", v["body_file"]).read_bytes()
    provider = RazorpayProvider("rzp_test", "unused", v["secret"])
    signature = {SIGNATURE_HEADER: v["x_razorpay_signature"]}
    plain = provider.parse_webhook(body, signature)
    headed = provider.parse_webhook(body, signature | {EVENT_ID_HEADER: "evt_anything"})
    assert plain.event_id == headed.event_id and plain.event_id.startswith("sha256:")
