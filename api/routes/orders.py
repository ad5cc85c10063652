"""Checkout and orders, on behalf of shoppers; delivery slots for anyone.

A channel's key acts for every shopper of the channel, and order ids count up: every read or
change of one order names its shopper too (`wa_id`), and an order of someone else is answered
exactly like one that does not exist. The shop's own view of every order is the merchant API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep, ShopperKey, WriteSessionDep
from api.errors import problems
from api.schemas.orders import CancelIn, OrderIn, OrderOut, SlotOut
from bot.orders import service
from bot.orders.errors import OrderNotFound
from bot.orders.model import Order
from bot.orders.slots import next_slots

router = APIRouter(prefix="/api/v1", tags=["orders"])

OrderId = Annotated[int, Path(ge=1, le=2**31 - 1)]
WA_ID = r"^[0-9]{6,15}$"
ShopperId = Annotated[
    str, Query(pattern=WA_ID, description="The shopper whose order it is (WhatsApp id)")
]
_LOCATION = {"description": "the order's URL", "schema": {"type": "string"}}
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[!-~]+$",
        description="A fresh random value (a UUID) per checkout. Sending the same key again "
        "returns the same order and never makes a second one.",
    ),
]


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderOut,
    responses={
        201: {"description": "The order, made now", "headers": {"Location": _LOCATION}},
        200: {
            "model": OrderOut,
            "description": "The order this Idempotency-Key made before",
            "headers": {
                "Location": _LOCATION,
                "Idempotent-Replayed": {
                    "description": "always `true`: this answer replays the first one",
                    "schema": {"type": "string", "enum": ["true"]},
                },
            },
        },
        **problems(401, 404, 409, 422, 503),
    },
    summary="Place an order from the shopper's cart",
    description="Prices, names and packs are copied into the order; stock is taken atomically. "
    "UPI orders come back `pending_payment` with a `payment.pay_url`; cash on "
    "delivery orders wait for the shop to pack them.",
)
def place_order(
    body: OrderIn,
    response: Response,
    idempotency_key: IdempotencyKey,
    session: WriteSessionDep,
    key: ShopperKey,
) -> OrderOut:
    order = service.place_order(
        session,
        key.shop_id,
        body.wa_id,
        idempotency_key=idempotency_key,
        address=body.address,
        pincode=body.pincode,
        delivery_slot=body.delivery_slot,
        payment_method=body.payment_method,
    )
    if order.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/api/v1/orders/{order.id}?wa_id={body.wa_id}"
    return OrderOut.of(order)


@router.get(
    "/orders",
    response_model=list[OrderOut],
    responses=problems(401, 422),
    summary="A shopper's latest orders, newest first",
)
def list_orders(
    session: SessionDep,
    key: ShopperKey,
    wa_id: ShopperId,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[OrderOut]:
    return [OrderOut.of(o) for o in service.orders_for(session, key.shop_id, wa_id, limit)]


def _shoppers(session: Session, shop_id: int, order_id: int, wa_id: str) -> Order:
    """The order when it is this shopper's; one answer for "not theirs" and "no such order"."""
    try:
        order = service.get_order(session, shop_id, order_id)
    except OrderNotFound:
        order = None
    if order is None or order.wa_id != wa_id:
        raise OrderNotFound(f"no order #{order_id} for this shopper")
    return order


@router.get(
    "/orders/{order_id}",
    response_model=OrderOut,
    responses=problems(401, 404, 422),
    summary="One of the shopper's orders, with its status history",
)
def get_order(
    order_id: OrderId, wa_id: ShopperId, session: SessionDep, key: ShopperKey
) -> OrderOut:
    return OrderOut.of(_shoppers(session, key.shop_id, order_id, wa_id))


@router.post(
    "/orders/{order_id}/cancel",
    response_model=OrderOut,
    responses=problems(401, 404, 409, 422),
    summary="Cancel an order for the shopper (refunds it when it was paid)",
)
def cancel_order(
    order_id: OrderId, body: CancelIn, session: WriteSessionDep, key: ShopperKey
) -> OrderOut:
    _shoppers(session, key.shop_id, order_id, body.wa_id)
    return OrderOut.of(
        service.cancel_order(session, key.shop_id, order_id, f"shopper:{body.wa_id}", body.reason)
    )


@router.get(
    "/delivery-slots",
    response_model=list[SlotOut],
    responses=problems(422),
    summary="The next delivery slots a shopper can choose",
)
def delivery_slots(count: Annotated[int, Query(ge=1, le=20)] = 4) -> list[SlotOut]:
    return [SlotOut.of(s) for s in next_slots(count=count)]
