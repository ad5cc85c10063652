"""A real console app on a fresh database, a merchant user, and a logged-in client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.main import create_app
from bot.db.models import MerchantSession, MerchantUser
from bot.db.session import session_scope
from bot.merchants.users import create_user

PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@dataclass
class Console:
    """A browser-like client signed in as one merchant: posts forms with the page's CSRF token."""

    client: TestClient
    username: str
    csrf: str

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.post(
            path, data={"csrf_token": self.csrf, **(data or {})}, follow_redirects=False, **kwargs
        )


def log_in(
    client: TestClient, username: str, password: str = PASSWORD, next_: str = "/merchant"
) -> httpx.Response:
    page = client.get("/merchant/login")
    return client.post(
        "/merchant/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_of(page.text),
            "next": next_,
        },
        follow_redirects=False,
    )


def make_merchant(shop_id: int, username: str = "owner") -> int:
    with session_scope(write=True) as s:
        return create_user(s, shop_id, username, PASSWORD, username.title()).id


@pytest.fixture
def app_client(shop_id: int) -> Iterator[TestClient]:
    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture
def console(shop_id: int, app_client: TestClient) -> Console:
    make_merchant(shop_id)
    response = log_in(app_client, "owner")
    assert response.status_code == 303, response.text
    return Console(app_client, "owner", session_csrf("owner"))


def session_csrf(username: str) -> str:
    """The CSRF token of the user's newest session: what every page of that session embeds."""
    with session_scope() as s:
        return s.scalar(
            select(MerchantSession.csrf_token)
            .join(MerchantUser, MerchantUser.id == MerchantSession.user_id)
            .where(MerchantUser.username == username)
            .order_by(MerchantSession.id.desc())
            .limit(1)
        )
