"""The order's state machine, as data: which status may follow which, and for which orders.

    pending_payment ─▶ paid ─▶ packed ─▶ out_for_delivery ─▶ delivered
          │  └─(cash on delivery)─▶ packed
          └─▶ cancelled        paid/packed/out_for_delivery/delivered ─▶ refunded (UPI)
                               packed/out_for_delivery ─▶ cancelled (cash on delivery)

Money that was taken is returned (`refunded`), never just `cancelled`; an order nobody paid
for is `cancelled`, never `refunded`.
"""

from __future__ import annotations

from bot.vocabulary import OrderStatus as Status
from bot.vocabulary import is_order_status as is_status

FINAL: frozenset[Status] = frozenset({"cancelled", "refunded"})

# (from, to) -> the payment methods for which the step exists.
_BOTH = frozenset({"upi", "cod"})
_UPI = frozenset({"upi"})
_COD = frozenset({"cod"})
TRANSITIONS: dict[tuple[Status, Status], frozenset[str]] = {
    ("pending_payment", "paid"): _UPI,
    ("pending_payment", "packed"): _COD,
    ("pending_payment", "cancelled"): _BOTH,
    ("paid", "packed"): _UPI,
    ("packed", "out_for_delivery"): _BOTH,
    ("out_for_delivery", "delivered"): _BOTH,
    ("paid", "refunded"): _UPI,
    ("packed", "refunded"): _UPI,
    ("out_for_delivery", "refunded"): _UPI,
    ("delivered", "refunded"): _UPI,
    ("packed", "cancelled"): _COD,
    ("out_for_delivery", "cancelled"): _COD,
}
# Leaving these states puts the reserved packs back on the shelf; after delivery they are gone.
RESTOCK_FROM: frozenset[Status] = frozenset(
    {"pending_payment", "paid", "packed", "out_for_delivery"}
)


def allowed(from_status: str, to_status: str, payment_method: str) -> bool:
    if not (is_status(from_status) and is_status(to_status)):
        return False
    return payment_method in TRANSITIONS.get((from_status, to_status), frozenset())


def next_statuses(from_status: str, payment_method: str) -> list[Status]:
    return [
        to
        for (frm, to), methods in TRANSITIONS.items()
        if frm == from_status and payment_method in methods
    ]


def releases_stock(from_status: str, to_status: str) -> bool:
    return to_status in ("cancelled", "refunded") and from_status in RESTOCK_FROM
