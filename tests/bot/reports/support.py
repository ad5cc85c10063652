"""Real orders, payments, inbox messages and review items for report and console tests, with
their timestamps moved to the instants a test needs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from bot.cart import service as cart
from bot.catalog.sources import CatalogFile
from bot.catalog.store import ensure_shop, load_catalog
from bot.db.models import Cart, Customer, Order
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.orders import service
from bot.orders.model import Order as OrderView
from bot.payments import sandbox
from bot.payments.configured import configured_provider
from bot.payments.webhooks import handle_webhook
from bot.review.service import record
from bot.settings import get_settings
from tests.shop import SHOP_CATEGORIES, checkout

ATTA, MILK = "STP-0013", "DRY-0001"
_WAMIDS = itertools.count(1)


def second_shop(seed_catalog: CatalogFile, slug: str = "other") -> int:
    aisles = CatalogFile(
        products=[p for p in seed_catalog.products if p.category in SHOP_CATEGORIES],
        categories=seed_catalog.categories,
    )
    with session_scope(write=True) as s:
        shop = ensure_shop(s, slug, "Other Kirana")
        load_catalog(s, shop, aisles)
        return shop.id


def place(
    shop_id: int,
    wa_id: str,
    method: str = "upi",
    key: str | None = None,
    packs: list[tuple[str, int]] | None = None,
) -> OrderView:
    with session_scope(write=True) as s:
        cart.add_packs(s, shop_id, wa_id, packs or [(ATTA, 2), (MILK, 1)])
        return service.place_order(
            s,
            shop_id,
            wa_id,
            **checkout(
                payment_method=method,
                idempotency_key=key or f"{wa_id}-{method}-{datetime.now().timestamp()}",
            ),
        )


def pay(order: OrderView) -> None:
    assert order.payment is not None
    body = sandbox.gateway_event(order.payment.id, order.payment.amount_paise, "INR", "approve")
    secret = get_settings().sandbox_webhook_secret.get_secret_value()
    with session_scope(write=True) as s:
        handle_webhook(
            s, configured_provider(), body, {sandbox.SIGNATURE_HEADER: sandbox.sign(body, secret)}
        )


def move(order_id: int, *statuses: str, actor: str = "merchant:test") -> OrderView:
    with session_scope(write=True) as s:
        for status in statuses:
            order = service.transition(s, order_id, status, actor)
    return order


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def placed_at(order_id: int, when: datetime) -> None:
    with session_scope(write=True) as s:
        s.execute(update(Order).where(Order.id == order_id).values(created_at=when))


def cart_touched_at(wa_id: str, when: datetime) -> None:
    with session_scope(write=True) as s:
        s.execute(
            update(Cart)
            .where(Cart.customer_id.in_(select(Customer.id).where(Customer.wa_id == wa_id)))
            .values(updated_at=when)
        )


def inbox_message(wa_id: str, when: datetime, n: int = 1) -> None:
    with session_scope(write=True) as s:
        for _ in range(n):
            s.add(
                WhatsAppInbox(
                    key=f"message:wamid.{next(_WAMIDS)}",
                    kind="message",
                    type="text",
                    wa_id=wa_id,
                    phone_number_id="100000000000001",
                    payload={"message": {"type": "text", "text": {"body": "hi"}}},
                    state="done",
                    received_at=when,
                )
            )


def review(
    shop_id: int,
    kind: str,
    text: str,
    when: datetime,
    conversation_id: str | None = None,
    language: str = "en",
    **extra: Any,
) -> None:
    with session_scope(write=True) as s:
        item = record(
            s,
            shop_id,
            kind=kind,
            text=text,
            language=language,
            conversation_id=conversation_id,
            **extra,
        )
        item.created_at = when
