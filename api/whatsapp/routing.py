"""Which shop a delivery is for: the business number in its `metadata.phone_number_id`.

Every shop on the deployment has a number of its own; a message is planned, answered, carted
and remembered in the shop that owns the number it was written to, and its replies go out from
that number (the inbox row keeps it). The default shop answers the platform's number
(`WHATSAPP_PHONE_NUMBER_ID`) while no shop has claimed it, as a one-shop deployment always did.
A number no shop owns is nobody's: its messages are kept in the inbox, flagged
`unknown_number`, and answered nowhere (an answer would go out from a number we do not serve).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import select

from api.whatsapp.intake import NotUnderstood, delivery
from api.whatsapp.signature import verify
from bot.catalog.store import ensure_shop
from bot.db.models import Shop
from bot.db.session import session_scope
from bot.settings import Settings
from bot.shops.directory import conversation_id, sending_number, shop_for_number

UNKNOWN_NUMBER = "unknown_number"
FRESH_SECONDS = 5.0  # how long a number's shop is trusted before it is read again


@dataclass(frozen=True, slots=True)
class ShopRef:
    """The shop a message is for, as the gateway carries it from intake to the last reply."""

    id: int
    slug: str
    number: str  # what its messages go out from
    access_token: str | None = field(default=None, repr=False)  # None: the platform's

    def sender(self, wa_id: str, settings: Settings) -> str:
        """The engine's conversation for this shopper with this shop."""
        return conversation_id(wa_id, self.slug, settings)


def _ref(shop: Shop, settings: Settings) -> ShopRef:
    return ShopRef(shop.id, shop.slug, sending_number(shop, settings), shop.access_token or None)


def find(phone_number_id: str, settings: Settings) -> ShopRef | None:
    """The shop owning the number; the default shop (made if need be) for the platform's
    number when no shop owns it; else None."""
    with session_scope() as s:
        shop = shop_for_number(s, phone_number_id, settings)
        if shop is not None:
            return _ref(shop, settings)
    if phone_number_id != settings.whatsapp_phone_number_id:
        return None
    with session_scope(write=True) as s:
        ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        shop = shop_for_number(s, phone_number_id, settings)
        return _ref(shop, settings) if shop is not None else None


def of_shop(shop_id: int, settings: Settings) -> ShopRef:
    """A shop by its id (a notification knows its order's shop, not a number)."""
    with session_scope() as s:
        return _ref(s.get_one(Shop, shop_id), settings)


class Directory:
    """`find`, remembered for a few seconds per number: a lane asks at every step of every
    message. A number nobody owns is asked again every time, so a shop made for it answers
    its next message."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._known: dict[str, tuple[float, ShopRef]] = {}

    def find(self, phone_number_id: str) -> ShopRef | None:
        hit = self._known.get(phone_number_id)
        if hit is not None and time.monotonic() - hit[0] < FRESH_SECONDS:
            return hit[1]
        ref = find(phone_number_id, self.settings)
        if ref is not None:
            self._known[phone_number_id] = (time.monotonic(), ref)
        return ref


def signed_by_shop(body: bytes, signature: str | None) -> bool:
    """A delivery the platform's app secret does not verify may come from a shop's own Meta
    app: it is accepted when every number it names belongs to shops with one app secret of
    their own and that secret verifies it — a shop's secret never vouches for another shop's
    number. Read off the webhook's hot path: only refused signatures get here."""
    if not signature:
        return False
    try:
        numbers = {value.metadata.phone_number_id for value in delivery(body).values()}
    except NotUnderstood:
        return False
    if not numbers:
        return False
    with session_scope() as s:
        owners = list(s.scalars(select(Shop).where(Shop.phone_number_id.in_(numbers))))
    secrets = {shop.app_secret for shop in owners}
    if len(owners) != len(numbers) or len(secrets) != 1:
        return False
    [secret] = secrets
    return bool(secret) and verify(body, signature, secret or "")
