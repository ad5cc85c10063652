"""Logging in and out of the console.

The login form is protected against CSRF before any session exists with a double-submit
token: a random cookie that the form must echo back.
"""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import select

from api.console.deps import SESSION_COOKIE, CsrfMerchant, render, see_other
from api.console.throttle import (
    DEVICE_COOKIE,
    DEVICE_DAYS,
    LoginThrottle,
    device_cookie,
    trusted_device,
)
from api.deps import SettingsDep
from api.errors import ProblemError
from bot.db.models import MerchantUser
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


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.console_throttle
    return throttle


def _password_hash(username: str) -> str | None:
    with session_scope() as session:
        return session.scalar(
            select(MerchantUser.password_hash).where(
                MerchantUser.username == username, MerchantUser.disabled_at.is_(None)
            )
        )


@router.post("/login")
def login(
    request: Request,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/merchant",
) -> Response:
    """Known and unknown usernames get the same answers: 401 for a wrong pair, 429 with
    Retry-After while this client, or this name on an untrusted browser, must wait."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), csrf_token.encode()):
        raise ProblemError(403, "csrf", "Forbidden", "the login form expired; reload the page")
    name = username.strip().lower()
    client = request.client.host if request.client else ""
    throttle = _throttle(request)
    device = trusted_device(request.cookies.get(DEVICE_COOKIE, ""), _password_hash(name), name)
    wait = throttle.wait(client, name, device)
    if wait > 0:
        seconds = math.ceil(wait)
        page = _login_page(
            request,
            next,
            f"Too many failed attempts: try again in {seconds} s.",
            status_code=429,
        )
        page.headers["Retry-After"] = str(seconds)
        return page
    with session_scope(write=True) as session:
        result = log_in(
            session,
            username,
            password,
            max_failures=None,  # slowed down by the throttle, never locked for a stranger
            lockout=timedelta(minutes=settings.console_lockout_minutes),
            lifetime=timedelta(hours=settings.console_session_hours),
        )
    if result.token is None:
        throttle.failed(client, name, device)
        return _login_page(request, next, "Wrong username or password.", status_code=401)
    throttle.succeeded(client, name, device)
    secure = settings.is_production or request.url.scheme == "https"
    response = see_other(_safe_next(next))
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=int(settings.console_session_hours * 3600),
        path="/",
    )
    if (stored := _password_hash(name)) is not None:  # read again: a login may rehash it
        response.set_cookie(
            DEVICE_COOKIE,
            device_cookie(stored, name),
            httponly=True,
            samesite="strict",
            secure=secure,
            max_age=DEVICE_DAYS * 86400,
            path="/merchant/login",
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
