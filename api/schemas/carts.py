"""Cart bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas import TOKEN
from bot.cart.model import CartView

Sku = str


class CartLineOut(BaseModel):
    sku: str
    name: str
    brand: str
    pack_size: int
    pack_unit: str
    count: int = Field(ge=1)
    unit_price_paise: int = Field(ge=0)
    line_total_paise: int = Field(ge=0)
    in_stock: bool


class SkippedLineOut(BaseModel):
    sku: str
    name: str
    wanted: int
    added: int
    reason: Literal["out_of_stock", "unavailable"]


class CartOut(BaseModel):
    wa_id: str
    lines: list[CartLineOut]
    item_count: int = Field(ge=0)
    subtotal_paise: int = Field(ge=0)
    delivery_fee_paise: int = Field(ge=0)
    total_paise: int = Field(ge=0)
    minimum_order_paise: int = Field(ge=0)
    below_minimum: bool
    skipped: list[SkippedLineOut] = Field(
        default_factory=list, description="after a reorder: what could not be put back"
    )

    @classmethod
    def of(cls, view: CartView) -> CartOut:
        return cls(
            wa_id=view.wa_id,
            lines=[
                CartLineOut(**{f: getattr(ln, f) for f in CartLineOut.model_fields})
                for ln in view.lines
            ],
            item_count=view.item_count,
            subtotal_paise=view.subtotal_paise,
            delivery_fee_paise=view.delivery_fee_paise,
            total_paise=view.total_paise,
            minimum_order_paise=view.minimum_order_paise,
            below_minimum=view.below_minimum,
            skipped=[
                SkippedLineOut(
                    sku=s.sku, name=s.name, wanted=s.wanted, added=s.added, reason=s.reason
                )
                for s in view.skipped
            ],
        )


class PacksIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64, pattern=TOKEN)
    count: int = Field(ge=1, le=1000, description="packs to add to what the cart holds")


class AddLinesIn(BaseModel):
    lines: list[PacksIn] = Field(min_length=1, max_length=100)


class CountIn(BaseModel):
    count: int = Field(ge=0, le=1000, description="packs the line should hold; 0 removes it")
