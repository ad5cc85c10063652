"""Delivery fee and minimum order: the one place that turns a subtotal into what is charged."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings
from bot.shops import ShopTerms, platform_terms


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal_paise: int
    delivery_fee_paise: int
    total_paise: int
    minimum_order_paise: int
    below_minimum: bool


def totals(
    subtotal_paise: int, settings: Settings | None = None, terms: ShopTerms | None = None
) -> Totals:
    """What `subtotal_paise` costs under the shop's `terms` (default: the platform's)."""
    t = terms or platform_terms(settings)
    free = t.free_delivery_from_paise > 0 and subtotal_paise >= t.free_delivery_from_paise
    fee = 0 if subtotal_paise == 0 or free else t.delivery_fee_paise
    return Totals(
        subtotal_paise=subtotal_paise,
        delivery_fee_paise=fee,
        total_paise=subtotal_paise + fee,
        minimum_order_paise=t.minimum_order_paise,
        below_minimum=subtotal_paise < t.minimum_order_paise,
    )
