"""The merchant's side: orders, status changes, stock, payments to look at. Merchant key only."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Path, Query
from sqlalchemy import update
from sqlalchemy.engine import CursorResult

from api.deps import MerchantKey, SessionDep, WriteSessionDep
from api.errors import problems
from api.schemas import TOKEN
from api.schemas.orders import OrderOut, StockIn, StockOut, TransitionIn
from api.schemas.payments import PaymentOut
from bot.cart.errors import UnknownProduct
from bot.db.models import Product
from bot.orders import service
from bot.payments import ledger
from bot.vocabulary import OrderStatus

router = APIRouter(prefix="/api/v1/merchant", tags=["merchant"], responses=problems(401, 403, 422))

OrderId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/orders", response_model=list[OrderOut], summary="Orders, newest first")
def list_orders(
    session: SessionDep,
    key: MerchantKey,
    status: Annotated[OrderStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[OrderOut]:
    return [
        OrderOut.of(o)
        for o in service.list_orders(
            session, key.shop_id, status=status, limit=limit, offset=offset
        )
    ]


@router.get(
    "/orders/{order_id}",
    response_model=OrderOut,
    responses=problems(404),
    summary="One order with its history",
)
def get_order(order_id: OrderId, session: SessionDep, key: MerchantKey) -> OrderOut:
    return OrderOut.of(service.get_order(session, key.shop_id, order_id))


@router.post(
    "/orders/{order_id}/transitions",
    response_model=OrderOut,
    responses=problems(404, 409, 503),
    summary="Move an order on: packed, out for delivery, delivered, cancelled, refunded",
    description="Only the steps the state machine allows for this order; `paid` comes "
    "from the payment provider, never from a person. Repeating the status "
    "the order is already in changes nothing.",
)
def transition(
    order_id: OrderId, body: TransitionIn, session: WriteSessionDep, key: MerchantKey
) -> OrderOut:
    return OrderOut.of(
        service.transition(
            session,
            order_id,
            body.to_status,
            f"merchant:{key.name}",
            body.reason,
            shop_id=key.shop_id,
        )
    )


@router.put(
    "/products/{sku}/stock",
    response_model=StockOut,
    responses=problems(404),
    summary="Set how many packs are on the shelf",
)
def set_stock(
    sku: Annotated[str, Path(min_length=1, max_length=64, pattern=TOKEN)],
    body: StockIn,
    session: WriteSessionDep,
    key: MerchantKey,
) -> StockOut:
    # An UPDATE's result is a CursorResult (it has the rowcount); Session.execute is typed Result.
    updated = cast(
        CursorResult[Any],
        session.execute(
            update(Product)
            .where(Product.shop_id == key.shop_id, Product.sku == sku)
            .values(stock=body.stock)
            .execution_options(synchronize_session=False)
        ),
    )
    changed = updated.rowcount
    if changed != 1:
        raise UnknownProduct(f"no product {sku!r} in this shop", skus=[sku])
    return StockOut(sku=sku, stock=body.stock)


@router.get(
    "/payments/flagged",
    response_model=list[PaymentOut],
    summary="Payments to look at: wrong amounts, money for cancelled orders, doubles",
)
def flagged_payments(
    session: SessionDep, key: MerchantKey, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[PaymentOut]:
    return [PaymentOut.of(p) for p in ledger.flagged(session, key.shop_id, limit)]
