"""Payments per shop: each shop takes payments on its own provider account, and a webhook is
checked with the secret of the account it claims and can only find that account's payments —
shop A's Razorpay webhook (signed with A's secret) cannot mark shop B's order paid. Real
signed bodies (the razorpay-python vector, and link events signed here), a local HTTP server
standing in for Razorpay, SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.main import create_app
from bot.cart import service as cart
from bot.catalog.sources import CatalogFile
from bot.catalog.store import load_catalog
from bot.db.models import Payment, Product, Shop
from bot.db.session import session_scope
from bot.orders import service
from bot.settings import get_settings
from bot.shops.directory import InvalidShop, create_shop, update_shop
from tests.conftest import shared_path
from tests.shop import SHOP_CATEGORIES, WA_ID, FakeRazorpay, checkout

PLATFORM_SECRET = "whsec_platform_000"
EAST_SECRET = "whsec_east_111"
WEBHOOKS = "/api/v1/payments/webhooks/razorpay"


@pytest.fixture
def shops(
    shop_id: int,
    seed_catalog: CatalogFile,
    razorpay_server: FakeRazorpay,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, int]:
    """The default shop on the platform's Razorpay account, `east` on one of its own and
    `north` on the platform's too, each with the same aisles."""
    for name, value in {
        "PAYMENT_PROVIDER": "razorpay",
        "RAZORPAY_KEY_ID": "rzp_platform",
        "RAZORPAY_KEY_SECRET": "platform_key_secret",
        "RAZORPAY_WEBHOOK_SECRET": PLATFORM_SECRET,
        "RAZORPAY_API_BASE": razorpay_server.url,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    aisles = CatalogFile(
        [p for p in seed_catalog.products if p.category in SHOP_CATEGORIES],
        seed_catalog.categories,
    )
    ids = {"default": shop_id}
    with session_scope(write=True) as s:
        for slug, own in (("east", True), ("north", False)):
            account = (
                {
                    "payment_provider": "razorpay",
                    "payment_key_id": "rzp_east",
                    "payment_key_secret": "east_key_secret",
                    "payment_webhook_secret": EAST_SECRET,
                }
                if own
                else {}
            )
            shop = create_shop(s, slug, slug.title(), None, **account)
            s.flush()
            load_catalog(s, shop, aisles)
            ids[slug] = shop.id
        s.execute(update(Product).values(stock=20))
    return ids


@pytest.fixture
def client(shops: dict[str, int]) -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def _upi_order(shop_id: int) -> tuple[int, str, str]:
    """(order id, its payment's provider name, the Razorpay link id) of a fresh UPI order."""
    with session_scope() as s:
        cart.add_packs(s, shop_id, WA_ID, [("STP-0013", 2)])
        order = service.place_order(s, shop_id, WA_ID, **checkout())
    with session_scope() as s:
        payment = s.scalar(select(Payment).where(Payment.order_id == order.id))
        assert payment is not None
        return order.id, payment.provider, payment.provider_ref


def _status(shop_id: int, order_id: int) -> str:
    with session_scope() as s:
        return service.get_order(s, shop_id, order_id).status


def _link_paid(link_id: str, amount: int, event_id: str) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "entity": "event",
            "event": "payment_link.paid",
            "payload": {
                "payment_link": {
                    "entity": {"id": link_id, "amount": amount, "amount_paid": amount}
                },
                "payment": {
                    "entity": {
                        "id": f"pay_{event_id}",
                        "amount": amount,
                        "currency": "INR",
                        "status": "captured",
                    }
                },
            },
        }
    ).encode()


def _post(client: TestClient, path: str, body: bytes, secret: str) -> tuple[int, dict]:
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        path,
        content=body,
        headers={"Content-Type": "application/json", "X-Razorpay-Signature": signature},
    )
    return response.status_code, response.json()


def test_each_shop_pays_through_its_own_account(
    shops: dict[str, int], razorpay_server: FakeRazorpay
) -> None:
    _, east_provider, _ = _upi_order(shops["east"])
    _, default_provider, _ = _upi_order(shops["default"])
    assert east_provider == f"razorpay#{shops['east']}" and default_provider == "razorpay"
    auths = [r["auth"] for r in razorpay_server.requests]
    assert auths == [
        "Basic " + base64.b64encode(b"rzp_east:east_key_secret").decode(),
        "Basic " + base64.b64encode(b"rzp_platform:platform_key_secret").decode(),
    ]
    callback = razorpay_server.requests[0]["body"]["callback_url"]
    assert callback.endswith("/api/v1/payments/razorpay/callback/east")


def test_one_shops_webhook_cannot_mark_another_shops_order_paid(
    shops: dict[str, int], client: TestClient
) -> None:
    order_id, _, link_id = _upi_order(shops["east"])
    with session_scope() as s:
        total = service.get_order(s, shops["east"], order_id).total_paise
    body = _link_paid(link_id, total, "evt_east_paid")

    # the platform's secret (every other shop's account) verifies, but finds no such payment
    for route in (WEBHOOKS, f"{WEBHOOKS}/default", f"{WEBHOOKS}/north"):
        status, ack = _post(client, route, body, PLATFORM_SECRET)
        assert status == 200 and ack["outcome"] == "unknown_payment", (route, ack)
    # east's route checks east's secret: the platform's signature is refused
    status, ack = _post(client, f"{WEBHOOKS}/east", body, PLATFORM_SECRET)
    assert status == 401 and ack["code"] == "invalid-signature"
    # and east's secret is worth nothing on the platform's route
    assert _post(client, WEBHOOKS, body, EAST_SECRET)[0] == 401
    assert _status(shops["east"], order_id) == "pending_payment"

    status, ack = _post(client, f"{WEBHOOKS}/east", body, EAST_SECRET)
    assert status == 200 and ack["outcome"] == "paid" and not ack["duplicate"]
    assert _status(shops["east"], order_id) == "paid"
    assert _post(client, f"{WEBHOOKS}/east", body, EAST_SECRET)[1]["duplicate"] is True


def test_a_shop_route_finds_only_that_shops_payments_on_a_shared_account(
    shops: dict[str, int], client: TestClient
) -> None:
    """North and the default shop share the platform's account: a real event of the default
    shop's, replayed to north's route, finds nothing there — and does not spoil the delivery
    to the right route, which still pays."""
    order_id, _, link_id = _upi_order(shops["default"])
    with session_scope() as s:
        total = service.get_order(s, shops["default"], order_id).total_paise
    body = _link_paid(link_id, total, "evt_default_paid")
    status, ack = _post(client, f"{WEBHOOKS}/north", body, PLATFORM_SECRET)
    assert status == 200 and ack["outcome"] == "unknown_payment"
    assert _status(shops["default"], order_id) == "pending_payment"
    status, ack = _post(client, f"{WEBHOOKS}/default", body, PLATFORM_SECRET)
    assert status == 200 and ack["outcome"] == "paid" and not ack["duplicate"]
    assert _status(shops["default"], order_id) == "paid"


@pytest.mark.shared
def test_the_real_razorpay_vector_verifies_on_its_shops_route_only(
    shops: dict[str, int], client: TestClient
) -> None:
    vector = json.loads(shared_path("payments", "razorpay_signature_vectors.json").read_text())
    body = shared_path("payments", vector["webhook"]["body_file"]).read_bytes()
    with session_scope(write=True) as s:
        update_shop(s, "north", payment_provider="razorpay", payment_key_id="rzp_n",
                    payment_key_secret="n", payment_webhook_secret=vector["webhook"]["secret"])  # fmt: skip
    headers = {
        "Content-Type": "application/json",
        "X-Razorpay-Signature": vector["webhook"]["x_razorpay_signature"],
    }
    ok = client.post(f"{WEBHOOKS}/north", content=body, headers=headers)
    assert ok.status_code == 200 and ok.json()["outcome"] == "ignored"  # payment.authorized
    for other in ("east", "default"):
        assert client.post(f"{WEBHOOKS}/{other}", content=body, headers=headers).status_code == 401
    assert client.post(WEBHOOKS, content=body, headers=headers).status_code == 401
    assert client.post(f"{WEBHOOKS}/nowhere", content=body, headers=headers).status_code == 404
    sandbox = client.post("/api/v1/payments/webhooks/sandbox/east", content=body, headers=headers)
    assert sandbox.status_code == 404  # east takes Razorpay, not the sandbox


def test_an_account_of_its_own_is_whole_or_nothing(shops: dict[str, int]) -> None:
    refused = {
        "payment_key_secret": {"payment_provider": "razorpay", "payment_key_id": "k",
                               "payment_webhook_secret": "w"},
        "payment-provider": {"payment_webhook_secret": "w"},
        "sandbox or razorpay": {"payment_provider": "paypal"},
    }  # fmt: skip
    for reason, fields in refused.items():
        with pytest.raises(InvalidShop, match=reason), session_scope(write=True) as s:
            update_shop(s, "north", **fields)
    with session_scope() as s:
        north = s.scalar(select(Shop).where(Shop.slug == "north"))
        assert north is not None and north.payment_provider is None


def test_production_refuses_a_shops_own_sandbox(
    shops: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "environment", "production", raising=False)
    with pytest.raises(InvalidShop, match="not in production"), session_scope(write=True) as s:
        update_shop(s, "north", payment_provider="sandbox", payment_webhook_secret="w")
