"""What every action needs: the shop, a database session, the item engine, the language.

Actions are async for the action server but the core is synchronous (SQLAlchemy), so each
turn's work runs in a worker thread; the event loop keeps serving other shoppers meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog.model import CatalogProduct, Variant
from bot.catalog.sources import read_shop_catalog
from bot.catalog.store import ensure_shop, load_catalog, shop_catalog
from bot.db.models import Shop
from bot.db.session import session_scope
from bot.engine import ItemEngine
from bot.i18n import t
from bot.i18n.render import pack_label
from bot.settings import get_settings
from bot.shops.directory import split_conversation

log = logging.getLogger(__name__)


class _Engines:
    """One item engine per shop, rebuilt when the shop's catalog version moves (a merchant's
    new alias is effective in the very next message). A shop is known by its database and its
    creation time too: a database made afresh restarts catalog versions from zero."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: dict[tuple[str, int, object], tuple[int, ItemEngine, dict[str, Variant]]] = {}

    def get(self, session: Session, shop: Shop) -> tuple[ItemEngine, dict[str, Variant]]:
        key = (str(session.get_bind().engine.url), shop.id, shop.created_at)
        hit = self._built.get(key)
        if hit and hit[0] == shop.catalog_version:
            return hit[1], hit[2]
        with self._lock:
            hit = self._built.get(key)
            if hit and hit[0] == shop.catalog_version:
                return hit[1], hit[2]
            products, names = shop_catalog(session, shop.id)
            engine = ItemEngine(products, names)
            variants = {p.sku: iv.variant for iv in engine.index.variants for p in iv.variant.packs}
            self._built = {k: v for k, v in self._built.items() if k[:2] != key[:2]}
            self._built[key] = (shop.catalog_version, engine, variants)
            return engine, variants


ENGINES = _Engines()


def default_shop(session: Session) -> Shop:
    settings = get_settings()
    shop = session.scalar(select(Shop).where(Shop.slug == settings.default_shop_slug))
    if shop is None:
        shop = ensure_shop(session, settings.default_shop_slug, settings.default_shop_name)
        load_catalog(session, shop, read_shop_catalog(settings.catalog_path))
    return shop


class UnknownShop(LookupError):
    """A message names a shop this database does not have: answered with the error reply,
    never served from another shop's catalog and carts."""


def shop_slug(tracker: Tracker) -> str | None:
    """The shop the message is for: the gateway's `shop` metadata on the shopper's message,
    else the shop part of the conversation's sender (see `bot.shops.directory`); None: the
    default shop (a REST or terminal chat, a conversation older than shops)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    slug = metadata.get("shop") if isinstance(metadata, dict) else None
    return str(slug) if slug else split_conversation(tracker.sender_id)[1]


def shop_of(session: Session, tracker: Tracker) -> Shop:
    slug = shop_slug(tracker)
    if slug is None or slug == get_settings().default_shop_slug:
        return default_shop(session)
    shop = session.scalar(select(Shop).where(Shop.slug == slug))
    if shop is None:
        raise UnknownShop(f"no shop {slug!r}")
    return shop


@dataclass
class Turn:
    """One shopper message being handled: who, in which shop and language, with what text."""

    dispatcher: CollectingDispatcher
    tracker: Tracker
    domain: dict[str, Any]
    session: Session
    shop: Shop
    language: str
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def wa_id(self) -> str:
        """The shopper's WhatsApp id: the conversation's sender without its shop part."""
        return split_conversation(self.tracker.sender_id)[0]

    @property
    def text(self) -> str:
        """The shopper's words. After "did you mean …?" the latest message is the button's
        payload ("/update_quantity"); the words are in the message that was unclear."""
        text = self.tracker.latest_message.get("text") or ""
        if not text.startswith("/"):
            return text
        for event in reversed(self.tracker.events):
            said: str | None = event.get("text") if event.get("event") == "user" else None
            if said and not said.startswith("/"):
                return said
        return text

    @property
    def intent(self) -> tuple[str | None, float | None]:
        intent = self.tracker.latest_message.get("intent") or {}
        return intent.get("name"), intent.get("confidence")

    def engine(self) -> tuple[ItemEngine, dict[str, Variant]]:
        return ENGINES.get(self.session, self.shop)

    def say(self, key: str, buttons: list[dict[str, str]] | None = None, **params: Any) -> None:
        self.dispatcher.utter_message(text=t(key, self.language, **params), buttons=buttons or [])

    def send(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        self.dispatcher.utter_message(text=text, buttons=buttons or [])

    def t(self, key: str, **params: Any) -> str:
        return t(key, self.language, **params)

    def label(self, p: CatalogProduct | Any, count: int | None = None) -> str:
        """The product as this shopper reads it: its Hindi name in a Hindi conversation."""
        if self.language == "hi":
            engine, _ = self.engine()
            known = engine.index.by_sku.get(p.sku)
            if known is not None and known.name_hi:
                label = f"{known.name_hi} {pack_label(p.pack_size, p.pack_unit, 'hi')}"
                return f"{label} × {count}" if count else label
        return product_label(p, count)


class ShopAction(Action, ABC):
    """Base for ChatCart's actions: subclasses implement `act(turn)` and return events."""

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def act(self, turn: Turn) -> list[dict[str, Any]]: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._run_sync, dispatcher, tracker, domain)

    def _run_sync(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = tracker.get_slot("language") or "en"
        try:
            with session_scope() as session:
                turn = Turn(
                    dispatcher, tracker, domain, session, shop_of(session, tracker), language
                )
                return self.act(turn)
        except Exception:
            log.exception("action %s failed for %s", self.name(), tracker.sender_id)
            dispatcher.utter_message(text=t("error", language))
            return []


def product_label(p: CatalogProduct | Any, count: int | None = None) -> str:
    """ "Amul Taaza Toned Milk 1 L" (× 2)."""
    from bot.catalog.model import format_pack

    brand = getattr(p, "brand", "") or ""
    name = p.name if not brand or p.name.startswith(brand) else f"{brand} {p.name}"
    label = f"{name} {format_pack(p.pack_size, p.pack_unit)}"
    return f"{label} × {count}" if count else label
