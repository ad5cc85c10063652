"""The payment provider that takes a shop's payments. Kept apart from `provider` (the
interface), which the providers themselves import.

A shop on the platform's account (its payment columns unset) pays through `PAYMENT_PROVIDER`
and its secrets, as a one-shop deployment always did. A shop with an account of its own pays
through a provider built from its columns, **named** `<provider>#<shop id>` (`razorpay#7`).
That name is what payments and provider events are recorded under, so a webhook verified with
one account's secret can only ever find that account's payments: shop A's Razorpay secret
cannot mark shop B's order paid, nor record B's event ids before B's own delivery arrives.
"""

from __future__ import annotations

from bot.db.models import Shop
from bot.payments.provider import PaymentProvider
from bot.payments.razorpay import RazorpayProvider
from bot.payments.sandbox import WEBHOOK_PATH, SandboxUpiProvider
from bot.settings import Settings, get_settings

PROVIDERS = ("sandbox", "razorpay")
ACCOUNT = "#"
CALLBACK_PATH = "/api/v1/payments/razorpay/callback"


def configured_provider(settings: Settings | None = None) -> PaymentProvider:
    """The platform's provider, as the settings choose it (`PAYMENT_PROVIDER`)."""
    s = settings or get_settings()
    if s.payment_provider == "razorpay":
        return RazorpayProvider(
            s.razorpay_key_id,
            s.razorpay_key_secret.get_secret_value(),
            s.razorpay_webhook_secret.get_secret_value(),
            s.razorpay_api_base,
            s.razorpay_timeout_seconds,
            callback_url=f"{s.public_base_url.rstrip('/')}{CALLBACK_PATH}",
        )
    return SandboxUpiProvider(s.sandbox_webhook_secret.get_secret_value(), s.public_base_url)


def has_own_account(shop: Shop | None) -> bool:
    return shop is not None and shop.payment_provider is not None


def provider_for_shop(shop: Shop | None, settings: Settings | None = None) -> PaymentProvider:
    """The provider that takes `shop`'s payments (see the module's note)."""
    s = settings or get_settings()
    if shop is None or shop.payment_provider is None:
        return configured_provider(s)
    provider: RazorpayProvider | SandboxUpiProvider
    if shop.payment_provider == "razorpay":
        provider = RazorpayProvider(
            shop.payment_key_id or "",
            shop.payment_key_secret or "",
            shop.payment_webhook_secret or "",
            s.razorpay_api_base,
            s.razorpay_timeout_seconds,
            callback_url=f"{s.public_base_url.rstrip('/')}{CALLBACK_PATH}/{shop.slug}",
        )
    else:
        provider = SandboxUpiProvider(shop.payment_webhook_secret or "", s.public_base_url)
    provider.name = f"{provider.name}{ACCOUNT}{shop.id}"
    return provider


def kind_of(provider_name: str) -> str:
    """ "razorpay" for "razorpay" and "razorpay#7": what the provider is, whoever's account."""
    return provider_name.partition(ACCOUNT)[0]


def webhook_path(shop: Shop | None) -> str:
    """Where the sandbox gateway delivers `shop`'s events: the shop's own route for an
    account of its own, else the platform's."""
    if has_own_account(shop):
        assert shop is not None
        return f"{WEBHOOK_PATH}/{shop.slug}"
    return WEBHOOK_PATH


def sandbox_secret(shop: Shop | None, settings: Settings | None = None) -> str:
    """The secret the sandbox gateway signs `shop`'s events with."""
    if has_own_account(shop):
        assert shop is not None
        return shop.payment_webhook_secret or ""
    return (settings or get_settings()).sandbox_webhook_secret.get_secret_value()
