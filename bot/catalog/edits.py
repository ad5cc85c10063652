"""A merchant's price and stock changes from the console.

Prices are typed in rupees ("49.50", "₹1,299") and kept in paise, converted digit by digit:
a float would turn 0.29 into 28 paise. An edit names the values the merchant saw, and only
fields the merchant changed are written, each only if it still holds what was seen: an order
taking stock while the form was open is never overwritten by a stale number.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.catalog.model import format_rupees
from bot.db.models import Product, Shop
from bot.db.session import begin_write
from bot.errors import Conflict, InvalidRequest, NotFound

log = logging.getLogger(__name__)
MAX_PRICE_PAISE = 1_00_00_000_00  # ₹1 crore
MAX_STOCK = 1_000_000
_RUPEES = re.compile(r"(\d{1,9})(?:\.(\d{1,2}))?")
# 1,299 and 1,29,900 (lakh grouping); never "12,99", which may mean ₹12.99.
_GROUPED = re.compile(r"(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})*,\d{3})(\.\d+)?")


def rupees_to_paise(text: str) -> int:
    """ "49.5" → 4950, "₹1,299" → 129900; anything else is refused, with why."""
    raw = re.sub(r"^(₹|rs\.?|inr)\s*", "", text.strip(), flags=re.IGNORECASE).strip()
    if _GROUPED.fullmatch(raw):
        raw = raw.replace(",", "")
    found = _RUPEES.fullmatch(raw)
    if found is None:
        if raw.startswith("-"):
            raise InvalidRequest(f"{text.strip()!r} is negative: a price is more than ₹0")
        if re.fullmatch(r"\d+\.\d{3,}", raw):
            raise InvalidRequest(
                f"{text.strip()!r} has more than 2 decimals: rupees and paise, like 49.50"
            )
        raise InvalidRequest(f"{text.strip()[:40]!r} is not an amount in rupees (like 49 or 49.50)")
    paise = int(found[1]) * 100 + int((found[2] or "").ljust(2, "0"))
    if paise > MAX_PRICE_PAISE:
        raise InvalidRequest(
            f"{format_rupees(paise)} is more than the largest price, {format_rupees(MAX_PRICE_PAISE)}"
        )
    return paise


def parse_stock(text: str) -> int:
    raw = text.strip().replace(",", "")
    if not re.fullmatch(r"-?\d{1,9}", raw):
        raise InvalidRequest(f"stock {text.strip()[:40]!r} is not a whole number of packs")
    stock = int(raw)
    if stock < 0:
        raise InvalidRequest("stock cannot be negative")
    if stock > MAX_STOCK:
        raise InvalidRequest(f"stock {stock:,} is more than {MAX_STOCK:,} packs")
    return stock


@dataclass(frozen=True, slots=True)
class Edit:
    sku: str
    changed: dict[str, tuple[int, int]]  # field → (before, after)
    reindexed: bool  # the shop's catalog version moved: search indexes are rebuilt


def edit_product(
    session: Session,
    shop_id: int,
    sku: str,
    *,
    price_paise: int,
    stock: int,
    seen_price: int,
    seen_stock: int,
    actor: str,
) -> Edit:
    """Set what the merchant changed. A new price always moves the catalog version (the bot
    quotes prices from its index); a new stock only when the product comes into or goes out
    of stock (the index ranks what is on the shelf first), not on every count."""
    begin_write(session)
    # The shop first, then the product: the order an import takes them in (no deadlock).
    session.execute(select(Shop.id).where(Shop.id == shop_id).with_for_update(key_share=True))
    product = session.scalar(
        select(Product)
        .where(Product.shop_id == shop_id, Product.sku == sku)
        .with_for_update(of=Product, key_share=True)
    )
    if product is None:
        raise NotFound(f"no product {sku!r} in this shop")
    changed: dict[str, tuple[int, int]] = {}
    if price_paise != seen_price:
        if price_paise <= 0:
            raise InvalidRequest(f"{sku}: the price must be more than ₹0")
        if price_paise > product.mrp_paise:
            raise InvalidRequest(
                f"{sku}: the price {format_rupees(price_paise)} is above the MRP "
                f"{format_rupees(product.mrp_paise)}; nothing may sell above its MRP"
            )
        if product.price_paise != seen_price:
            raise Conflict(
                f"{sku}: the price changed to {format_rupees(product.price_paise)} since the page "
                "was opened; nothing was saved, check it and save again"
            )
        changed["price_paise"] = (product.price_paise, price_paise)
    if stock != seen_stock:
        if stock < 0:
            raise InvalidRequest(f"{sku}: stock cannot be negative")
        if product.stock != seen_stock:
            raise Conflict(
                f"{sku}: the stock changed to {product.stock} since the page was opened "
                "(an order or another edit); nothing was saved, check it and save again"
            )
        changed["stock"] = (product.stock, stock)
    if not changed:
        return Edit(sku, {}, False)
    for name, (_, after) in changed.items():
        setattr(product, name, after)
    reindexed = "price_paise" in changed or (
        "stock" in changed and (changed["stock"][0] > 0) != (changed["stock"][1] > 0)
    )
    if reindexed:
        session.execute(
            update(Shop).where(Shop.id == shop_id).values(catalog_version=Shop.catalog_version + 1)
        )
    session.flush()
    log.info("catalog edit by %s: %s %s", actor, sku, changed)
    return Edit(sku, changed, reindexed)
