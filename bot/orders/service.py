"""Checkout and the order's life. The rules a till would keep:

- one Idempotency-Key, one order: a retried or double-tapped checkout returns the first order;
- stock is taken with a conditional `UPDATE … SET stock = stock - n WHERE stock >= n`, and the
  row count says whether it was there, so concurrent orders can never oversell;
- the order keeps its own copy of names, packs and prices;
- every status change is checked against `bot.orders.states`, recorded with time and actor,
  and announced to the shopper through the outbox, all in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.cart.model import CartView
from bot.cart.pricing import totals
from bot.cart.service import add_available, cart_row, customer_row
from bot.db import models as db
from bot.db.base import as_utc
from bot.db.session import begin_write
from bot.notifications.outbox import enqueue
from bot.orders import states
from bot.orders.errors import (
    BelowMinimum,
    EmptyCart,
    IdempotencyKeyReused,
    InvalidCheckout,
    InvalidTransition,
    OrderNotFound,
    OutOfStock,
)
from bot.orders.model import Order, OrderLineView, StatusChange
from bot.orders.slots import check_slot
from bot.payments import ledger
from bot.payments.provider import PaymentProvider
from bot.settings import get_settings
from bot.shops import terms_of
from bot.shops.area import check_pincode
from bot.vocabulary import OrderStatus

PINCODE = re.compile(r"[1-9][0-9]{5}")
MAX_KEY = 200
MAX_ADDRESS = 500


def order_view(order: db.Order, replayed: bool = False, payment: db.Payment | None = None) -> Order:
    session = Session.object_session(order)
    if payment is None and order.payment_method == "upi" and session is not None:
        payment = ledger.payment_for_order(session, order.id)
    return Order(
        id=order.id,
        shop_id=order.shop_id,
        wa_id=order.customer.wa_id,
        status=order.status,
        payment_method=order.payment_method,
        lines=tuple(
            OrderLineView(
                ln.sku,
                ln.name,
                ln.brand,
                ln.pack_size,
                ln.pack_unit,
                ln.count,
                ln.unit_price_paise,
                ln.unit_price_paise * ln.count,
            )
            for ln in order.lines
        ),
        subtotal_paise=order.subtotal_paise,
        delivery_fee_paise=order.delivery_fee_paise,
        total_paise=order.total_paise,
        address=order.address,
        pincode=order.pincode,
        delivery_slot=order.delivery_slot,
        created_at=as_utc(order.created_at),
        updated_at=as_utc(order.updated_at),
        history=tuple(
            StatusChange(e.from_status, e.to_status, e.actor, e.reason, as_utc(e.created_at))
            for e in order.events
        ),
        payment=ledger.payment_view(payment) if payment is not None else None,
        next_statuses=tuple(states.next_statuses(order.status, order.payment_method)),
        replayed=replayed,
    )


def _request_hash(wa_id: str, address: str, pincode: str, slot: str, method: str) -> str:
    return hashlib.sha256(json.dumps([wa_id, address, pincode, slot, method]).encode()).hexdigest()


def _by_key(session: Session, shop_id: int, key: str) -> db.Order | None:
    return session.scalar(
        select(db.Order)
        .where(db.Order.shop_id == shop_id, db.Order.idempotency_key == key)
        .execution_options(populate_existing=True)
    )


def _replay(order: db.Order, request_hash: str) -> Order:
    if order.request_hash != request_hash:
        raise IdempotencyKeyReused(
            f"Idempotency-Key was first used for order #{order.id} with a different request; "
            "use a new key for a new order",
            order_id=order.id,
        )
    return order_view(order, replayed=True)


def _validate(idempotency_key: str, address: str, pincode: str, payment_method: str) -> str:
    if not idempotency_key or len(idempotency_key) > MAX_KEY or not idempotency_key.isprintable():
        raise InvalidCheckout(f"an Idempotency-Key is 1 to {MAX_KEY} printable characters")
    address = " ".join(address.split())
    if not 5 <= len(address) <= MAX_ADDRESS or not address.isprintable():
        raise InvalidCheckout(f"the delivery address must be 5 to {MAX_ADDRESS} characters")
    if not PINCODE.fullmatch(pincode):
        raise InvalidCheckout(f"{pincode!r} is not an Indian PIN code (six digits)")
    if payment_method not in ("upi", "cod"):
        raise InvalidCheckout(f"payment method {payment_method!r}: use upi or cod")
    return address


def _reserve(session: Session, shop_id: int, lines: list[db.CartLine]) -> None:
    """Take the packs off the shelf, or raise `OutOfStock` naming every line that is short.
    Rows are updated in id order so two orders never wait on each other in a cycle."""
    short: list[str] = []
    for line in sorted(lines, key=lambda ln: ln.product_id):
        # An UPDATE's result is a CursorResult (it has the rowcount); Session.execute is typed
        # Result.
        taken = cast(
            CursorResult[Any],
            session.execute(
                update(db.Product)
                .where(
                    db.Product.id == line.product_id,
                    db.Product.shop_id == shop_id,
                    db.Product.active.is_(True),
                    db.Product.stock >= line.count,
                )
                .values(stock=db.Product.stock - line.count)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if taken != 1:
            short.append(line.product.sku)
    for line in lines:
        session.expire(line.product, ["stock"])
    if short:
        raise OutOfStock(f"not enough stock for {', '.join(short)}", skus=short)


def _restock(session: Session, order: db.Order) -> None:
    for line in sorted(order.lines, key=lambda ln: ln.product_id or 0):
        if line.product_id is not None:
            session.execute(
                update(db.Product)
                .where(db.Product.id == line.product_id)
                .values(stock=db.Product.stock + line.count)
                .execution_options(synchronize_session=False)
            )


def _record(
    session: Session,
    order: db.Order,
    from_status: str | None,
    to_status: str,
    actor: str,
    reason: str | None,
) -> None:
    order.events.append(
        db.OrderEvent(
            shop_id=order.shop_id,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            reason=reason,
        )
    )


def place_order(
    session: Session,
    shop_id: int,
    wa_id: str,
    *,
    idempotency_key: str,
    address: str,
    pincode: str,
    delivery_slot: str,
    payment_method: str,
    now: datetime | None = None,
    provider: PaymentProvider | None = None,
) -> Order:
    """Turn the shopper's cart into an order, or return the order this key already made.

    Raises `EmptyCart`, `BelowMinimum`, `OutOfStock`, `InvalidSlot`, `InvalidCheckout`,
    `OutsideArea` (a PIN code the shop does not deliver to),
    `IdempotencyKeyReused`, and `ProviderUnavailable` when a UPI link cannot be made (then
    nothing is kept: no order, no stock taken, the cart as it was).
    """
    address = _validate(idempotency_key, address, pincode, payment_method)
    request_hash = _request_hash(wa_id, address, pincode, delivery_slot, payment_method)
    begin_write(session)
    customer = customer_row(session, shop_id, wa_id)
    assert customer is not None
    # Lock the cart first: a concurrent checkout of the same cart waits here and then sees
    # the order the first one made (same key) or an empty cart (another key).
    cart = cart_row(session, shop_id, customer, lock=True)
    existing = _by_key(session, shop_id, idempotency_key)
    if existing is not None:
        return _replay(existing, request_hash)
    check_pincode(session, shop_id, pincode)
    terms = terms_of(session.get(db.Shop, shop_id))
    check_slot(delivery_slot, now, terms=terms)
    session.refresh(cart, ["lines"])
    lines = list(cart.lines)
    if not lines:
        raise EmptyCart("the cart is empty: add something before ordering")
    gone = [ln.product.sku for ln in lines if not ln.product.active]
    if gone:
        raise OutOfStock(f"no longer sold: {', '.join(gone)}", skus=gone)
    t = totals(sum(ln.product.price_paise * ln.count for ln in lines), terms=terms)
    if t.below_minimum:
        raise BelowMinimum(
            f"the minimum order is {t.minimum_order_paise} paise; the cart has {t.subtotal_paise}",
            minimum_order_paise=t.minimum_order_paise,
            subtotal_paise=t.subtotal_paise,
        )

    savepoint = session.begin_nested()
    try:
        order = db.Order(
            shop_id=shop_id,
            customer_id=customer.id,
            customer=customer,
            status="pending_payment",
            subtotal_paise=t.subtotal_paise,
            delivery_fee_paise=t.delivery_fee_paise,
            total_paise=t.total_paise,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            payment_method=payment_method,
            address=address,
            pincode=pincode,
            delivery_slot=delivery_slot,
        )
        session.add(order)
        session.flush()  # claims the key: a concurrent twin fails here on the unique index
    except IntegrityError:
        savepoint.rollback()
        existing = _by_key(session, shop_id, idempotency_key)
        if existing is None:
            raise
        return _replay(existing, request_hash)
    try:
        _reserve(session, shop_id, lines)
        order.lines = [
            db.OrderLine(
                shop_id=shop_id,
                product_id=ln.product_id,
                sku=ln.product.sku,
                name=ln.product.name,
                brand=ln.product.brand,
                pack_size=ln.product.pack_size,
                pack_unit=ln.product.pack_unit,
                unit_price_paise=ln.product.price_paise,
                count=ln.count,
            )
            for ln in lines
        ]
        _record(session, order, None, "pending_payment", f"shopper:{wa_id}", None)
        cart.lines.clear()
        payment = (
            ledger.open_payment(session, order, customer, provider)
            if payment_method == "upi"
            else None
        )
        enqueue(
            session,
            customer,
            "order_placed",
            {
                "order_id": order.id,
                "total_paise": order.total_paise,
                "payment_method": payment_method,
                "delivery_slot": delivery_slot,
                "pay_url": payment.pay_url if payment else None,
            },
            dedupe_key=f"order:{order.id}:placed",
            order_id=order.id,
        )
        session.flush()
        savepoint.commit()
    except BaseException:
        savepoint.rollback()
        raise
    return order_view(order, payment=payment)


def _order_row(session: Session, order_id: int, shop_id: int | None, *, lock: bool) -> db.Order:
    query = select(db.Order).where(db.Order.id == order_id)
    if shop_id is not None:
        query = query.where(db.Order.shop_id == shop_id)
    if lock:
        query = query.with_for_update(of=db.Order)
    order = session.scalar(query.execution_options(populate_existing=True))
    if order is None:
        raise OrderNotFound(f"no order #{order_id}")
    return order


def _notify(session: Session, order: db.Order, status: str, reason: str | None) -> None:
    params: dict[str, object] = {"order_id": order.id}
    if status in ("paid", "refunded"):
        params["total_paise"] = order.total_paise
    if status == "cancelled":
        params["reason"] = reason
    enqueue(
        session,
        order.customer,
        f"order_{status}",
        params,
        dedupe_key=f"order:{order.id}:{status}",
        order_id=order.id,
    )


def transition(
    session: Session,
    order_id: int,
    to_status: OrderStatus,
    actor: str,
    reason: str | None = None,
    *,
    shop_id: int | None = None,
) -> Order:
    """Move the order to `to_status` if the state machine allows it for this order, with its
    side effects: stock back on the shelf when an undelivered order is cancelled or refunded,
    the money back through the provider on `refunded`. Asking for the status the order is
    already in changes nothing (a retried request is harmless)."""
    begin_write(session)
    order = _order_row(session, order_id, shop_id, lock=True)
    if order.status == to_status:
        return order_view(order)
    if not states.allowed(order.status, to_status, order.payment_method):
        raise InvalidTransition(
            f"order #{order.id} is {order.status} ({order.payment_method}); it can go to "
            f"{', '.join(states.next_statuses(order.status, order.payment_method)) or 'nothing'}"
            f", not {to_status}",
            current_status=order.status,
            allowed=states.next_statuses(order.status, order.payment_method),
        )
    from_status = order.status
    payment = ledger.payment_for_order(session, order.id) if order.payment_method == "upi" else None
    if to_status == "refunded" and payment is not None and payment.status == "paid":
        ledger.refund(session, payment)
    if to_status == "cancelled" and payment is not None and payment.status in ("created", "failed"):
        payment.status = "expired"  # a late capture for it will be flagged, not applied
    if states.releases_stock(from_status, to_status):
        _restock(session, order)
    order.status = to_status
    order.updated_at = datetime.now(UTC)
    _record(session, order, from_status, to_status, actor, reason)
    _notify(session, order, to_status, reason)
    session.flush()
    return order_view(order, payment=payment)


def cancel_order(
    session: Session, shop_id: int, order_id: int, actor: str, reason: str | None = None
) -> Order:
    """Cancel what can be cancelled: an unpaid order is `cancelled`; a paid UPI order not yet
    delivered is `refunded` (the money goes back); a delivered one is refused."""
    begin_write(session)
    order = _order_row(session, order_id, shop_id, lock=True)
    target: OrderStatus = (
        "refunded"
        if order.payment_method == "upi" and order.status in ("paid", "packed", "out_for_delivery")
        else "cancelled"
    )
    if order.status == "delivered":
        raise InvalidTransition(
            f"order #{order.id} was delivered: ask the shop for a refund",
            current_status=order.status,
            allowed=[],
        )
    return transition(session, order.id, target, actor, reason, shop_id=shop_id)


def get_order(session: Session, shop_id: int, order_id: int) -> Order:
    return order_view(_order_row(session, order_id, shop_id, lock=False))


def orders_for(session: Session, shop_id: int, wa_id: str, limit: int = 5) -> list[Order]:
    """The shopper's latest orders, newest first."""
    customer = customer_row(session, shop_id, wa_id, create=False)
    if customer is None:
        return []
    rows = session.scalars(
        select(db.Order)
        .where(
            db.Order.shop_id == shop_id,
            db.Order.customer_id == customer.id,
        )
        .order_by(db.Order.id.desc())
        .limit(limit)
    )
    return [order_view(r) for r in rows]


def list_orders(
    session: Session, shop_id: int, *, status: str | None = None, limit: int = 50, offset: int = 0
) -> list[Order]:
    """The merchant's order list, newest first."""
    query = select(db.Order).where(db.Order.shop_id == shop_id)
    if status is not None:
        query = query.where(db.Order.status == status)
    rows = session.scalars(query.order_by(db.Order.id.desc()).limit(limit).offset(offset))
    return [order_view(r) for r in rows]


def reorder(session: Session, shop_id: int, wa_id: str, order_id: int | None = None) -> CartView:
    """Put an earlier order (the latest by default) back in the cart at today's prices. What
    the shop no longer has is skipped and listed in `CartView.skipped`."""
    customer = customer_row(session, shop_id, wa_id, create=False)
    query = select(db.Order).where(db.Order.shop_id == shop_id)
    if customer is None:
        raise OrderNotFound("this shopper has no orders yet")
    query = query.where(db.Order.customer_id == customer.id)
    query = (
        query.where(db.Order.id == order_id)
        if order_id is not None
        else query.order_by(db.Order.id.desc()).limit(1)
    )
    order = session.scalar(query)
    if order is None:
        raise OrderNotFound(
            f"no order #{order_id} for this shopper"
            if order_id is not None
            else "this shopper has no orders yet"
        )
    return add_available(
        session, shop_id, wa_id, [(ln.product_id, ln.sku, ln.name, ln.count) for ln in order.lines]
    )


def expire_unpaid(
    session: Session, now: datetime | None = None, actor: str = "system"
) -> list[int]:
    """Cancel UPI orders left unpaid past `payment_timeout_minutes`, putting their stock back.
    Returns the ids cancelled. Safe to run from several places at once."""
    begin_write(session)
    settings = get_settings()
    cutoff = (now or datetime.now(UTC)) - timedelta(minutes=settings.payment_timeout_minutes)
    ids = session.scalars(
        select(db.Order.id)
        .where(
            db.Order.status == "pending_payment",
            db.Order.payment_method == "upi",
            db.Order.created_at < cutoff,
        )
        .order_by(db.Order.id)
        .limit(200)
    ).all()
    done = []
    for order_id in ids:
        try:
            with session.begin_nested():
                order = transition(
                    session,
                    order_id,
                    "cancelled",
                    actor,
                    f"not paid within {settings.payment_timeout_minutes} minutes",
                )
            done.append(order.id)
        except InvalidTransition:
            continue  # paid in the meantime
    return done
