"""What can go wrong with payments."""

from __future__ import annotations

from bot.errors import Conflict, InvalidRequest, NotFound, ShopError


class InvalidSignature(ShopError):
    code = "invalid-signature"
    title = "The webhook's signature does not match its body"


class MalformedEvent(InvalidRequest):
    code = "malformed-event"
    title = "The webhook body is not an event this shop understands"


class PaymentNotFound(NotFound):
    code = "payment-not-found"
    title = "No such payment"


class ProviderUnavailable(ShopError):
    code = "payment-provider-unavailable"
    title = "The payment provider could not be reached"


class ProviderDisabled(NotFound):
    code = "payment-provider-disabled"
    title = "That payment provider is not enabled in this shop"


class RefundFailed(Conflict):
    code = "refund-failed"
    title = "The payment provider refused the refund"
