"""Order bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas import TEXT
from api.schemas.payments import PaymentOut
from bot.orders.model import Order
from bot.orders.slots import DeliverySlot
from bot.vocabulary import OrderStatus, PaymentMethod


class OrderLineOut(BaseModel):
    sku: str
    name: str
    brand: str
    pack_size: int
    pack_unit: str
    count: int = Field(ge=1)
    unit_price_paise: int = Field(ge=0)
    line_total_paise: int = Field(ge=0)


class StatusChangeOut(BaseModel):
    from_status: OrderStatus | None
    to_status: OrderStatus
    actor: str
    reason: str | None
    at: datetime


class OrderOut(BaseModel):
    id: int
    wa_id: str
    status: OrderStatus
    payment_method: PaymentMethod
    lines: list[OrderLineOut]
    subtotal_paise: int = Field(ge=0)
    delivery_fee_paise: int = Field(ge=0)
    total_paise: int = Field(ge=0)
    address: str
    pincode: str
    delivery_slot: str
    created_at: datetime
    updated_at: datetime
    history: list[StatusChangeOut]
    payment: PaymentOut | None
    next_statuses: list[OrderStatus]

    @classmethod
    def of(cls, o: Order) -> OrderOut:
        return cls(
            id=o.id,
            wa_id=o.wa_id,
            status=o.status,
            payment_method=o.payment_method,
            lines=[
                OrderLineOut(**{f: getattr(ln, f) for f in OrderLineOut.model_fields})
                for ln in o.lines
            ],
            subtotal_paise=o.subtotal_paise,
            delivery_fee_paise=o.delivery_fee_paise,
            total_paise=o.total_paise,
            address=o.address,
            pincode=o.pincode,
            delivery_slot=o.delivery_slot,
            created_at=o.created_at,
            updated_at=o.updated_at,
            history=[
                StatusChangeOut(
                    from_status=h.from_status,
                    to_status=h.to_status,
                    actor=h.actor,
                    reason=h.reason,
                    at=h.at,
                )
                for h in o.history
            ],
            payment=PaymentOut.of(o.payment) if o.payment else None,
            next_statuses=list(o.next_statuses),
        )


class OrderIn(BaseModel):
    wa_id: str = Field(pattern=r"^[0-9]{6,15}$", description="the shopper's WhatsApp id")
    address: str = Field(min_length=5, max_length=500, pattern=TEXT)
    pincode: str = Field(pattern=r"^[1-9][0-9]{5}$")
    delivery_slot: str = Field(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$",
        description="an id from GET /api/v1/delivery-slots",
    )
    payment_method: PaymentMethod


class CancelIn(BaseModel):
    wa_id: str = Field(pattern=r"^[0-9]{6,15}$")
    reason: str | None = Field(default=None, max_length=500, pattern=TEXT)


class ReorderIn(BaseModel):
    order_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="the order to repeat; the latest when left out",
    )


class SlotOut(BaseModel):
    id: str
    label: str
    start: datetime
    end: datetime

    @classmethod
    def of(cls, s: DeliverySlot) -> SlotOut:
        return cls(id=s.id, label=s.label, start=s.start, end=s.end)


MerchantTarget = Literal["packed", "out_for_delivery", "delivered", "cancelled", "refunded"]


class TransitionIn(BaseModel):
    to_status: MerchantTarget
    reason: str | None = Field(default=None, max_length=500, pattern=TEXT)


class StockIn(BaseModel):
    stock: int = Field(ge=0, le=1_000_000)


class StockOut(BaseModel):
    sku: str
    stock: int
