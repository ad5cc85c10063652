"""Orders and revenue over a span of the shop's days.

Revenue counts money the shop has or is owed: orders paid by UPI (at any later step) and
cash-on-delivery orders not cancelled. An unpaid UPI order is not revenue yet (most expire),
and cancelled or refunded orders are not revenue at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, not_, select
from sqlalchemy.orm import Session

from bot.db.models import Order
from bot.reports.days import Days

_UNPAID_UPI = and_(Order.payment_method == "upi", Order.status == "pending_payment")
_LOST = Order.status.in_(("cancelled", "refunded"))
BOOKED = and_(not_(_UNPAID_UPI), not_(_LOST))


@dataclass(frozen=True, slots=True)
class Sales:
    orders: int  # every order placed, whatever became of it
    revenue_paise: int
    awaiting_payment: int  # UPI orders not paid yet
    lost: int  # cancelled or refunded


def sales(session: Session, shop_id: int, days: Days) -> Sales:
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((BOOKED, Order.total_paise), else_=0)), 0),
            func.coalesce(func.sum(case((_UNPAID_UPI, 1), else_=0)), 0),
            func.coalesce(func.sum(case((_LOST, 1), else_=0)), 0),
        ).where(Order.shop_id == shop_id, days.within(Order.created_at))
    ).one()
    return Sales(int(row[0]), int(row[1]), int(row[2]), int(row[3]))
