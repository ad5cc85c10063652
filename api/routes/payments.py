"""Payment status and the providers' webhooks (signature checked on the raw body)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from api.bodies import read_capped
from api.deps import SessionDep, SettingsDep
from api.errors import ProblemError, problems
from api.schemas.payments import PaymentOut, WebhookAck
from bot.db.session import session_scope
from bot.payments import ledger
from bot.payments.configured import configured_provider, kind_of, provider_for_shop
from bot.payments.errors import ProviderDisabled
from bot.payments.provider import PaymentProvider
from bot.payments.razorpay import RazorpayProvider
from bot.payments.webhooks import WebhookResult, handle_webhook
from bot.settings import Settings
from bot.shops.directory import by_slug

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])
MAX_WEBHOOK_BYTES = 1 << 20

PaymentId = Annotated[str, Path(pattern=r"^cpay_[A-Za-z0-9_-]{10,40}$")]
ANY_JSON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object", "additionalProperties": True}}
        },
    }
}
ShopSlug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


@router.get(
    "/{payment_id}",
    response_model=PaymentOut,
    responses=problems(404, 422),
    summary="A payment's status (the id is the unguessable one in the pay link)",
)
def get_payment(payment_id: PaymentId, session: SessionDep) -> PaymentOut:
    return PaymentOut.of(ledger.payment_view(ledger.get_payment(session, payment_id)))


def _handle(provider: PaymentProvider, body: bytes, headers: dict[str, str]) -> WebhookResult:
    with session_scope() as session:
        return handle_webhook(session, provider, body, headers)


def _handle_for_shop(kind: str, slug: str, body: bytes, headers: dict[str, str]) -> WebhookResult:
    """A delivery to one shop's route: verified with the secret of the account that shop pays
    through, and able to find that shop's payments only."""
    with session_scope() as session:
        shop = by_slug(session, slug)
        if shop is None:
            raise ProblemError(404, "shop-not-found", "Not Found", f"no shop {slug!r}")
        provider = provider_for_shop(shop)
        if kind_of(provider.name) != kind:
            raise ProviderDisabled(
                f"{kind} webhooks are not accepted: shop {slug} uses {kind_of(provider.name)}"
            )
        return handle_webhook(session, provider, body, headers, shop_id=shop.id)


@router.post(
    "/webhooks/{provider}",
    response_model=WebhookAck,
    responses=problems(400, 401, 404, 413, 422),
    summary="Webhook for the configured payment provider",
    description="Signed by the provider (X-Razorpay-Signature or X-Sandbox-Signature: "
    "HMAC-SHA256 of the raw body). Idempotent: a replayed event answers "
    "`duplicate: true` and changes nothing.",
    openapi_extra=ANY_JSON_BODY,
)
async def webhook(
    provider: Literal["sandbox", "razorpay"], request: Request, settings: SettingsDep
) -> WebhookAck:
    if provider != settings.payment_provider:
        raise ProviderDisabled(
            f"{provider} webhooks are not accepted: the shop uses {settings.payment_provider}"
        )
    body = await read_capped(request, MAX_WEBHOOK_BYTES)
    result = await run_in_threadpool(
        _handle, configured_provider(settings), body, dict(request.headers)
    )
    return WebhookAck.of(result)


@router.post(
    "/webhooks/{provider}/{shop}",
    response_model=WebhookAck,
    responses=problems(400, 401, 404, 413, 422),
    summary="Webhook for one shop's payment account",
    description="As the platform's webhook, for a shop that takes payments on an account of "
    "its own (or any shop on the platform's): checked with that account's secret, and it can "
    "only ever find that shop's payments.",
    openapi_extra=ANY_JSON_BODY,
)
async def shop_webhook(
    provider: Literal["sandbox", "razorpay"], shop: ShopSlug, request: Request
) -> WebhookAck:
    body = await read_capped(request, MAX_WEBHOOK_BYTES)
    result = await run_in_threadpool(_handle_for_shop, provider, shop, body, dict(request.headers))
    return WebhookAck.of(result)


def _callback_provider(shop: str | None, settings: Settings) -> PaymentProvider:
    if shop is None:
        return configured_provider(settings)
    with session_scope() as session:
        row = by_slug(session, shop)
        if row is None:
            raise ProblemError(404, "shop-not-found", "Not Found", f"no shop {shop!r}")
        return provider_for_shop(row, settings)


@router.get("/razorpay/callback", response_class=HTMLResponse, include_in_schema=False)
@router.get("/razorpay/callback/{shop}", response_class=HTMLResponse, include_in_schema=False)
def razorpay_callback(
    request: Request, settings: SettingsDep, shop: str | None = None
) -> HTMLResponse:
    """Where Razorpay sends the shopper's browser after paying. Its signature is checked so the
    page never says "paid" for a forged link; the order itself moves only on the webhook."""
    provider = _callback_provider(shop, settings)
    if not isinstance(provider, RazorpayProvider):
        raise ProviderDisabled("Razorpay is not this shop's payment provider")
    q = request.query_params
    provider.verify_link_callback(
        {
            "payment_link_id": q.get("razorpay_payment_link_id", ""),
            "payment_link_reference_id": q.get("razorpay_payment_link_reference_id", ""),
            "payment_link_status": q.get("razorpay_payment_link_status", ""),
            "razorpay_payment_id": q.get("razorpay_payment_id", ""),
            "razorpay_signature": q.get("razorpay_signature", ""),
        }
    )
    status = q.get("razorpay_payment_link_status", "")
    text = (
        "Payment received. You can go back to WhatsApp."
        if status == "paid"
        else "The payment did not go through. You can try again from the link in WhatsApp."
    )
    return HTMLResponse(f"<!doctype html><meta charset=utf-8><title>ChatCart</title><p>{text}</p>")
