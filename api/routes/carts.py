"""Carts, on behalf of shoppers (a channel's or merchant's API key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import SessionDep, ShopperKey, WriteSessionDep
from api.errors import problems
from api.schemas import TOKEN
from api.schemas.carts import AddLinesIn, CartOut, CountIn
from api.schemas.orders import ReorderIn
from bot.cart import service
from bot.orders import service as orders

router = APIRouter(prefix="/api/v1/carts", tags=["carts"], responses=problems(401, 422))

WaId = Annotated[str, Path(pattern=r"^[0-9]{6,15}$", description="the shopper's WhatsApp id")]
Sku = Annotated[str, Path(min_length=1, max_length=64, pattern=TOKEN)]


@router.get("/{wa_id}", response_model=CartOut, summary="The cart, priced now")
def get_cart(wa_id: WaId, session: SessionDep, key: ShopperKey) -> CartOut:
    return CartOut.of(service.view(session, key.shop_id, wa_id))


@router.post(
    "/{wa_id}/lines",
    response_model=CartOut,
    responses=problems(404),
    summary="Add packs to the cart (on top of what it holds)",
)
def add_lines(wa_id: WaId, body: AddLinesIn, session: WriteSessionDep, key: ShopperKey) -> CartOut:
    packs = [(ln.sku, ln.count) for ln in body.lines]
    return CartOut.of(service.add_packs(session, key.shop_id, wa_id, packs))


@router.put(
    "/{wa_id}/lines/{sku}",
    response_model=CartOut,
    responses=problems(404),
    summary="Set how many packs of a product the cart holds (0 removes the line)",
)
def set_line(
    wa_id: WaId, sku: Sku, body: CountIn, session: WriteSessionDep, key: ShopperKey
) -> CartOut:
    return CartOut.of(service.set_count(session, key.shop_id, wa_id, sku, body.count))


@router.delete("/{wa_id}/lines/{sku}", response_model=CartOut, summary="Remove a product")
def remove_line(wa_id: WaId, sku: Sku, session: WriteSessionDep, key: ShopperKey) -> CartOut:
    return CartOut.of(service.remove(session, key.shop_id, wa_id, sku))


@router.delete("/{wa_id}", response_model=CartOut, summary="Empty the cart")
def clear_cart(wa_id: WaId, session: WriteSessionDep, key: ShopperKey) -> CartOut:
    return CartOut.of(service.clear(session, key.shop_id, wa_id))


@router.post(
    "/{wa_id}/reorder",
    response_model=CartOut,
    responses=problems(404),
    summary="Put an earlier order (the latest by default) back in the cart",
    description="At today's prices; what the shop no longer has is listed in `skipped`.",
)
def reorder(wa_id: WaId, body: ReorderIn, session: WriteSessionDep, key: ShopperKey) -> CartOut:
    return CartOut.of(orders.reorder(session, key.shop_id, wa_id, body.order_id))
