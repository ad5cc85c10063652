"""Several shops on one deployment: what a shop charges and when it is open (`ShopTerms`),
which shop a business number or a conversation belongs to, and making and changing shops
(`bot.shops.directory`).

A shop's terms are its own columns where it set them and the platform's settings where it did
not, so a one-shop deployment that never heard of shops charges exactly what it did."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models import Shop
from bot.settings import Settings, get_settings


@dataclass(frozen=True, slots=True)
class ShopTerms:
    """Money in paise; hours are the shop's local hours (delivery slots fall between them)."""

    delivery_fee_paise: int
    free_delivery_from_paise: int  # 0: never free
    minimum_order_paise: int
    opens_at_hour: int
    closes_at_hour: int


def platform_terms(settings: Settings | None = None) -> ShopTerms:
    s = settings or get_settings()
    return ShopTerms(
        delivery_fee_paise=s.delivery_fee_paise,
        free_delivery_from_paise=s.free_delivery_from_paise,
        minimum_order_paise=s.min_order_paise,
        opens_at_hour=s.shop_open_hour,
        closes_at_hour=s.shop_close_hour,
    )


def _either(own: int | None, platform: int) -> int:
    return platform if own is None else own


def terms_of(shop: Shop | None, settings: Settings | None = None) -> ShopTerms:
    """`shop`'s terms, each one it left unset being the platform's (no shop: all of them)."""
    base = platform_terms(settings)
    if shop is None:
        return base
    return ShopTerms(
        delivery_fee_paise=_either(shop.delivery_fee_paise, base.delivery_fee_paise),
        free_delivery_from_paise=_either(
            shop.free_delivery_from_paise, base.free_delivery_from_paise
        ),
        minimum_order_paise=_either(shop.minimum_order_paise, base.minimum_order_paise),
        opens_at_hour=_either(shop.opens_at_hour, base.opens_at_hour),
        closes_at_hour=_either(shop.closes_at_hour, base.closes_at_hour),
    )
