"""Logging in and out of the console.

The login form is protected against CSRF before any session exists with a double-submit
token: a random cookie that the form must echo back.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.console.deps import SESSION_COOKIE, CsrfMerchant, render, see_other
from api.deps import SettingsDep
from api.errors import ProblemError
from bot.db.session import session_scope
from bot.merchants.users import log_in, log_out
from bot.settings import PROJECT_ROOT

router = APIRouter()
LOGIN_CSRF_COOKIE = "chatcart_login_csrf"
STATIC = PROJECT_ROOT / "api" / "static"
STATIC_FILES = {"console.css": "text/css", "console.js": "text/javascript"}


def _safe_next(target: str) -> str:
    """Only paths inside the console: never an open redirect to another site."""
    if target.startswith("/merchant") and not target.startswith("//") and "\\" not in target:
        return target
    return "/merchant"


def _login_page(
    request: Request, next_: str, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "console/login.html",
        None,
        status_code=status_code,
        login_csrf=token,
        next=_safe_next(next_),
        error=error,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/merchant/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/merchant") -> HTMLResponse:
    return _login_page(request, next)


@router.post("/login")
def login(
    request: Request,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/merchant",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), csrf_token.encode()):
        raise ProblemError(403, "csrf", "Forbidden", "the login form expired; reload the page")
    with session_scope(write=True) as session:
        result = log_in(
            session,
            username,
            password,
            max_failures=settings.console_max_failed_logins,
            lockout=timedelta(minutes=settings.console_lockout_minutes),
            lifetime=timedelta(hours=settings.console_session_hours),
        )
    if result.token is None:
        if result.locked_until is not None:
            error = "Too many failed attempts: this account is locked for a while. Try again later."
        else:
            error = "Wrong username or password."
        return _login_page(
            request, next, error, status_code=401 if result.locked_until is None else 429
        )
    response = see_other(_safe_next(next))
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        httponly=True,
        samesite="lax",
        secure=settings.is_production or request.url.scheme == "https",
        max_age=int(settings.console_session_hours * 3600),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/merchant/login")
    return response


@router.post("/logout")
def logout(request: Request, merchant: CsrfMerchant) -> Response:
    with session_scope(write=True) as session:
        log_out(session, request.cookies.get(SESSION_COOKIE, ""))
    response = see_other("/merchant/login", notice="Logged out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    """The console's stylesheet and script: public, like any site's CSS."""
    if name not in STATIC_FILES:
        raise ProblemError(404, "not-found", "Not Found", f"no static file {name!r}")
    return FileResponse(
        STATIC / name,
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "public, max-age=300"},
    )
