"""Delivery fee and minimum order: the one place that turns a subtotal into what is charged."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings, get_settings


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal_paise: int
    delivery_fee_paise: int
    total_paise: int
    minimum_order_paise: int
    below_minimum: bool


def totals(subtotal_paise: int, settings: Settings | None = None) -> Totals:
    s = settings or get_settings()
    free = s.free_delivery_from_paise > 0 and subtotal_paise >= s.free_delivery_from_paise
    fee = 0 if subtotal_paise == 0 or free else s.delivery_fee_paise
    return Totals(
        subtotal_paise=subtotal_paise,
        delivery_fee_paise=fee,
        total_paise=subtotal_paise + fee,
        minimum_order_paise=s.min_order_paise,
        below_minimum=subtotal_paise < s.min_order_paise,
    )
