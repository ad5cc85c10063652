"""What every console page needs: the signed-in merchant, CSRF checks, templates, redirects.

Pages are plain HTML forms. A GET without a session is sent to the login page; anything else
without one gets 401, and a state-changing request whose CSRF token does not match its
session's gets 403, before the route runs.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from api.console.throttle import LoginThrottle
from api.errors import ProblemError, problem_response
from bot.db.session import session_scope
from bot.merchants.users import Principal, csrf_matches, resolve
from bot.settings import PROJECT_ROOT, Settings

SESSION_COOKIE = "chatcart_console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
LOGIN_PATH = "/merchant/login"

MerchantPrincipal = Principal
templates = Jinja2Templates(directory=str(PROJECT_ROOT / "api" / "templates"))
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
}


class LoginRequired(Exception):
    def __init__(self, request: Request) -> None:
        self.request = request


def current_merchant(request: Request) -> Principal:
    token = request.cookies.get(SESSION_COOKIE, "")
    principal = None
    if token:
        with session_scope() as session:
            principal = resolve(session, token)
    if principal is None:
        raise LoginRequired(request)
    request.state.merchant = principal
    return principal


async def csrf_merchant(
    request: Request, principal: Annotated[Principal, Depends(current_merchant)]
) -> Principal:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()  # cached by Starlette: the route's Form() fields still work
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not csrf_matches(principal, sent):
        raise ProblemError(
            403,
            "csrf",
            "Forbidden",
            "the form's CSRF token is missing or belongs to another session; reload the page",
        )
    return principal


CurrentMerchant = Annotated[Principal, Depends(current_merchant)]
CsrfMerchant = Annotated[Principal, Depends(csrf_merchant)]


def render(
    request: Request,
    template: str,
    merchant: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    csrf = merchant.csrf_token if merchant else context.pop("login_csrf", "")

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, csrf)

    response = templates.TemplateResponse(
        request,
        template,
        {
            "merchant": merchant,
            "csrf_field": csrf_field,
            "csrf_token": csrf,
            "notice": request.query_params.get("notice", "")[:300],
            "error": context.pop("error", None) or request.query_params.get("error", "")[:300],
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )
    response.headers.update(SECURITY_HEADERS)
    return response


def see_other(url: str, notice: str | None = None, error: str | None = None) -> RedirectResponse:
    """The answer to a successful form post (Post/Redirect/Get), with a one-line message."""
    params = {k: v for k, v in (("notice", notice), ("error", error)) if v}
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def _login_required(request: Request, exc: Exception) -> Response:
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=303)
    return problem_response(
        request, 401, "Unauthorized", "log in to the merchant console first", code="unauthenticated"
    )


def install_handlers(app: FastAPI, settings: Settings) -> None:
    app.state.console_throttle = LoginThrottle(settings)

    async def handler(request: Request, exc: Exception) -> Response:
        return _login_required(request, exc)

    app.add_exception_handler(LoginRequired, handler)
