"""The built-in sandbox UPI gateway: a stand-in for a real one, for local use and tests.

It plays both sides honestly. As a provider it hands out a pay page (`/pay/{public_id}`) and
verifies webhooks; as a gateway it builds the event a bank-backed gateway would send when the
shopper approves or declines, signs it (HMAC-SHA256 of the raw body, hex, in
`X-Sandbox-Signature`) and POSTs it to the shop's webhook URL. Nothing in between is special:
the webhook handler cannot tell a sandbox event from a real one except by the provider name.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from typing import Literal

import httpx

from bot.payments.errors import InvalidSignature, MalformedEvent, RefundFailed
from bot.payments.provider import EventKind, PaymentRequest, ProviderPayment, WebhookEvent

SIGNATURE_HEADER = "X-Sandbox-Signature"
EVENT_ID_HEADER = "X-Sandbox-Event-Id"
WEBHOOK_PATH = "/api/v1/payments/webhooks/sandbox"
Outcome = Literal["approve", "decline"]


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lower = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lower), None)


_KINDS: dict[str, EventKind] = {"payment.captured": "captured", "payment.failed": "failed"}


class SandboxUpiProvider:
    name = "sandbox"

    def __init__(self, secret: str, public_base_url: str) -> None:
        self.secret = secret
        self.public_base_url = public_base_url.rstrip("/")

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        return ProviderPayment(
            provider_ref=request.public_id,
            pay_url=f"{self.public_base_url}/pay/{request.public_id}",
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        given = _header(headers, SIGNATURE_HEADER) or ""
        if not hmac.compare_digest(sign(body, self.secret), given.strip().lower()):
            raise InvalidSignature("X-Sandbox-Signature does not match the body")
        try:
            event = json.loads(body)
            payment = event["payment"]
            kind = _KINDS.get(event["type"], "ignored")
            return WebhookEvent(
                event_id=str(event["id"]),
                event_type=str(event["type"]),
                kind=kind,
                public_id=str(payment["reference"]),
                provider_payment_id=str(payment["id"]),
                amount_paise=int(payment["amount"]),
                currency=str(payment["currency"]),
                payload=event,
            )
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise MalformedEvent(f"not a sandbox payment event: {exc}") from exc

    def refund(self, provider_payment_id: str, amount_paise: int, reference: str) -> str:
        if amount_paise <= 0:
            raise RefundFailed("nothing to refund")
        return f"srfnd_{secrets.token_hex(8)}"


def gateway_event(
    public_id: str, amount_paise: int, currency: str, outcome: Outcome, vpa: str = "shopper@sandbox"
) -> bytes:
    """The event body the gateway sends. Its id is fixed per payment and outcome, as a
    gateway's is per event: pressing Approve twice delivers the same event twice."""
    event = {
        "id": f"evt_{public_id}_{outcome}",
        "type": "payment.captured" if outcome == "approve" else "payment.failed",
        "created_at": int(time.time()),
        "payment": {
            "id": f"spay_{hashlib.sha256(public_id.encode()).hexdigest()[:14]}",
            "reference": public_id,
            "amount": amount_paise,
            "currency": currency,
            "vpa": vpa,
            "method": "upi",
            "error": None if outcome == "approve" else "declined by the payer",
        },
    }
    return json.dumps(event, separators=(",", ":")).encode()


def deliver(webhook_url: str, body: bytes, secret: str, timeout: float = 10.0) -> int:
    """POST a signed event the way a gateway does; the HTTP status the shop answered."""
    event_id = json.loads(body)["id"]
    response = httpx.post(
        webhook_url,
        content=body,
        timeout=timeout,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, secret),
            EVENT_ID_HEADER: event_id,
        },
    )
    return response.status_code
