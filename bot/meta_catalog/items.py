"""A product as a Meta catalog item (`item_type: PRODUCT_ITEM`, the fields of Meta's product
feed): the retailer id is the SKU, the price is in the shop's currency, and availability
follows stock. Only what a shopper sees in WhatsApp is sent, so that a stock count moving
from 40 to 39 changes nothing at Meta and costs no push; crossing zero does."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.catalog.model import format_pack
from bot.db.models import Product


def price_text(paise: int, currency: str) -> str:
    """Meta's price format: the amount with a dot and two decimals, then the ISO 4217 code."""
    rupees, rest = divmod(paise, 100)
    return f"{rupees}.{rest:02d} {currency}"


def item_data(product: Product, currency: str) -> dict[str, Any]:
    pack = format_pack(product.pack_size, product.pack_unit)
    title = f"{product.name} {pack}"
    data: dict[str, Any] = {
        "id": product.sku,
        "title": title,
        "description": f"{title} — {product.name_hi}" if product.name_hi else title,
        "availability": "in stock" if product.stock > 0 else "out of stock",
        "condition": "new",
        "price": price_text(product.price_paise, currency),
    }
    if product.brand:
        data["brand"] = product.brand
    if product.image_url:
        data["image_link"] = product.image_url
    return data


def fingerprint(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
