"""Against a real uvicorn server on 127.0.0.1: a shop on a sandbox account of its own — its
pay page's Approve makes the gateway sign with that shop's secret and deliver to that shop's
webhook route, which pays the order; the platform's route and secret cannot."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import httpx
from sqlalchemy import select, update

from bot.cart import service as cart
from bot.catalog.sources import CatalogFile
from bot.catalog.store import load_catalog
from bot.db.models import Payment, Product
from bot.db.session import session_scope
from bot.orders import service
from bot.payments import sandbox
from bot.settings import get_settings
from bot.shops.directory import create_shop
from tests.shop import SHOP_CATEGORIES, WA_ID, LiveServer, checkout

EAST_SECRET = "east-sandbox-secret"


def test_a_shops_own_sandbox_account_pays_through_its_own_route(
    live_server: LiveServer, seed_catalog: CatalogFile
) -> None:
    with session_scope(write=True) as s:
        east = create_shop(s, "east", "East", None, payment_provider="sandbox",
                           payment_webhook_secret=EAST_SECRET)  # fmt: skip
        s.flush()
        aisles = [p for p in seed_catalog.products if p.category in SHOP_CATEGORIES]
        load_catalog(s, east, CatalogFile(aisles, seed_catalog.categories))
        s.execute(update(Product).values(stock=20))
        east_id = east.id
    with session_scope() as s:
        cart.add_packs(s, east_id, WA_ID, [("STP-0013", 2)])
        order = service.place_order(s, east_id, WA_ID, **checkout())
    with session_scope() as s:
        payment = s.scalar(select(Payment).where(Payment.order_id == order.id))
        assert payment is not None and payment.provider == f"sandbox#{east_id}"
        public_id, total = payment.public_id, payment.amount_paise

    # the platform's secret, on the platform's route, finds no such payment
    body = sandbox.gateway_event(public_id, total, "INR", "approve")
    platform = get_settings().sandbox_webhook_secret.get_secret_value()
    ack = httpx.post(
        f"{live_server.url}{sandbox.WEBHOOK_PATH}",
        content=body,
        headers={sandbox.SIGNATURE_HEADER: hmac.new(platform.encode(), body, hashlib.sha256)
                 .hexdigest(), "Content-Type": "application/json"},
        timeout=30,
    )  # fmt: skip
    assert ack.status_code == 200 and ack.json()["outcome"] == "unknown_payment"
    assert sandbox.deliver(f"{live_server.url}{sandbox.WEBHOOK_PATH}/east", body, platform) == 401

    with httpx.Client(base_url=live_server.url, timeout=30) as browser:
        approved = browser.post(f"/pay/{public_id}/approve", follow_redirects=True)
        assert "Gateway callback: 200" in approved.text
        assert re.search(r'id="status">paid<', approved.text)
    with session_scope() as s:
        assert service.get_order(s, east_id, order.id).status == "paid"
    assert json.loads(body)["payment"]["reference"] == public_id
