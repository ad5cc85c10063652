"""A shopper's privacy in the console: whether they opted out of messages (shown on their
orders) and erasing their data for a request that came another way (a call, a letter) —
`POST /merchant/orders/{id}/erase-shopper`, the same `bot.privacy.erasure.erase_shopper` that
"delete my data" in the chat and `chatcart shopper erase` call."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.console.deps import CsrfMerchant, see_other
from bot.cart import service as carts
from bot.db.session import session_scope
from bot.orders import service
from bot.orders.errors import OrderNotFound
from bot.privacy.erasure import OrderInProgress, erase_shopper
from bot.privacy.pseudonym import is_pseudonym

router = APIRouter()
log = logging.getLogger("chatcart.console")
OrderId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@dataclass(frozen=True, slots=True)
class ShopperPrivacy:
    opted_out_at: datetime | None  # said STOP: no messages but replies and order notices
    erased: bool  # their personal data is gone; the order keeps a keyed hash of the number


def shopper_privacy(session: Session, shop_id: int, wa_id: str) -> ShopperPrivacy:
    row = carts.customer_row(session, shop_id, wa_id, create=False)
    erased = is_pseudonym(wa_id) or (row is not None and row.erased_at is not None)
    return ShopperPrivacy(row.opted_out_at if row else None, erased)


@router.post("/orders/{order_id}/erase-shopper")
def erase(
    order_id: OrderId,
    merchant: CsrfMerchant,
    confirm: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Erase the personal data of the shopper of this order (every shop's record of them)."""
    page = f"/merchant/orders/{order_id}"
    if confirm != "erase":
        return see_other(page, error="Type erase to confirm: erasing cannot be undone.")
    with session_scope() as s:
        try:
            wa_id = service.get_order(s, merchant.shop_id, order_id).wa_id
        except OrderNotFound:
            return see_other("/merchant/orders", error=f"There is no order #{order_id}.")
    if is_pseudonym(wa_id):
        return see_other(page, notice="This shopper's data was erased already.")
    try:
        done = erase_shopper(wa_id)
    except OrderInProgress as e:
        return see_other(
            page,
            error=f"Order #{e.order_id} of this shopper is still in progress: deliver or cancel "
            "it first, then erase.",
        )
    log.info("merchant %s erased the shopper of order %s", merchant.username, order_id)
    return see_other(
        page,
        notice=f"The shopper's data is erased: {done.messages} messages, {done.carts} cart(s) "
        f"and their conversations; {done.orders} order(s) kept without the number.",
    )
