"""Logging in: hashed passwords, backoff, sessions that end, CSRF on every form, no open redirect."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from bot.db.base import utcnow
from bot.db.models import MerchantSession, MerchantUser
from bot.db.session import session_scope
from tests.api.console.conftest import PASSWORD, Console, csrf_of, log_in, make_merchant
from tests.waiting import wait_until


def test_passwords_are_stored_as_argon2id_hashes(shop_id: int) -> None:
    make_merchant(shop_id, "asha")
    with session_scope() as s:
        stored = s.scalar(select(MerchantUser.password_hash).where(MerchantUser.username == "asha"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_opens_a_session_and_redirects_inside_the_console(
    shop_id: int, app_client: TestClient
) -> None:
    make_merchant(shop_id)
    response = log_in(app_client, "OWNER ", next_="/merchant/orders?status=paid")
    assert response.status_code == 303
    assert response.headers["location"] == "/merchant/orders?status=paid"
    cookie = response.headers["set-cookie"]
    assert "chatcart_console=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    with session_scope() as s:
        row = s.scalars(select(MerchantSession)).one()
    token = app_client.cookies.get("chatcart_console")
    assert token and row.token_hash != token and len(row.token_hash) == 64


def test_next_never_leaves_the_console(shop_id: int, app_client: TestClient) -> None:
    make_merchant(shop_id)
    for target in ("https://evil.example/", "//evil.example/merchant", "/api/v1/merchant/orders"):
        response = log_in(app_client, "owner", next_=target)
        assert response.headers["location"] == "/merchant", target


def test_wrong_password_and_unknown_user_look_the_same(
    shop_id: int, app_client: TestClient
) -> None:
    make_merchant(shop_id)
    wrong = log_in(app_client, "owner", "not the password")
    unknown = log_in(app_client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert (
        "Wrong username or password" in wrong.text and "Wrong username or password" in unknown.text
    )
    assert "chatcart_console" not in app_client.cookies


def test_repeated_failures_slow_the_client_down_even_for_the_right_password(
    shop_id: int, app_client: TestClient
) -> None:
    make_merchant(shop_id)
    codes = [log_in(app_client, "owner", f"guess number {i}").status_code for i in range(5)]
    assert codes == [401] * 5
    held = log_in(app_client, "owner")
    assert held.status_code == 429 and "Too many failed attempts" in held.text
    assert int(held.headers["retry-after"]) >= 1
    wait_until(  # the backoff runs out; attempts refused meanwhile do not count
        lambda: log_in(app_client, "owner").status_code == 303, "the client's backoff to end", 60
    )


def test_login_form_needs_its_csrf_token(shop_id: int, app_client: TestClient) -> None:
    make_merchant(shop_id)
    app_client.get("/merchant/login")
    forged = app_client.post(
        "/merchant/login",
        data={"username": "owner", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and forged.json()["code"] == "csrf"


def test_logout_needs_csrf_and_ends_the_session(console: Console) -> None:
    assert (
        console.client.post(
            "/merchant/logout", data={"csrf_token": "wrong"}, follow_redirects=False
        ).status_code
        == 403
    )
    assert console.client.post("/merchant/logout", follow_redirects=False).status_code == 403
    token = console.client.cookies.get("chatcart_console")
    assert console.post("/merchant/logout").status_code == 303
    console.client.cookies.set("chatcart_console", token)  # a stolen cookie is dead too
    assert (
        console.client.post(
            "/merchant/logout", data={"csrf_token": console.csrf}, follow_redirects=False
        ).status_code
        == 401
    )


def test_expired_sessions_are_refused(console: Console) -> None:
    with session_scope() as s:
        s.execute(update(MerchantSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert console.post("/merchant/logout").status_code == 401


def test_login_page_renders_a_form_with_a_token(app_client: TestClient) -> None:
    page = app_client.get("/merchant/login")
    assert page.status_code == 200 and page.headers["x-frame-options"] == "DENY"
    assert csrf_of(page.text) and 'type="password"' in page.text
