"""Merchants and shops: a merchant of shop A gets 404 for shop B's order and product ids, in
the console and the REST API; a merchant of several shops switches between them with the shop
switcher; an operator creates shops. SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from bot.cart import service as cart
from bot.catalog.sources import CatalogFile, read_shop_catalog
from bot.catalog.store import load_catalog
from bot.db.models import MerchantUser, Product, Shop
from bot.db.session import session_scope
from bot.merchants.keys import create_key
from bot.merchants.users import create_user, grant
from bot.orders import service
from bot.settings import PROJECT_ROOT
from bot.shops.directory import create_shop
from tests.api.console.conftest import PASSWORD, Console, log_in, make_merchant, session_csrf
from tests.shop import WA_ID, checkout

SNACK = "SNK-0001"  # only shop B sells it


@pytest.fixture
def shop_b(shop_id: int) -> int:
    seed = read_shop_catalog(PROJECT_ROOT / "data" / "catalog")
    with session_scope(write=True) as s:
        shop = create_shop(s, "bee", "Bee Stores", "1000000002")
        s.flush()
        load_catalog(s, shop, CatalogFile([p for p in seed.products if p.category == "snacks"],
                                          seed.categories))  # fmt: skip
        s.execute(update(Product).values(stock=20))
        return shop.id


def _order(shop_id: int, sku: str) -> int:
    with session_scope() as s:
        cart.add_packs(s, shop_id, WA_ID, [(sku, 3)])
        return service.place_order(s, shop_id, WA_ID, **checkout(payment_method="cod")).id


def _signed_in(app_client: TestClient, username: str) -> Console:
    client = TestClient(app_client.app, base_url="http://127.0.0.1")
    assert log_in(client, username).status_code == 303
    return Console(client, username, session_csrf(username))


def _stock(shop_id: int, sku: str) -> int:
    with session_scope() as s:
        return s.scalar(select(Product.stock).where(Product.shop_id == shop_id, Product.sku == sku))


def _order_numbers(html: str) -> list[str]:
    return re.findall(r'href="/merchant/orders/(\d+)"', html)


def test_a_merchant_of_shop_a_gets_404_for_shop_bs_orders_and_products(
    shop_id: int, shop_b: int, console: Console, app_client: TestClient
) -> None:
    a_order, b_order = _order(shop_id, "STP-0013"), _order(shop_b, SNACK)
    assert console.get(f"/merchant/orders/{a_order}").status_code == 200
    assert console.get(f"/merchant/orders/{b_order}").status_code == 404
    assert _order_numbers(console.get("/merchant/orders").text) == [str(a_order)]
    moved = console.post(f"/merchant/orders/{b_order}/status", {"to_status": "packed"})
    assert moved.status_code == 404
    edit = console.post(f"/merchant/catalog/products/{SNACK}", {"price": "1", "stock": "0"})
    assert edit.status_code == 404 and _stock(shop_b, SNACK) == 17
    with session_scope() as s:
        assert service.get_order(s, shop_b, b_order).status == "pending_payment"

    with session_scope(write=True) as s:
        key = create_key(s, shop_id, "a-backoffice", "merchant")[0]
    h = {"X-API-Key": key}
    api = app_client
    assert api.get(f"/api/v1/merchant/orders/{a_order}", headers=h).status_code == 200
    assert api.get(f"/api/v1/merchant/orders/{b_order}", headers=h).status_code == 404
    assert [o["id"] for o in api.get("/api/v1/merchant/orders", headers=h).json()] == [a_order]
    moved_api = api.post(f"/api/v1/merchant/orders/{b_order}/transitions", headers=h,
                         json={"to_status": "packed", "reason": "x"})  # fmt: skip
    assert moved_api.status_code == 404
    stock = api.put(f"/api/v1/merchant/products/{SNACK}/stock", headers=h, json={"stock": 0})
    assert stock.status_code == 404 and _stock(shop_b, SNACK) == 17


def test_a_merchant_of_two_shops_switches_between_them(
    shop_id: int, shop_b: int, app_client: TestClient
) -> None:
    a_order, b_order = _order(shop_id, "STP-0013"), _order(shop_b, SNACK)
    make_merchant(shop_id, "asha")
    with session_scope(write=True) as s:
        user = s.scalar(select(MerchantUser).where(MerchantUser.username == "asha"))
        assert user is not None
        grant(s, user, shop_b)
    asha = _signed_in(app_client, "asha")
    page = asha.get("/merchant/orders").text
    assert 'action="/merchant/shop"' in page and "Bee Stores" in page  # the switcher
    assert _order_numbers(page) == [str(a_order)]

    switched = asha.post("/merchant/shop", {"shop_id": str(shop_b), "back": "/merchant/orders/1"})
    assert switched.status_code == 303 and switched.headers["location"].startswith(
        "/merchant/orders?notice=Now+working+on+Bee+Stores"
    )
    assert _order_numbers(asha.get("/merchant/orders").text) == [str(b_order)]
    assert asha.get(f"/merchant/orders/{b_order}").status_code == 200
    assert asha.get(f"/merchant/orders/{a_order}").status_code == 404
    edit = asha.post(f"/merchant/catalog/products/{SNACK}",
                     {"price": "48", "stock": "5", "seen_price": "4800", "seen_stock": "17"})  # fmt: skip
    assert edit.status_code == 303 and _stock(shop_b, SNACK) == 5

    with session_scope(write=True) as s:
        other = create_shop(s, "cee", "Cee Mart", None)
        s.flush()
        other_id = other.id
    assert asha.post("/merchant/shop", {"shop_id": str(other_id)}).status_code == 404
    assert asha.post("/merchant/shop", {"shop_id": "999999"}).status_code == 404
    assert _order_numbers(asha.get("/merchant/orders").text) == [str(b_order)]  # still B


def test_a_merchant_of_one_shop_has_no_switcher_and_no_shops_page(console: Console) -> None:
    page = console.get("/merchant").text
    assert 'action="/merchant/shop"' not in page and 'href="/merchant/shops"' not in page
    assert console.get("/merchant/shops").status_code == 404
    made = console.post("/merchant/shops", {"slug": "mine", "name": "Mine"})
    assert made.status_code == 404
    with session_scope() as s:
        assert s.scalar(select(Shop).where(Shop.slug == "mine")) is None


def test_an_operator_creates_a_shop_and_runs_it(shop_id: int, app_client: TestClient) -> None:
    with session_scope(write=True) as s:
        create_user(s, shop_id, "ops", PASSWORD, "Ops", operator=True)
    ops = _signed_in(app_client, "ops")
    assert 'href="/merchant/shops"' in ops.get("/merchant").text
    refused = ops.post("/merchant/shops", {"slug": "Bad Slug", "name": "x"})
    assert refused.status_code == 422 and "slug" in refused.text
    made = ops.post("/merchant/shops", {"slug": "south", "name": "South Kirana",
                                        "phone_number_id": "1000000003",
                                        "area": "560034 Koramangala"})  # fmt: skip
    assert made.status_code == 303, made.text
    listing = ops.get("/merchant/shops").text
    assert "South Kirana" in listing and "1000000003" in listing
    with session_scope() as s:
        south = s.scalar(select(Shop).where(Shop.slug == "south"))
        assert south is not None and south.delivery_pincodes == "560034"
        south_id = south.id
    assert ops.post("/merchant/shop", {"shop_id": str(south_id)}).status_code == 303
    assert "South Kirana" in ops.get("/merchant").text
    taken = ops.post("/merchant/shops", {"slug": "south", "name": "Again"})
    assert taken.status_code == 422 and "exists already" in taken.text


def test_one_shops_review_queue_and_dashboard_are_not_anothers(
    shop_id: int, shop_b: int, console: Console
) -> None:
    from bot.review.service import record

    with session_scope(write=True) as s:
        record(s, shop_id, kind="unmatched", text="kuttu ka atta", language="hinglish")
        record(s, shop_b, kind="unmatched", text="bhujia ka bada packet", language="hinglish")
    _order(shop_b, SNACK)
    review = console.get("/merchant/review").text
    assert "kuttu ka atta" in review and "bhujia ka bada packet" not in review
    dashboard = console.get("/merchant").text
    assert "bhujia" not in dashboard and "Bee Stores" not in dashboard
