"""Payment status and the providers' webhooks (signature checked on the raw body)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from api.bodies import read_capped
from api.deps import SessionDep, SettingsDep
from api.errors import problems
from api.schemas.payments import PaymentOut, WebhookAck
from bot.db.session import session_scope
from bot.payments import ledger
from bot.payments.configured import configured_provider
from bot.payments.errors import ProviderDisabled
from bot.payments.provider import PaymentProvider
from bot.payments.razorpay import RazorpayProvider
from bot.payments.webhooks import WebhookResult, handle_webhook

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])
MAX_WEBHOOK_BYTES = 1 << 20

PaymentId = Annotated[str, Path(pattern=r"^cpay_[A-Za-z0-9_-]{10,40}$")]


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


@router.post(
    "/webhooks/{provider}",
    response_model=WebhookAck,
    responses=problems(400, 401, 404, 413, 422),
    summary="Webhook for the configured payment provider",
    description="Signed by the provider (X-Razorpay-Signature or X-Sandbox-Signature: "
    "HMAC-SHA256 of the raw body). Idempotent: a replayed event answers "
    "`duplicate: true` and changes nothing.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object", "additionalProperties": True}}
            },
        }
    },
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


@router.get("/razorpay/callback", response_class=HTMLResponse, include_in_schema=False)
def razorpay_callback(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Where Razorpay sends the shopper's browser after paying. Its signature is checked so the
    page never says "paid" for a forged link; the order itself moves only on the webhook."""
    provider = configured_provider(settings)
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
