"""Every console route, whoever wrote it: anonymous visitors get nothing, forms need CSRF.

The routes are read from the console's router, so a new page is covered the day it is
mounted."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.console import routes
from tests.api.console.conftest import Console

PUBLIC = {"/merchant/login", "/merchant/static/{name}"}


def console_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, routes.PREFIX + route.path)
        for area in routes.AREAS
        for route in area.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
        if method != "HEAD"
    )


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


ROUTES = console_routes()
PRIVATE = [(m, p) for m, p in ROUTES if p not in PUBLIC]
FORMS = [(m, p) for m, p in PRIVATE if m in ("POST", "PUT", "PATCH", "DELETE")]


def test_the_console_has_pages() -> None:
    assert ("GET", "/merchant/login") in ROUTES and ("POST", "/merchant/logout") in ROUTES


@pytest.mark.parametrize(("method", "path"), PRIVATE)
def test_anonymous_visitors_are_refused(method: str, path: str, app_client: TestClient) -> None:
    response = app_client.request(
        method,
        concrete(path),
        follow_redirects=False,
        data={"csrf_token": "x"} if method != "GET" else None,
    )
    if method == "GET":
        assert response.status_code == 303, response.text
        assert response.headers["location"].startswith("/merchant/login?next=")
    else:
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(("method", "path"), FORMS)
def test_forms_need_the_sessions_csrf_token(method: str, path: str, console: Console) -> None:
    for token in (None, "forged", "x" * 43):
        data = {"csrf_token": token} if token else {}
        response = console.client.request(method, concrete(path), data=data, follow_redirects=False)
        assert response.status_code == 403, (path, token, response.text)
        assert response.json()["code"] == "csrf"


@pytest.mark.parametrize(("method", "path"), [r for r in PRIVATE if r[0] == "GET"])
def test_pages_are_not_cached_or_framed(method: str, path: str, console: Console) -> None:
    response = console.get(concrete(path), follow_redirects=False)
    if response.status_code == 200 and response.headers["content-type"].startswith("text/html"):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
