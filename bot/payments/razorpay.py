"""Razorpay: payment links to pay, webhooks to learn the outcome, refunds through the API.

Uses the official `razorpay` package. Its API base URL is a setting, so tests run against a
local HTTP server standing in for Razorpay. Webhooks are verified with the package's
`verify_webhook_signature` on the exact raw body (HMAC-SHA256 with the webhook secret).

Events read: `payment_link.paid` (the payment is captured), `payment.captured` and
`payment.failed` (found through the note we put on the link), `payment_link.expired` and
`payment_link.cancelled`. Anything else is acknowledged and recorded, and changes nothing.

An event is known by what its signature covers: its own `id` when the body has one, else the
SHA-256 of the body's canonical JSON. `X-Razorpay-Event-Id` is not signed — anyone replaying a
captured delivery could give it a new value, and an event keyed by it would count again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import razorpay
import requests
from razorpay.errors import BadRequestError, GatewayError, ServerError, SignatureVerificationError

from bot.payments.errors import InvalidSignature, MalformedEvent, ProviderUnavailable, RefundFailed
from bot.payments.provider import EventKind, PaymentRequest, ProviderPayment, WebhookEvent

SIGNATURE_HEADER = "X-Razorpay-Signature"
EVENT_ID_HEADER = "X-Razorpay-Event-Id"  # unsigned: never used to tell events apart
NOTE = "chatcart_payment"
_KINDS: dict[str, EventKind] = {
    "payment_link.paid": "captured",
    "payment.captured": "captured",
    "payment.failed": "failed",
    "payment_link.expired": "expired",
    "payment_link.cancelled": "expired",
    "refund.processed": "refunded",
}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lower = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lower), None)


def signed_event_id(event: Mapping[str, Any]) -> str:
    """The event's identity from the signed body alone: the same event re-serialised with other
    spacing or key order is still the same event, and no header can make it another."""
    own = event.get("id")
    if isinstance(own, str) and own:
        return own[:100]
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


class RazorpayProvider:
    name = "razorpay"

    def __init__(
        self,
        key_id: str,
        key_secret: str,
        webhook_secret: str,
        api_base: str = "https://api.razorpay.com",
        timeout: float = 10.0,
        callback_url: str | None = None,
    ) -> None:
        self.client = razorpay.Client(auth=(key_id, key_secret), base_url=api_base.rstrip("/"))
        self.webhook_secret = webhook_secret
        self.timeout = timeout
        self.callback_url = callback_url

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        contact = f"+{request.wa_id}" if request.wa_id.isdigit() else None
        body: dict[str, Any] = {
            "amount": request.amount_paise,
            "currency": request.currency,
            "accept_partial": False,
            "reference_id": request.public_id,
            "description": request.description,
            "expire_by": int(request.expires_at.timestamp()),
            "notify": {"sms": False, "email": False},
            "reminder_enable": False,
            "notes": {NOTE: request.public_id, "order_id": str(request.order_id)},
        }
        if contact:
            body["customer"] = {"contact": contact, "name": request.customer_name or contact}
        if self.callback_url:
            body["callback_url"] = self.callback_url
            body["callback_method"] = "get"
        try:
            link = self.client.payment_link.create(body, timeout=self.timeout)
            return ProviderPayment(provider_ref=str(link["id"]), pay_url=str(link["short_url"]))
        except (
            BadRequestError,
            GatewayError,
            ServerError,
            requests.RequestException,
            KeyError,
            ValueError,
        ) as exc:
            raise ProviderUnavailable(f"Razorpay did not create the payment link: {exc}") from exc

    def verify(self, body: bytes, signature: str) -> None:
        try:
            text = body.decode("utf-8")
            self.client.utility.verify_webhook_signature(text, signature, self.webhook_secret)
        except (UnicodeDecodeError, SignatureVerificationError) as exc:
            raise InvalidSignature("X-Razorpay-Signature does not match the body") from exc

    def verify_link_callback(self, params: Mapping[str, str]) -> None:
        """The redirect after paying a link carries a signature of its own (key secret)."""
        try:
            self.client.utility.verify_payment_link_signature(dict(params))
        except (KeyError, SignatureVerificationError) as exc:
            raise InvalidSignature("the payment link callback's signature does not match") from exc

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        self.verify(body, (_header(headers, SIGNATURE_HEADER) or "").strip())
        try:
            event = json.loads(body)
            event_type = str(event["event"])
            payload = event.get("payload") or {}
            payment = (payload.get("payment") or {}).get("entity") or {}
            link = (payload.get("payment_link") or {}).get("entity") or {}
            notes = payment.get("notes") if isinstance(payment.get("notes"), dict) else {}
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise MalformedEvent(f"not a Razorpay webhook: {exc}") from exc
        event_id = signed_event_id(event)
        kind = _KINDS.get(event_type, "ignored")
        provider_ref = link.get("id") or None
        public_id = (notes or {}).get(NOTE) or link.get("reference_id") or None
        if kind in ("captured", "failed") and not provider_ref and not public_id:
            kind = "ignored"  # a payment that is not one of our links
        amount = payment.get(
            "amount", link.get("amount_paid") if kind == "captured" else link.get("amount")
        )
        try:
            return WebhookEvent(
                event_id=event_id,
                event_type=event_type,
                kind=kind,
                provider_ref=provider_ref,
                public_id=public_id,
                provider_payment_id=payment.get("id"),
                amount_paise=int(amount) if amount is not None else None,
                currency=payment.get("currency") or link.get("currency"),
                payload=event,
            )
        except (TypeError, ValueError) as exc:
            raise MalformedEvent(f"unreadable amount in Razorpay event: {exc}") from exc

    def refund(self, provider_payment_id: str, amount_paise: int, reference: str) -> str:
        try:
            refund = self.client.payment.refund(
                provider_payment_id,
                {"amount": amount_paise, "speed": "normal", "receipt": reference[:40]},
                timeout=self.timeout,
            )
            return str(refund["id"])
        except (
            BadRequestError,
            GatewayError,
            ServerError,
            requests.RequestException,
            KeyError,
            ValueError,
        ) as exc:
            raise RefundFailed(f"Razorpay did not refund {provider_payment_id}: {exc}") from exc
