"""What the cart services hand back: plain frozen records, money in integer paise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.vocabulary import PackUnit


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    shop_id: int
    wa_id: str
    name: str
    language: str


@dataclass(frozen=True, slots=True)
class CartLineView:
    sku: str
    name: str
    brand: str
    pack_size: int
    pack_unit: PackUnit
    count: int
    unit_price_paise: int
    line_total_paise: int
    # False when the shop cannot fill this line now (too few packs left, or no longer sold).
    in_stock: bool


@dataclass(frozen=True, slots=True)
class SkippedLine:
    """A line `reorder` could not (fully) put back, and why."""

    sku: str
    name: str
    wanted: int
    added: int
    reason: Literal["out_of_stock", "unavailable"]


@dataclass(frozen=True, slots=True)
class CartView:
    wa_id: str
    lines: tuple[CartLineView, ...]
    subtotal_paise: int
    delivery_fee_paise: int
    total_paise: int
    minimum_order_paise: int
    below_minimum: bool
    skipped: tuple[SkippedLine, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def item_count(self) -> int:
        return sum(line.count for line in self.lines)
