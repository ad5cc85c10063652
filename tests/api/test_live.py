"""Against a real uvicorn server on 127.0.0.1: the sandbox pay page and its signed callback,
and concurrent checkouts with one Idempotency-Key."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from bot.db.models import Order, PaymentEvent
from bot.db.session import session_scope
from tests.shop import ADDRESS, PINCODE, WA_ID, LiveServer, slot, stock_of

ATTA = "STP-0013"


def _checkout(
    server: LiveServer, key: str, method: str = "upi", idem: str = "same-key"
) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/orders",
        timeout=30,
        headers={
            "X-API-Key": key,
            "Idempotency-Key": idem,
        },
        json={
            "wa_id": WA_ID,
            "address": ADDRESS,
            "pincode": PINCODE,
            "delivery_slot": slot(),
            "payment_method": method,
        },
    )


def test_the_same_key_sent_concurrently_makes_one_order(
    live_server: LiveServer, channel_key: str
) -> None:
    httpx.post(
        f"{live_server.url}/api/v1/carts/{WA_ID}/lines",
        headers={"X-API-Key": channel_key},
        json={"lines": [{"sku": ATTA, "count": 2}]},
        timeout=30,
    ).raise_for_status()
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: _checkout(live_server, channel_key), range(8)))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 1
    assert stock_of(ATTA) == 18


def test_the_sandbox_pay_page_approves_through_a_signed_webhook(
    live_server: LiveServer, channel_key: str
) -> None:
    httpx.post(
        f"{live_server.url}/api/v1/carts/{WA_ID}/lines",
        headers={"X-API-Key": channel_key},
        json={"lines": [{"sku": ATTA, "count": 2}]},
        timeout=30,
    ).raise_for_status()
    order = _checkout(live_server, channel_key).json()
    pay_url = order["payment"]["pay_url"]
    assert pay_url.startswith(live_server.url + "/pay/cpay_")

    page = httpx.get(pay_url, timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    amount = order["total_paise"]
    assert f"am={amount // 100}.{amount % 100:02d}" in page.text and "upi://pay?pa=" in page.text
    assert "<svg" in page.text and "/approve" in page.text and "/decline" in page.text

    with httpx.Client(base_url=live_server.url, timeout=30) as browser:
        declined = browser.post(
            pay_url.removeprefix(live_server.url) + "/decline", follow_redirects=True
        )
        assert "Gateway callback: 200" in declined.text
        assert (
            browser.get(f"/api/v1/payments/{order['payment']['id']}").json()["status"] == "failed"
        )
        for _ in range(2):  # pressing Approve twice sends the same event twice
            approved = browser.post(
                pay_url.removeprefix(live_server.url) + "/approve", follow_redirects=True
            )
            assert re.search(r'id="status">paid<', approved.text)
    paid = httpx.get(
        f"{live_server.url}/api/v1/orders/{order['id']}",
        params={"wa_id": order["wa_id"]},
        headers={"X-API-Key": channel_key},
        timeout=30,
    ).json()
    assert paid["status"] == "paid" and [h["to_status"] for h in paid["history"]] == [
        "pending_payment",
        "paid",
    ]
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(PaymentEvent)) == 2  # declined, approved
