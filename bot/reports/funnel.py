"""The funnel over a span of days: shoppers who talked to the shop → filled a cart → ordered
→ paid. Every stage counts distinct shoppers (`wa_id`), and each is a subset of the one before.

- conversations: shoppers who wrote over WhatsApp (`bot.reports.channel`), plus any shopper
  who reached a later stage another way (the REST API, a channel without an inbox): they
  talked to the shop too, and a funnel whose later stage outgrows an earlier one says nothing;
- carts: shoppers whose cart changed (`carts.updated_at`), plus those who ordered (placing an
  order empties the cart);
- orders: shoppers who placed an order;
- paid: shoppers with an order whose money was taken: a UPI order that reached `paid` (even
  if refunded later), or a cash-on-delivery order that was delivered.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Cart, Customer, Order, OrderEvent
from bot.reports import channel
from bot.reports.days import Days


@dataclass(frozen=True, slots=True)
class Funnel:
    conversations: int
    carts: int
    orders: int
    paid: int
    whatsapp_writers: int  # of `conversations`, the shoppers who wrote over WhatsApp
    whatsapp: bool  # False: the shop has no WhatsApp inbox, conversations come from carts

    @property
    def stages(self) -> list[tuple[str, int]]:
        return [
            ("Conversations", self.conversations),
            ("Carts", self.carts),
            ("Orders", self.orders),
            ("Paid", self.paid),
        ]


_MONEY_TAKEN = exists().where(
    OrderEvent.order_id == Order.id,
    or_(
        OrderEvent.to_status == "paid",
        and_(Order.payment_method == "cod", OrderEvent.to_status == "delivered"),
    ),
)


def funnel(session: Session, shop_id: int, days: Days, *, whatsapp: bool) -> Funnel:
    ordered = (
        select(Customer.wa_id, _MONEY_TAKEN.label("money_taken"))
        .join(Order, Order.customer_id == Customer.id)
        .where(Order.shop_id == shop_id, days.within(Order.created_at))
    )
    orders: set[str] = set()
    paid: set[str] = set()
    for wa_id, money_taken in session.execute(ordered):
        orders.add(wa_id)
        if money_taken:
            paid.add(wa_id)
    carts = (
        set(
            session.scalars(
                select(Customer.wa_id)
                .join(Cart, Cart.customer_id == Customer.id)
                .where(Cart.shop_id == shop_id, days.within(Cart.updated_at))
            )
        )
        | orders
    )
    writers = channel.writers(session, days) if whatsapp else set()
    return Funnel(
        conversations=len(writers | carts),
        carts=len(carts),
        orders=len(orders),
        paid=len(paid),
        whatsapp_writers=len(writers),
        whatsapp=whatsapp,
    )
