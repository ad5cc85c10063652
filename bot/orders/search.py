"""The merchant's order list: filters, a search box and pages. Rows are summaries read in one
query (no lines, no history): the list of a busy shop must stay one quick read."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from bot.db.base import as_utc
from bot.db.models import Customer, Order, OrderLine
from bot.reports.days import day_range

MAX_ORDER_ID = 2**31 - 1
MIN_PHONE_DIGITS = 4
_ORDER_ID = re.compile(r"#?\s*(\d{1,10})")
_PHONE = re.compile(r"[+\d\s().-]+")


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: str | None = None
    payment_method: str | None = None
    placed_from: date | None = None  # shop-local days, both included
    placed_to: date | None = None
    query: str = ""  # an order number ("#12"), a phone number or part of one, or a name


@dataclass(frozen=True, slots=True)
class OrderRow:
    id: int
    created_at: datetime
    wa_id: str
    customer_name: str
    status: str
    payment_method: str
    total_paise: int
    packs: int
    delivery_slot: str


@dataclass(frozen=True, slots=True)
class OrderPage:
    rows: list[OrderRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _matches(query: str) -> ColumnElement[bool]:
    """ "12" or "#12" is order 12 or a phone containing 12… (at least four digits); "+91 98123
    45678" is a phone; anything else is part of a name."""
    query = query.strip()
    digits = re.sub(r"\D", "", query)
    found = _ORDER_ID.fullmatch(query)
    conditions: list[ColumnElement[bool]] = []
    if found and int(found.group(1)) <= MAX_ORDER_ID:
        conditions.append(Order.id == int(found.group(1)))
    if _PHONE.fullmatch(query) and len(digits) >= MIN_PHONE_DIGITS:
        conditions.append(Customer.wa_id.contains(digits, autoescape=True))
    if not _PHONE.fullmatch(query):
        conditions.append(Customer.name.icontains(query, autoescape=True))
    return or_(*conditions) if conditions else false()


def search_orders(
    session: Session,
    shop_id: int,
    wanted: OrderFilter,
    tz_name: str,
    *,
    page: int = 1,
    per_page: int = 25,
) -> OrderPage:
    """One page of the shop's orders matching `wanted`, newest first. A page past the last
    gives the last page."""
    conditions: list[ColumnElement[bool]] = [Order.shop_id == shop_id]
    if wanted.status:
        conditions.append(Order.status == wanted.status)
    if wanted.payment_method:
        conditions.append(Order.payment_method == wanted.payment_method)
    start, end = day_range(wanted.placed_from, wanted.placed_to, tz_name)
    if start is not None:
        conditions.append(Order.created_at >= start)
    if end is not None:
        conditions.append(Order.created_at < end)
    if wanted.query.strip():
        conditions.append(_matches(wanted.query))
    total = (
        session.scalar(
            select(func.count())
            .select_from(Order)
            .join(Customer, Customer.id == Order.customer_id)
            .where(*conditions)
        )
        or 0
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    packs = (
        select(func.coalesce(func.sum(OrderLine.count), 0))
        .where(OrderLine.order_id == Order.id)
        .correlate(Order)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Order.id,
            Order.created_at,
            Customer.wa_id,
            Customer.name,
            Order.status,
            Order.payment_method,
            Order.total_paise,
            packs,
            Order.delivery_slot,
        )
        .join(Customer, Customer.id == Order.customer_id)
        .where(*conditions)
        .order_by(Order.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return OrderPage(
        [
            OrderRow(r[0], as_utc(r[1]), r[2], r[3] or "", r[4], r[5], int(r[6]), int(r[7]), r[8])
            for r in rows
        ],
        int(total),
        page,
        per_page,
    )


def customer_name(session: Session, shop_id: int, wa_id: str) -> str:
    return (
        session.scalar(
            select(Customer.name).where(Customer.shop_id == shop_id, Customer.wa_id == wa_id)
        )
        or ""
    )
