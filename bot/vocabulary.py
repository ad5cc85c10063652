"""The closed sets of words the shop's records use, once: the database's CHECK constraints, the
domain records and the API's schemas are all built from these."""

from __future__ import annotations

from typing import Literal, TypeGuard, get_args

OrderStatus = Literal[
    "pending_payment", "paid", "packed", "out_for_delivery", "delivered", "cancelled", "refunded"
]
PaymentMethod = Literal["upi", "cod"]
PaymentStatus = Literal["created", "paid", "failed", "expired", "flagged", "refunded"]
PackUnit = Literal["g", "ml", "pc"]

ORDER_STATUSES: tuple[OrderStatus, ...] = get_args(OrderStatus)
PAYMENT_METHODS: tuple[PaymentMethod, ...] = get_args(PaymentMethod)
PAYMENT_STATUSES: tuple[PaymentStatus, ...] = get_args(PaymentStatus)
PACK_UNITS: tuple[PackUnit, ...] = get_args(PackUnit)


def is_order_status(value: str | None) -> TypeGuard[OrderStatus]:
    return value in ORDER_STATUSES


def is_payment_method(value: str) -> TypeGuard[PaymentMethod]:
    return value in PAYMENT_METHODS


def is_pack_unit(value: str) -> TypeGuard[PackUnit]:
    return value in PACK_UNITS
