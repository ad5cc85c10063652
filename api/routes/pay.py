"""The sandbox UPI gateway's pay page: the UPI intent link, its QR code, and Approve / Decline
buttons that make the gateway send its signed webhook to the shop, over HTTP, as a real
gateway would. Only served while the sandbox is the configured provider."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from api.deps import SettingsDep
from bot.catalog.model import format_rupees
from bot.db.models import Shop
from bot.db.session import session_scope
from bot.payments import ledger, sandbox
from bot.payments.configured import sandbox_secret, webhook_path
from bot.payments.errors import ProviderDisabled
from bot.payments.ledger import PaymentView
from bot.payments.upi import intent_link, qr_svg
from bot.settings import PROJECT_ROOT, Settings

router = APIRouter(tags=["sandbox"], include_in_schema=False)
templates = Jinja2Templates(directory=str(PROJECT_ROOT / "api" / "templates"))

PaymentId = Annotated[str, Path(pattern=r"^cpay_[A-Za-z0-9_-]{10,40}$")]


def _sandbox_only(settings: Settings) -> None:
    if settings.payment_provider != "sandbox":
        raise ProviderDisabled("the sandbox payment page is off: the shop takes real payments")


def _payment(public_id: str) -> PaymentView:
    with session_scope() as session:
        return ledger.payment_view(ledger.get_payment(session, public_id))


def _route(public_id: str, settings: Settings) -> tuple[str, str]:
    """Where the gateway delivers this payment's events and the secret it signs them with:
    those of the account that took it (a shop's own, or the platform's)."""
    with session_scope() as session:
        payment = ledger.get_payment(session, public_id)
        shop = session.get(Shop, payment.shop_id)
        return webhook_path(shop), sandbox_secret(shop, settings)


@router.get("/pay/{payment_id}", response_class=HTMLResponse)
async def pay_page(payment_id: PaymentId, request: Request, settings: SettingsDep) -> HTMLResponse:
    _sandbox_only(settings)
    payment = await run_in_threadpool(_payment, payment_id)
    upi = intent_link(
        settings.upi_vpa,
        settings.default_shop_name,
        payment.amount_paise,
        payment.id,
        f"Order #{payment.order_id}",
        payment.currency,
    )
    return templates.TemplateResponse(
        request,
        "pay.html",
        {
            "payment": payment,
            "amount": format_rupees(payment.amount_paise),
            "upi": upi,
            "qr": qr_svg(upi),
            "shop": settings.default_shop_name,
            "delivered": request.query_params.get("delivered"),
        },
        headers={"Cache-Control": "no-store"},
    )


async def _decide(
    payment_id: str, outcome: sandbox.Outcome, settings: Settings
) -> RedirectResponse:
    _sandbox_only(settings)
    payment = await run_in_threadpool(_payment, payment_id)
    body = sandbox.gateway_event(payment.id, payment.amount_paise, payment.currency, outcome)
    path, secret = await run_in_threadpool(_route, payment_id, settings)
    url = settings.public_base_url.rstrip("/") + path
    try:
        status = str(await run_in_threadpool(sandbox.deliver, url, body, secret))
    except (httpx.HTTPError, httpx.InvalidURL):  # unreachable: the page says so; press again
        status = "unreachable"
    return RedirectResponse(f"/pay/{payment_id}?delivered={status}", status_code=303)


@router.post("/pay/{payment_id}/approve")
async def approve(payment_id: PaymentId, settings: SettingsDep) -> RedirectResponse:
    return await _decide(payment_id, "approve", settings)


@router.post("/pay/{payment_id}/decline")
async def decline(payment_id: PaymentId, settings: SettingsDep) -> RedirectResponse:
    return await _decide(payment_id, "decline", settings)
