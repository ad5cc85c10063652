"""Which shop is which: made and changed by the operator (`chatcart shop`), found by the
business number a webhook names, and kept apart in the engine's conversations.

One engine serves every shop, and Rasa keys a conversation by its sender, so a shopper who
writes to two shops must be two senders or the second shop would inherit the first one's
language, checkout form and handoff. The default shop's conversations keep the bare WhatsApp
id (every tracker made before there were shops stays the shopper's); another shop's are
`<wa_id>@<slug>`. WhatsApp ids are digits and slugs have no `@`, so the split is exact.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Shop
from bot.errors import InvalidRequest
from bot.settings import Settings, get_settings

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
NUMBER_ID = re.compile(r"[0-9]{1,64}")
SEPARATOR = "@"
# What `update_shop` may change, besides the delivery area (`bot.faq.store.set_delivery_area`).
TERM_FIELDS = (
    "delivery_fee_paise",
    "free_delivery_from_paise",
    "minimum_order_paise",
    "opens_at_hour",
    "closes_at_hour",
)
FIELDS = ("name", "phone_number_id", "display_phone_number", "access_token", "app_secret")
# A payment account of the shop's own (`bot.payments.configured`); all None: the platform's.
PAYMENT_FIELDS = (
    "payment_provider",
    "payment_key_id",
    "payment_key_secret",
    "payment_webhook_secret",
)
PAYMENT_PROVIDERS = ("sandbox", "razorpay")


class InvalidShop(InvalidRequest):
    """A shop that cannot be made or changed as asked: the message says which field and why."""

    code = "invalid-shop"
    title = "Invalid shop"


def _check(shop: Shop) -> None:
    if not SLUG.fullmatch(shop.slug):
        raise InvalidShop(f"slug {shop.slug!r}: lowercase letters, digits and -, at most 64")
    if not shop.name.strip():
        raise InvalidShop("the shop needs a name")
    if shop.phone_number_id is not None and not NUMBER_ID.fullmatch(shop.phone_number_id):
        raise InvalidShop(f"phone number id {shop.phone_number_id!r}: Meta's ids are digits")
    for name in TERM_FIELDS:
        value = getattr(shop, name)
        if value is not None and value < 0:
            raise InvalidShop(f"{name} cannot be negative")
    _check_payments(shop)
    opens, closes = shop.opens_at_hour, shop.closes_at_hour
    if opens is not None and not 0 <= opens <= 23:
        raise InvalidShop("opens_at_hour is an hour of the day, 0-23")
    if closes is not None and not 1 <= closes <= 24:
        raise InvalidShop("closes_at_hour is an hour of the day, 1-24")
    if opens is not None and closes is not None and closes <= opens:
        raise InvalidShop("the shop must close after it opens")


def _check_payments(shop: Shop) -> None:
    """An account of its own is whole: a webhook secret to verify events (and for Razorpay
    the key id and secret to make links), or nothing at all."""
    provider = shop.payment_provider
    if provider is None:
        if any(getattr(shop, f) for f in PAYMENT_FIELDS[1:]):
            raise InvalidShop("payment credentials need --payment-provider (sandbox or razorpay)")
        return
    if provider not in PAYMENT_PROVIDERS:
        raise InvalidShop(f"payment provider {provider!r}: sandbox or razorpay")
    if provider == "sandbox" and get_settings().is_production:
        raise InvalidShop("the sandbox approves payments without money: not in production")
    needed = PAYMENT_FIELDS[1:] if provider == "razorpay" else ("payment_webhook_secret",)
    missing = [f for f in needed if not getattr(shop, f)]
    if missing:
        raise InvalidShop(f"a {provider} account of the shop's own needs {', '.join(missing)}")


def _owner(session: Session, phone_number_id: str) -> Shop | None:
    return session.scalar(select(Shop).where(Shop.phone_number_id == phone_number_id))


def _save(session: Session, shop: Shop) -> Shop:
    """Flush `shop`, turning the unique slug or number another shop holds into `InvalidShop`
    (checked first for the message, and by the database for two operators at once)."""
    _check(shop)
    if shop.phone_number_id is not None:
        owner = _owner(session, shop.phone_number_id)
        if owner is not None and owner is not shop:
            raise InvalidShop(f"phone number id {shop.phone_number_id} belongs to {owner.slug}")
    try:
        with session.begin_nested():
            session.add(shop)
    except IntegrityError as e:
        raise InvalidShop(f"shop {shop.slug} or its number exists already") from e
    return shop


def create_shop(
    session: Session,
    slug: str,
    name: str,
    phone_number_id: str | None,
    **fields: str | int | None,
) -> Shop:
    if by_slug(session, slug) is not None:
        raise InvalidShop(f"shop {slug} exists already: `chatcart shop update {slug}` changes it")
    shop = Shop(slug=slug, name=name, phone_number_id=phone_number_id, catalog_version=0)
    _set(shop, fields)
    return _save(session, shop)


def update_shop(session: Session, slug: str, **fields: str | int | None) -> Shop:
    """Change the given fields; a term given as None goes back to the platform's setting."""
    shop = by_slug(session, slug)
    if shop is None:
        raise InvalidShop(f"no shop {slug}")
    _set(shop, fields)
    return _save(session, shop)


def _set(shop: Shop, fields: dict[str, str | int | None]) -> None:
    for name, value in fields.items():
        if name not in FIELDS and name not in TERM_FIELDS and name not in PAYMENT_FIELDS:
            raise InvalidShop(f"a shop has no field {name}")
        setattr(shop, name, value)


def by_slug(session: Session, slug: str) -> Shop | None:
    return session.scalar(select(Shop).where(Shop.slug == slug))


def all_shops(session: Session) -> list[Shop]:
    return list(session.scalars(select(Shop).order_by(Shop.id)))


def shop_for_number(
    session: Session, phone_number_id: str, settings: Settings | None = None
) -> Shop | None:
    """The shop that owns the business number; else, for the platform's own number, the
    default shop (a database made before shops had numbers, or never given one); else None —
    a delivery for a number no shop owns is nobody's to answer."""
    s = settings or get_settings()
    shop = _owner(session, phone_number_id)
    if shop is None and phone_number_id == s.whatsapp_phone_number_id:
        shop = by_slug(session, s.default_shop_slug)
        if shop is not None and shop.phone_number_id not in (None, phone_number_id):
            return None  # the default shop moved to a number of its own
    return shop


def sending_number(shop: Shop, settings: Settings | None = None) -> str:
    """The number the shop's messages go out from: its own, else the platform's."""
    return shop.phone_number_id or (settings or get_settings()).whatsapp_phone_number_id


def conversation_id(wa_id: str, shop_slug: str, settings: Settings | None = None) -> str:
    """The engine's sender for this shopper talking to this shop (see the module's note)."""
    if shop_slug == (settings or get_settings()).default_shop_slug:
        return wa_id
    return f"{wa_id}{SEPARATOR}{shop_slug}"


def split_conversation(sender: str) -> tuple[str, str | None]:
    """(wa_id, the shop's slug or None for the default shop) of an engine sender."""
    wa_id, _, slug = sender.partition(SEPARATOR)
    return wa_id, slug or None
