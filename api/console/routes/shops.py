"""Several shops in the console: the shop switcher (a merchant who runs several shops picks
the one every page then reads and writes) and the operator's page to create a shop
(`/merchant/shops`). A merchant who is not an operator gets 404 there, as for any page of a
shop that is not theirs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.console.deps import CsrfMerchant, CurrentMerchant, MerchantPrincipal, render, see_other
from api.errors import ProblemError
from bot.db.models import MerchantUser
from bot.db.session import session_scope
from bot.merchants.users import grant, switch_shop
from bot.shops.area import set_area
from bot.shops.directory import InvalidShop, all_shops, create_shop

router = APIRouter()
Short = Annotated[str, Form(max_length=200)]


def _back(target: str) -> str:
    """Only a console path is a place to go back to (no open redirect)."""
    return target if target.startswith("/merchant") and not target.startswith("//") else "/merchant"


@router.post("/shop")
def switch(
    merchant: CsrfMerchant,
    shop_id: Annotated[int, Form(ge=1, le=2**31 - 1)] = 0,
    back: Annotated[str, Form(max_length=500)] = "/merchant",
) -> Response:
    with session_scope(write=True) as session:
        switched = switch_shop(session, merchant, shop_id)
    if not switched:
        raise ProblemError(404, "not-found", "Not Found", "no such shop")
    name = next(s.name for s in merchant.shops if s.id == shop_id)
    # a page of the old shop (an order's id) means nothing in the new one: start at its list
    target = "/".join(_back(back).split("?")[0].split("/")[:3])
    return see_other(target, notice=f"Now working on {name}.")


def _operator(merchant: MerchantPrincipal) -> None:
    if not merchant.is_operator:
        raise ProblemError(404, "not-found", "Not Found", "no such page")


def _page(
    request: Request, merchant: MerchantPrincipal, status: int = 200, **form: str
) -> HTMLResponse:
    with session_scope() as session:
        shops = [(s.slug, s.name, s.phone_number_id or "", len(s.delivery_pincodes.split()))
                 for s in all_shops(session)]  # fmt: skip
    return render(
        request, "console/shops.html", merchant, status_code=status, shops=shops, form=form
    )


@router.get("/shops", response_class=HTMLResponse)
def shops_page(request: Request, merchant: CurrentMerchant) -> HTMLResponse:
    _operator(merchant)
    return _page(request, merchant)


@router.post("/shops")
def create(
    request: Request,
    merchant: CsrfMerchant,
    slug: Annotated[str, Form(max_length=64)] = "",
    name: Short = "",
    phone_number_id: Annotated[str, Form(max_length=64)] = "",
    area: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Make a shop (its catalog comes by CSV import once the operator switches to it); the
    operator runs it from then on, like every shop."""
    _operator(merchant)
    try:
        with session_scope(write=True) as session:
            shop = create_shop(session, slug.strip(), name.strip(), phone_number_id.strip() or None)
            session.flush()
            if area.strip():
                set_area(session, shop.id, area)
            user = session.get(MerchantUser, merchant.user_id)
            assert user is not None
            grant(session, user, shop.id)
    except InvalidShop as e:
        return _page(request, merchant, 422, error=e.detail, slug=slug, name=name,
                     phone_number_id=phone_number_id, area=area)  # fmt: skip
    return see_other(
        "/merchant/shops", notice=f"Shop {slug} is made: switch to it to load its catalog."
    )
