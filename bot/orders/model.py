"""What the order services hand back: frozen records, money in integer paise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.payments.ledger import PaymentView
from bot.vocabulary import OrderStatus, PackUnit, PaymentMethod


@dataclass(frozen=True, slots=True)
class OrderLineView:
    sku: str
    name: str
    brand: str
    pack_size: int
    pack_unit: PackUnit
    count: int
    unit_price_paise: int
    line_total_paise: int


@dataclass(frozen=True, slots=True)
class StatusChange:
    from_status: OrderStatus | None
    to_status: OrderStatus
    actor: str
    reason: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    shop_id: int
    wa_id: str
    status: OrderStatus
    payment_method: PaymentMethod
    lines: tuple[OrderLineView, ...]
    subtotal_paise: int
    delivery_fee_paise: int
    total_paise: int
    address: str
    pincode: str
    delivery_slot: str
    created_at: datetime
    updated_at: datetime
    history: tuple[StatusChange, ...]
    payment: PaymentView | None
    next_statuses: tuple[OrderStatus, ...]
    # True when `place_order` found this order under the same Idempotency-Key instead of
    # making it: the caller is looking at a retry.
    replayed: bool = False
