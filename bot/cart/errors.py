"""What can go wrong with a cart."""

from __future__ import annotations

from bot.errors import InvalidRequest, NotFound


class UnknownProduct(NotFound):
    code = "unknown-product"
    title = "No such product in this shop"


class InvalidCount(InvalidRequest):
    code = "invalid-count"
    title = "That many packs cannot be in a cart line"


class CartFull(InvalidRequest):
    code = "cart-full"
    title = "The cart has as many lines as it may have"


class InvalidCustomer(InvalidRequest):
    code = "invalid-customer"
    title = "That is not a shopper's WhatsApp id"
