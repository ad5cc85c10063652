"""The payment provider the settings choose. Kept apart from `provider` (the interface), which
the providers themselves import."""

from __future__ import annotations

from bot.payments.provider import PaymentProvider
from bot.payments.razorpay import RazorpayProvider
from bot.payments.sandbox import SandboxUpiProvider
from bot.settings import Settings, get_settings


def configured_provider(settings: Settings | None = None) -> PaymentProvider:
    """The provider the settings choose (`PAYMENT_PROVIDER`)."""
    s = settings or get_settings()
    if s.payment_provider == "razorpay":
        return RazorpayProvider(
            s.razorpay_key_id,
            s.razorpay_key_secret.get_secret_value(),
            s.razorpay_webhook_secret.get_secret_value(),
            s.razorpay_api_base,
            s.razorpay_timeout_seconds,
            callback_url=f"{s.public_base_url.rstrip('/')}/api/v1/payments/razorpay/callback",
        )
    return SandboxUpiProvider(s.sandbox_webhook_secret.get_secret_value(), s.public_base_url)
