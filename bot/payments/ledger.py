"""The payments table: opening a payment for an order, refunding it, reading it back."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import models as db
from bot.db.base import as_utc
from bot.payments.configured import provider_for_shop
from bot.payments.errors import PaymentNotFound, RefundFailed
from bot.payments.provider import PaymentProvider, PaymentRequest
from bot.settings import get_settings
from bot.vocabulary import PaymentStatus


@dataclass(frozen=True, slots=True)
class PaymentView:
    id: str  # the public id
    order_id: int
    provider: str
    status: PaymentStatus
    amount_paise: int
    currency: str
    pay_url: str
    flag_reason: str | None
    created_at: datetime
    paid_at: datetime | None


def payment_view(row: db.Payment) -> PaymentView:
    return PaymentView(
        row.public_id,
        row.order_id,
        row.provider,
        row.status,
        row.amount_paise,
        row.currency,
        row.pay_url,
        row.flag_reason,
        as_utc(row.created_at),
        as_utc(row.paid_at) if row.paid_at else None,
    )


def new_public_id() -> str:
    return f"cpay_{secrets.token_urlsafe(15)}"


def open_payment(
    session: Session,
    order: db.Order,
    customer: db.Customer,
    provider: PaymentProvider | None = None,
) -> db.Payment:
    """Ask the provider for a pay link for the order's total and record it. Called inside the
    order's transaction: if the provider fails, the order is not placed either."""
    settings = get_settings()
    provider = provider or provider_for_shop(session.get(db.Shop, order.shop_id), settings)
    public_id = new_public_id()
    made = provider.create_payment(
        PaymentRequest(
            public_id=public_id,
            order_id=order.id,
            amount_paise=order.total_paise,
            currency=settings.currency,
            description=f"Order #{order.id}",
            wa_id=customer.wa_id,
            customer_name=customer.name,
            expires_at=datetime.now(UTC)
            + timedelta(minutes=max(settings.payment_timeout_minutes, 16)),
        )
    )
    payment = db.Payment(
        public_id=public_id,
        shop_id=order.shop_id,
        order_id=order.id,
        provider=provider.name,
        provider_ref=made.provider_ref,
        amount_paise=order.total_paise,
        currency=settings.currency,
        status="created",
        pay_url=made.pay_url,
    )
    session.add(payment)
    session.flush()
    return payment


def payment_for_order(session: Session, order_id: int) -> db.Payment | None:
    return session.scalar(
        select(db.Payment)
        .where(db.Payment.order_id == order_id)
        .order_by(db.Payment.id.desc())
        .limit(1)
    )


def get_payment(session: Session, public_id: str) -> db.Payment:
    row = session.scalar(select(db.Payment).where(db.Payment.public_id == public_id))
    if row is None:
        raise PaymentNotFound(f"no payment {public_id!r}")
    return row


def refund(session: Session, payment: db.Payment, provider: PaymentProvider | None = None) -> None:
    """Give the money back through the provider that took it."""
    if payment.status != "paid" or not payment.provider_payment_id:
        raise RefundFailed(f"payment {payment.public_id} is {payment.status}: nothing to refund")
    provider = provider or provider_for_shop(session.get(db.Shop, payment.shop_id))
    if provider.name != payment.provider:
        raise RefundFailed(
            f"payment {payment.public_id} was taken by {payment.provider}, "
            f"which is not the shop's provider now"
        )
    payment.refund_ref = provider.refund(
        payment.provider_payment_id, payment.amount_paise, f"order-{payment.order_id}"
    )
    payment.status = "refunded"


def flagged(session: Session, shop_id: int, limit: int = 50) -> list[PaymentView]:
    """Payments a person must look at: wrong amounts, money for cancelled orders, doubles."""
    rows = session.scalars(
        select(db.Payment)
        .where(db.Payment.shop_id == shop_id, db.Payment.flag_reason.is_not(None))
        .order_by(db.Payment.id.desc())
        .limit(limit)
    )
    return [payment_view(r) for r in rows]
