"""A shop with three aisles of the seed catalog, its merchant, and a second shop that must stay apart."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.catalog.sources import CatalogFile
from bot.catalog.store import ensure_shop, load_catalog
from bot.db.session import session_scope
from bot.merchants.users import create_user
from bot.review.service import record
from bot.settings import get_settings


@dataclass(frozen=True)
class ReviewShop:
    shop_id: int
    user_id: int
    other_shop_id: int
    other_user_id: int


@pytest.fixture
def review_shop(database_url: str, seed_catalog: CatalogFile) -> ReviewShop:
    settings = get_settings()
    with session_scope() as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        load_catalog(s, shop, _aisles(seed_catalog, "rice", "staples", "dairy-eggs"))
        other = ensure_shop(s, "other", "Other Kirana")
        load_catalog(s, other, _aisles(seed_catalog, "rice"))
        asha = create_user(s, shop.id, "asha", "a long passphrase", "Asha Rao")
        ravi = create_user(s, other.id, "ravi", "another passphrase")
        return ReviewShop(shop.id, asha.id, other.id, ravi.id)


def _aisles(catalog: CatalogFile, *categories: str) -> CatalogFile:
    return CatalogFile(
        products=[p for p in catalog.products if p.category in categories],
        categories=catalog.categories,
    )


def misunderstood(shop_id: int, *messages: tuple[str, str, str, str]) -> None:
    """(kind, text, language, conversation) review items, as the actions record them."""
    with session_scope() as s:
        for kind, text, language, conversation in messages:
            record(
                s,
                shop_id,
                kind=kind,
                text=text,
                language=language,
                conversation_id=conversation,
                prediction="add_items" if kind == "fallback" else None,
                details={"message": f"{text} please", "candidates": ["RIC-0037"]}
                if kind in ("unmatched", "ambiguous")
                else None,
            )
