"""The errors the shop's rules raise. Each has a stable `code` so that any edge (the REST API's
problem+json, a Rasa action's reply) can tell them apart without parsing messages."""

from __future__ import annotations

from typing import Any, ClassVar


class ShopError(Exception):
    code: ClassVar[str] = "shop-error"
    title: ClassVar[str] = "The request breaks a rule of the shop"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(ShopError):
    code = "not-found"
    title = "Not found"


class InvalidRequest(ShopError):
    """Input that is well-formed but cannot be acted on (a count of 0 to add, a past slot…)."""

    code = "invalid-request"
    title = "The request cannot be acted on"


class Conflict(ShopError):
    """The request is valid, but the state of the shop does not allow it right now."""

    code = "conflict"
    title = "The shop's current state does not allow this"
