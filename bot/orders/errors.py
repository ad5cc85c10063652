"""What can go wrong when ordering."""

from __future__ import annotations

from bot.errors import Conflict, InvalidRequest, NotFound


class OrderNotFound(NotFound):
    code = "order-not-found"
    title = "No such order"


class EmptyCart(InvalidRequest):
    code = "empty-cart"
    title = "The cart is empty"


class BelowMinimum(InvalidRequest):
    code = "below-minimum-order"
    title = "The order is below the shop's minimum"


class InvalidCheckout(InvalidRequest):
    code = "invalid-checkout"
    title = "The delivery or payment details cannot be used"


class InvalidSlot(InvalidRequest):
    code = "invalid-delivery-slot"
    title = "The shop does not deliver in that slot"


class OutOfStock(Conflict):
    code = "out-of-stock"
    title = "Not enough stock for the order"


class InvalidTransition(Conflict):
    code = "invalid-transition"
    title = "The order cannot move to that status from where it is"


class IdempotencyKeyReused(InvalidRequest):
    code = "idempotency-key-reused"
    title = "This Idempotency-Key was used for a different request"
