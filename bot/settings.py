"""One settings object for every process, read from the environment (and `.env`)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Good enough on a laptop, refused in production (see `Settings.production_problems`).
DEV_SANDBOX_SECRET = "sandbox-dev-secret-not-for-production"
# WhatsApp Cloud API development defaults: the simulator signs with this secret and, while the
# token is the default, the gateway sends to the local capture endpoint instead of Meta.
DEV_WHATSAPP_VERIFY_TOKEN = "chatcart-dev-verify-token"
DEV_WHATSAPP_APP_SECRET = "chatcart-dev-app-secret-not-for-production"
DEV_WHATSAPP_ACCESS_TOKEN = "chatcart-dev-access-token"
DEV_WHATSAPP_PHONE_NUMBER_ID = "100000000000001"
DEV_ACTION_SERVER_SECRET = "chatcart-dev-action-secret-not-for-production"
DEV_PRIVACY_HASH_SECRET = "chatcart-dev-privacy-secret-not-for-production"
META_GRAPH_URL = "https://graph.facebook.com"
# Outside WhatsApp's 24-hour customer-service window notifications go as message templates the
# business had approved in WhatsApp Manager: the outbox template → the approved template's name
# (bodies to register: api/whatsapp/templates.py), and the shopper's language → its language code.
DEFAULT_WHATSAPP_TEMPLATES = {
    "order_placed": "chatcart_order_placed",
    "order_paid": "chatcart_payment_received",
    "payment_failed": "chatcart_payment_failed",
    "payment_flagged": "chatcart_payment_check",
    "order_packed": "chatcart_order_packed",
    "order_out_for_delivery": "chatcart_out_for_delivery",
    "order_delivered": "chatcart_order_delivered",
    "order_cancelled": "chatcart_order_cancelled",
    "order_refunded": "chatcart_order_refunded",
    "cart_reminder": "chatcart_cart_reminder",
}
DEFAULT_WHATSAPP_TEMPLATE_LANGUAGES = {"en": "en", "hi": "hi", "hinglish": "en"}


def _merged_over(
    defaults: dict[str, str], value: dict[str, str], pattern: str, keys: str, rule: str
) -> dict[str, str]:
    """A partial mapping from the environment over its defaults: unknown keys and values that
    break `pattern` are refused by name."""
    unknown = set(value) - set(defaults)
    if unknown:
        raise ValueError(f"unknown {keys} {sorted(unknown)}; known: {sorted(defaults)}")
    bad = [v for v in value.values() if not re.fullmatch(pattern, v)]
    if bad:
        raise ValueError(f"{rule}: {bad}")
    return {**defaults, **value}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Anything else is refused: a misspelt "prod" must not quietly run with the sandbox payment
    # provider and the simulator switched on.
    environment: Literal["development", "test", "production"] = Field(
        default="development", description="development | test | production (any case)"
    )
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'chatcart.db'}"
    default_shop_slug: str = "default"
    default_shop_name: str = "ChatCart Kirana"
    catalog_path: Path = PROJECT_ROOT / "data" / "catalog"

    # Resolver: below this confidence a line is `unmatched`; ambiguity margin in score points.
    match_threshold: float = 0.62
    ambiguity_margin: float = 0.04
    max_message_chars: int = 4096
    max_lines_per_message: int = 100
    # Intents predicted below this confidence (but above the fallback) go to the review queue.
    review_confidence: float = 0.7
    # Where the Rasa engine and the action server listen (make run starts both).
    rasa_url: str = "http://127.0.0.1:5005"
    # The engine's HTTP API (models, conversations) answers only with ?token=RASA_TOKEN when set;
    # required in production, where anyone reaching the engine could otherwise swap its model.
    rasa_token: SecretStr = SecretStr("")
    # Trained models, their metas and registry.json (which one is production).
    models_dir: Path = PROJECT_ROOT / "models"
    # Real data sets kept beside the checkout, never copied into it (`chatcart evaluate model`
    # measures the model on real out-of-scope Hinglish from here; skipped when it is absent).
    shared_data_dir: Path = PROJECT_ROOT.parent / "shared" / "data"
    action_server_port: int = 5055
    # Every call from the engine to the action server carries it (`Authorization: Bearer …`,
    # endpoints.yml) and the action server refuses calls without it (rasa_sdk_plugins): whoever
    # reaches the port could otherwise place orders as any shopper.
    action_server_secret: SecretStr = SecretStr(DEV_ACTION_SERVER_SECRET)
    # The address the engine listens on: loopback, or the host's private address when workers
    # on other hosts reach it — never every address, which would open conversations to anyone.
    engine_interface: str = "127.0.0.1"

    # Privacy (bot/privacy). An erased shopper's orders keep HMAC-SHA256(number) under this key
    # instead of the number: keyed, since every ten-digit number is quickly hashed.
    privacy_hash_secret: SecretStr = SecretStr(DEV_PRIVACY_HASH_SECRET)
    # Conversation text older than this is deleted (0: kept); the worker purges at start and
    # every `privacy_purge_every_hours` (0: at start only).
    conversation_retention_days: int = Field(default=90, ge=0)
    privacy_purge_every_hours: float = Field(default=6.0, ge=0)

    # Checkout. Money in paise: ₹25 delivery, free from ₹500, ₹100 minimum order.
    currency: Literal["INR"] = "INR"
    delivery_fee_paise: int = Field(default=2500, ge=0)
    free_delivery_from_paise: int = Field(default=50000, ge=0, description="0: never free")
    min_order_paise: int = Field(default=10000, ge=0)
    max_count_per_line: int = Field(default=50, ge=1)
    # "Which one?" only when the options really differ: prices per kg/L/piece further apart
    # than this ratio (else the usual pick goes in, with a one-tap change), or more packs for one
    # line than a shopkeeper would stack without asking.
    choice_price_spread: float = Field(default=2.5, ge=1.0)
    max_packs_unasked: int = Field(default=12, ge=1)
    max_cart_lines: int = Field(default=60, ge=1)

    # Delivery slots, in the shop's local time.
    shop_timezone: str = "Asia/Kolkata"
    shop_open_hour: int = Field(default=8, ge=0, le=23)
    shop_close_hour: int = Field(default=21, ge=1, le=24)
    slot_hours: int = Field(default=2, ge=1, le=12)
    slot_lead_minutes: int = Field(default=60, ge=0)
    slot_days_ahead: int = Field(default=3, ge=1)

    # Payments. The sandbox approves payments without money: fine locally, refused in production.
    payment_provider: Literal["sandbox", "razorpay"] = "sandbox"
    payment_timeout_minutes: int = Field(default=30, ge=1)
    public_base_url: str = "http://127.0.0.1:8000"
    upi_vpa: str = "chatcart.sandbox@upi"
    sandbox_webhook_secret: SecretStr = SecretStr(DEV_SANDBOX_SECRET)
    razorpay_key_id: str = ""
    razorpay_key_secret: SecretStr = SecretStr("")
    razorpay_webhook_secret: SecretStr = SecretStr("")
    razorpay_api_base: str = "https://api.razorpay.com"
    razorpay_timeout_seconds: float = Field(default=10.0, gt=0)

    # API and background work.
    cors_origins: list[str] = Field(default_factory=list, description="empty: CORS closed")
    # `chatcart run` starts the engine, the action server and the WhatsApp worker this much
    # nicer than itself and the API (see `cli/stack.Service.nice`): on a busy machine the
    # kernel gives the API — which must answer Meta's webhooks within milliseconds — the CPU first.
    background_nice: int = Field(
        default=10, ge=0, le=19, description="niceness added to the CPU-heavy background processes"
    )
    outbox_max_attempts: int = Field(default=8, ge=1)
    expire_unpaid_every_seconds: float = Field(default=60.0, ge=0, description="0: off")

    # Merchant console (/merchant): cookie sessions; failed logins slow down, never lock
    # (api/console/throttle.py): past the free failures of a client address, or of a username
    # on browsers it never signed in from, each try waits twice as long, up to the lockout.
    console_session_hours: float = Field(default=12.0, gt=0)
    console_max_failed_logins: int = Field(default=5, ge=1, description="free per client")
    console_max_failed_logins_per_account: int = Field(default=20, ge=1)
    console_backoff_seconds: float = Field(default=2.0, gt=0, description="the first wait")
    console_lockout_minutes: float = Field(default=15.0, gt=0, description="the longest wait")

    # WhatsApp Cloud API (api/whatsapp). Development defaults; production refuses them.
    whatsapp_verify_token: SecretStr = SecretStr(DEV_WHATSAPP_VERIFY_TOKEN)
    whatsapp_app_secret: SecretStr = SecretStr(DEV_WHATSAPP_APP_SECRET)
    whatsapp_access_token: SecretStr = SecretStr(DEV_WHATSAPP_ACCESS_TOKEN)
    whatsapp_phone_number_id: str = DEV_WHATSAPP_PHONE_NUMBER_ID
    whatsapp_graph_url: str = META_GRAPH_URL
    whatsapp_api_version: str = Field(default="v21.0", pattern=r"^v\d+\.\d+$")
    whatsapp_send_rate: float = Field(default=80.0, gt=0, description="messages/s per number")
    whatsapp_send_attempts: int = Field(default=5, ge=1, description="tries on 429/5xx")
    whatsapp_backoff_seconds: float = Field(default=0.5, ge=0, description="first retry delay")
    whatsapp_timeout_seconds: float = Field(default=15.0, gt=0)
    whatsapp_lanes: int = Field(default=16, ge=1, description="shoppers handled at once")
    whatsapp_shopper_rate: int = Field(
        default=30, ge=0, description="messages a shopper may send a minute; 0: no limit"
    )
    whatsapp_outbox_every_seconds: float = Field(default=2.0, ge=0, description="0: off")
    whatsapp_workers: bool = Field(
        default=True,
        description="run the gateway's background work in the API process; false when "
        "`chatcart whatsapp worker` runs it (what `chatcart run` does)",
    )
    whatsapp_poll_seconds: float = Field(
        default=0.1, gt=0, description="how often the worker process looks for new inbox rows"
    )
    # WhatsApp Pay (India) per shop slug, "*" for every other shop; a shop in neither pays
    # through the pay-link page. {"gateway": "razorpay", "configuration_name": "…"} or
    # {"upi_vpa": "shop@bank"} (`bot.payments.order_details.pay_setting`).
    whatsapp_pay: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="shop slug (or *) → its WhatsApp Pay payment setting (JSON)",
    )
    # Shops (slugs, or "*") whose checkout asks Indian WhatsApp shoppers for the address with
    # WhatsApp's own address form; typed text and a shared location still work everywhere.
    whatsapp_address_form: list[str] = Field(
        default_factory=list, description="shop slugs (or *) that send WhatsApp's address form"
    )
    whatsapp_templates: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_WHATSAPP_TEMPLATES),
        description="outbox template → approved WhatsApp template name (JSON; merged over the defaults)",
    )
    whatsapp_template_languages: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_WHATSAPP_TEMPLATE_LANGUAGES),
        description="shopper language → template language code (JSON; merged over the defaults)",
    )

    @field_validator("environment", mode="before")
    @classmethod
    def _environment_any_case(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("whatsapp_templates")
    @classmethod
    def _template_names(cls, value: dict[str, str]) -> dict[str, str]:
        return _merged_over(
            DEFAULT_WHATSAPP_TEMPLATES,
            value,
            r"[a-z0-9_]{1,512}",
            "notification templates",
            "WhatsApp template names are lowercase letters, digits and _",
        )

    @field_validator("whatsapp_template_languages")
    @classmethod
    def _template_languages(cls, value: dict[str, str]) -> dict[str, str]:
        return _merged_over(
            DEFAULT_WHATSAPP_TEMPLATE_LANGUAGES,
            value,
            r"[a-z]{2,3}(_[A-Z]{2})?",
            "shopper languages",
            "template language codes look like en, hi or en_US",
        )

    @property
    def whatsapp_capture(self) -> bool:
        """Development with no real WhatsApp credentials: sends go to the local capture
        endpoint (the simulator) through the same client, never to Meta."""
        return (
            not self.is_production
            and self.whatsapp_graph_url == META_GRAPH_URL
            and self.whatsapp_access_token.get_secret_value() == DEV_WHATSAPP_ACCESS_TOKEN
        )

    @property
    def whatsapp_graph_base(self) -> str:
        if self.whatsapp_capture:
            return self.public_base_url.rstrip("/") + "/simulator/graph"
        return self.whatsapp_graph_url.rstrip("/")

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def production_problems(self) -> list[str]:
        """What makes these settings unsafe to take real orders with; empty when they are fine."""
        problems = []
        if self.payment_provider == "sandbox":
            problems.append(
                "PAYMENT_PROVIDER=sandbox approves payments without money: use razorpay"
            )
        else:
            for name in ("razorpay_key_id", "razorpay_key_secret", "razorpay_webhook_secret"):
                value = getattr(self, name)
                if not (value.get_secret_value() if isinstance(value, SecretStr) else value):
                    problems.append(f"{name.upper()} is not set")
        if (
            self.sandbox_webhook_secret.get_secret_value() == DEV_SANDBOX_SECRET
            and self.payment_provider == "sandbox"
        ):
            problems.append("SANDBOX_WEBHOOK_SECRET is the development default")
        url = urlsplit(self.public_base_url)
        if url.scheme != "https" or url.hostname in {None, "localhost", "127.0.0.1", "::1"}:
            problems.append(
                f"PUBLIC_BASE_URL must be the shop's public https address, not {self.public_base_url!r}"
            )
        if "*" in self.cors_origins:
            problems.append("CORS_ORIGINS must list origins, not '*'")
        if not self.rasa_token.get_secret_value():
            problems.append(
                "RASA_TOKEN is not set: the engine's model and conversation API would be open"
            )
        if self.action_server_secret.get_secret_value() in ("", DEV_ACTION_SERVER_SECRET):
            problems.append(
                "ACTION_SERVER_SECRET is not set: anyone reaching the action server could act"
            )
        if self.privacy_hash_secret.get_secret_value() in ("", DEV_PRIVACY_HASH_SECRET):
            problems.append(
                "PRIVACY_HASH_SECRET is not set: erased shoppers' numbers could be recovered"
            )
        return problems

    def whatsapp_problems(self) -> list[str]:
        """What stops the WhatsApp channel from running in production (development defaults,
        a Graph API that is not https); empty when it may run."""
        if not self.is_production:
            return []
        problems = []
        for name, default in (
            ("whatsapp_verify_token", DEV_WHATSAPP_VERIFY_TOKEN),
            ("whatsapp_app_secret", DEV_WHATSAPP_APP_SECRET),
            ("whatsapp_access_token", DEV_WHATSAPP_ACCESS_TOKEN),
            ("whatsapp_phone_number_id", DEV_WHATSAPP_PHONE_NUMBER_ID),
        ):
            value = getattr(self, name)
            value = value.get_secret_value() if isinstance(value, SecretStr) else value
            if not value or value == default:
                problems.append(f"{name.upper()} is not set (the development default is refused)")
        if urlsplit(self.whatsapp_graph_url).scheme != "https":
            problems.append("WHATSAPP_GRAPH_URL must be https in production")
        return problems


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
