"""The REST API in-process: problem+json errors, authentication, idempotency headers, merchant
endpoints, CORS and the production safety check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.errors import MEDIA_TYPE
from api.main import UnsafeSettings, create_app
from bot.db.session import session_scope
from bot.merchants.keys import create_key, revoke
from bot.settings import Settings, get_settings
from tests.shop import ADDRESS, PINCODE, WA_ID, set_stock, slot, stock_of

ATTA = "STP-0013"


@pytest.fixture
def client(shop_id: int) -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def _order_body(method: str = "cod") -> dict[str, str]:
    return {
        "wa_id": WA_ID,
        "address": ADDRESS,
        "pincode": PINCODE,
        "delivery_slot": slot(),
        "payment_method": method,
    }


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["title"]
    assert body["type"] == f"urn:chatcart:problem:{code}"
    return body


def test_catalog_is_public_and_searches_with_the_resolver(client: TestClient) -> None:
    cats = client.get("/api/v1/catalog/categories").json()
    assert {c["slug"] for c in cats if c["products"]} == {"staples", "dairy-eggs"}
    found = client.get("/api/v1/catalog/products", params={"q": "aata"}).json()
    assert found["items"] and found["items"][0]["category"] == "staples"
    assert "atta" in found["items"][0]["name"].lower()
    hindi = client.get("/api/v1/catalog/products", params={"q": "दूध"}).json()
    assert hindi["items"][0]["category"] == "dairy-eggs"
    page = client.get("/api/v1/catalog/products", params={"category": "staples", "limit": 5}).json()
    assert len(page["items"]) == 5 and page["total"] > 5
    assert client.get(f"/api/v1/catalog/products/{ATTA}").json()["price_paise"] > 0
    _problem(client.get("/api/v1/catalog/products/NOPE"), 404, "not-found")
    _problem(
        client.get("/api/v1/catalog/products", params={"shop": "elsewhere"}), 404, "shop-not-found"
    )


def test_carts_and_orders_need_a_key(client: TestClient, channel_key: str) -> None:
    _problem(client.get(f"/api/v1/carts/{WA_ID}"), 401, "unauthenticated")
    _problem(
        client.get(f"/api/v1/carts/{WA_ID}", headers={"X-API-Key": "cck_wrong"}),
        401,
        "unauthenticated",
    )
    assert (
        client.get(f"/api/v1/carts/{WA_ID}", headers={"X-API-Key": channel_key}).status_code == 200
    )
    _problem(
        client.get("/api/v1/merchant/orders", headers={"X-API-Key": channel_key}), 403, "forbidden"
    )
    with session_scope() as s:
        key, info = create_key(s, 1, "old", "merchant")
        revoke(s, info.id)
    _problem(
        client.get("/api/v1/merchant/orders", headers={"X-API-Key": key}), 401, "unauthenticated"
    )


def test_checkout_over_http(client: TestClient, channel_key: str, merchant_key: str) -> None:
    h = {"X-API-Key": channel_key}
    cart = client.post(
        f"/api/v1/carts/{WA_ID}/lines",
        headers=h,
        json={"lines": [{"sku": ATTA, "count": 1}, {"sku": ATTA, "count": 1}]},
    ).json()
    assert (
        cart["lines"][0]["count"] == 2
        and cart["total_paise"] == cart["subtotal_paise"] + cart["delivery_fee_paise"]
    )
    assert (
        client.put(f"/api/v1/carts/{WA_ID}/lines/{ATTA}", headers=h, json={"count": 3}).json()[
            "item_count"
        ]
        == 3
    )
    _problem(
        client.post(
            f"/api/v1/carts/{WA_ID}/lines", headers=h, json={"lines": [{"sku": "X-1", "count": 1}]}
        ),
        404,
        "unknown-product",
    )
    body = _problem(
        client.post("/api/v1/orders", headers=h, json=_order_body()), 422, "validation-error"
    )
    assert body["errors"][0]["location"] == ["header", "Idempotency-Key"]

    first = client.post("/api/v1/orders", headers=h | {"Idempotency-Key": "a1"}, json=_order_body())
    assert (
        first.status_code == 201
        and first.headers["location"] == f"/api/v1/orders/{first.json()['id']}?wa_id={WA_ID}"
    )
    assert client.get(first.headers["location"], headers=h).json()["id"] == first.json()["id"]
    again = client.post("/api/v1/orders", headers=h | {"Idempotency-Key": "a1"}, json=_order_body())
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] and stock_of(ATTA) == 17
    _problem(
        client.post(
            "/api/v1/orders",
            headers=h | {"Idempotency-Key": "a1"},
            json=_order_body() | {"pincode": "110001"},
        ),
        422,
        "idempotency-key-reused",
    )
    _problem(
        client.post("/api/v1/orders", headers=h | {"Idempotency-Key": "a2"}, json=_order_body()),
        422,
        "empty-cart",
    )
    assert (
        client.get(f"/api/v1/orders?wa_id={WA_ID}", headers=h).json()[0]["id"] == first.json()["id"]
    )

    order_id = first.json()["id"]
    m = {"X-API-Key": merchant_key}
    listed = client.get(
        "/api/v1/merchant/orders", headers=m, params={"status": "pending_payment"}
    ).json()
    assert [o["id"] for o in listed] == [order_id]
    moved = client.post(
        f"/api/v1/merchant/orders/{order_id}/transitions", headers=m, json={"to_status": "packed"}
    )
    assert (
        moved.json()["status"] == "packed"
        and moved.json()["history"][-1]["actor"] == "merchant:owner"
    )
    wrong = _problem(
        client.post(
            f"/api/v1/merchant/orders/{order_id}/transitions",
            headers=m,
            json={"to_status": "delivered"},
        ),
        409,
        "invalid-transition",
    )
    assert wrong["allowed"] == ["out_for_delivery", "cancelled"]
    assert (
        client.post(
            f"/api/v1/merchant/orders/{order_id}/transitions", headers=m, json={"to_status": "paid"}
        ).status_code
        == 422
    )  # only providers mark paid
    _problem(
        client.post(f"/api/v1/orders/{order_id}/cancel", headers=h, json={"wa_id": "919999999999"}),
        404,
        "order-not-found",
    )
    cancelled = client.post(f"/api/v1/orders/{order_id}/cancel", headers=h, json={"wa_id": WA_ID})
    assert cancelled.json()["status"] == "cancelled" and stock_of(ATTA) == 20

    reordered = client.post(f"/api/v1/carts/{WA_ID}/reorder", headers=h, json={}).json()
    assert reordered["lines"][0]["count"] == 3 and reordered["skipped"] == []


def test_a_channel_key_reads_an_order_only_for_its_shopper(
    client: TestClient, channel_key: str, merchant_key: str
) -> None:
    """Order ids count up and a channel's key acts for all its shoppers: reading ids in turn
    with another number (or none) learns nothing, not even which ids exist."""
    h = {"X-API-Key": channel_key}
    client.post(
        f"/api/v1/carts/{WA_ID}/lines", headers=h, json={"lines": [{"sku": ATTA, "count": 3}]}
    )
    placed = client.post(
        "/api/v1/orders", headers=h | {"Idempotency-Key": "mine"}, json=_order_body()
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    mine = client.get(f"/api/v1/orders/{order_id}", headers=h, params={"wa_id": WA_ID})
    assert mine.status_code == 200 and mine.json()["address"] == ADDRESS
    _problem(client.get(f"/api/v1/orders/{order_id}", headers=h), 422, "validation-error")
    stranger = "919000000001"
    answers = [
        client.get(f"/api/v1/orders/{i}", headers=h, params={"wa_id": stranger})
        for i in range(1, order_id + 3)
    ]
    assert {r.status_code for r in answers} == {404}
    assert {r.json()["detail"].replace(str(i), "N") for i, r in enumerate(answers, 1)} == {
        "no order #N for this shopper"
    }
    assert all(ADDRESS not in r.text for r in answers)
    for key in (channel_key, merchant_key):  # the merchant reads its orders through /merchant
        _problem(
            client.post(
                f"/api/v1/orders/{order_id}/cancel",
                headers={"X-API-Key": key},
                json={"wa_id": stranger},
            ),
            404,
            "order-not-found",
        )
    shop = client.get(f"/api/v1/merchant/orders/{order_id}", headers={"X-API-Key": merchant_key})
    assert shop.status_code == 200 and shop.json()["wa_id"] == WA_ID


def test_merchant_stock_and_flagged_payments(client: TestClient, merchant_key: str) -> None:
    m = {"X-API-Key": merchant_key}
    assert client.put(
        f"/api/v1/merchant/products/{ATTA}/stock", headers=m, json={"stock": 7}
    ).json() == {"sku": ATTA, "stock": 7}
    assert stock_of(ATTA) == 7
    _problem(
        client.put("/api/v1/merchant/products/NOPE/stock", headers=m, json={"stock": 1}),
        404,
        "unknown-product",
    )
    _problem(
        client.put(f"/api/v1/merchant/products/{ATTA}/stock", headers=m, json={"stock": -1}),
        422,
        "validation-error",
    )
    assert client.get("/api/v1/merchant/payments/flagged", headers=m).json() == []


def test_out_of_stock_is_a_conflict(client: TestClient, channel_key: str) -> None:
    h = {"X-API-Key": channel_key}
    client.post(
        f"/api/v1/carts/{WA_ID}/lines", headers=h, json={"lines": [{"sku": ATTA, "count": 2}]}
    )
    set_stock(ATTA, 1)
    body = _problem(
        client.post("/api/v1/orders", headers=h | {"Idempotency-Key": "z"}, json=_order_body()),
        409,
        "out-of-stock",
    )
    assert body["skus"] == [ATTA]


def test_webhooks_reject_bad_signatures_and_other_providers(client: TestClient) -> None:
    _problem(
        client.post("/api/v1/payments/webhooks/sandbox", content=b"{}"), 401, "invalid-signature"
    )
    _problem(
        client.post("/api/v1/payments/webhooks/razorpay", content=b"{}"),
        404,
        "payment-provider-disabled",
    )
    _problem(client.get("/api/v1/payments/cpay_doesnotexist00"), 404, "payment-not-found")


def test_cors_is_closed_by_default(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, shop_id: int
) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    r = client.options("/api/v1/orders", headers=preflight)
    assert "access-control-allow-origin" not in r.headers
    r = client.get("/api/v1/catalog/categories", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    monkeypatch.setenv("CORS_ORIGINS", '["https://shop.example"]')
    get_settings.cache_clear()
    with TestClient(create_app()) as opened:
        r = opened.options("/api/v1/orders", headers=preflight | {"Origin": "https://shop.example"})
        assert r.headers["access-control-allow-origin"] == "https://shop.example"
        r = opened.options("/api/v1/orders", headers=preflight)
        assert "access-control-allow-origin" not in r.headers


def test_production_refuses_default_secrets() -> None:
    with pytest.raises(UnsafeSettings) as err:
        create_app(Settings(environment="production"))
    message = str(err.value)
    assert (
        "PAYMENT_PROVIDER" in message and "PUBLIC_BASE_URL" in message and "RASA_TOKEN" in message
    )
    with pytest.raises(UnsafeSettings, match="RAZORPAY_WEBHOOK_SECRET"):
        create_app(
            Settings(
                environment="production",
                payment_provider="razorpay",
                razorpay_key_id="rzp_live_x",
                razorpay_key_secret="s",
                public_base_url="https://shop.example",
            )
        )
    create_app(
        Settings(
            environment="production",
            payment_provider="razorpay",
            razorpay_key_id="rzp_live_x",
            razorpay_key_secret="s",
            razorpay_webhook_secret="w",
            public_base_url="https://shop.example",
            rasa_token="engine-token",
            action_server_secret="action-secret",
            privacy_hash_secret="privacy-secret",
        )
    )


def test_the_openapi_schema_documents_problems(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    post = schema["paths"]["/api/v1/orders"]["post"]
    assert {"200", "201", "401", "409", "422"} <= set(post["responses"])
    assert MEDIA_TYPE in post["responses"]["422"]["content"]
    assert schema["components"]["securitySchemes"]["ApiKey"]["name"] == "X-API-Key"
