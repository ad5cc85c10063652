"""Catalog persistence against a real database file."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import func, select, text

from bot.catalog.sources import CatalogFile
from bot.catalog.store import ensure_shop, load_catalog, shop_catalog
from bot.db.models import Product, ProductAlias, Shop
from bot.db.session import engine_for, session_scope
from tests.waiting import wait_until


def test_load_is_idempotent_and_bumps_the_version_only_on_change(
    database_url: str, seed_catalog: CatalogFile
) -> None:
    with session_scope() as s:
        shop = ensure_shop(s, "default", "Test")
        first = load_catalog(s, shop, seed_catalog)
    with session_scope() as s:
        shop = s.scalar(select(Shop))
        version = shop.catalog_version
        again = load_catalog(s, shop, seed_catalog)
        assert s.scalar(select(func.count()).select_from(Product)) == len(seed_catalog.products)
    assert first.created == len(seed_catalog.products)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(seed_catalog.products))
    with session_scope() as s:
        assert s.scalar(select(Shop)).catalog_version == version


def test_every_shop_owned_row_carries_the_shop(
    database_url: str, seed_catalog: CatalogFile
) -> None:
    with session_scope() as s:
        a = ensure_shop(s, "a", "A")
        b = ensure_shop(s, "b", "B")
        load_catalog(s, a, seed_catalog)
        load_catalog(
            s,
            b,
            CatalogFile(products=seed_catalog.products[:5], categories=seed_catalog.categories),
        )
    with session_scope() as s:
        a_products, _ = shop_catalog(s, s.scalar(select(Shop.id).where(Shop.slug == "a")))
        b_products, _ = shop_catalog(s, s.scalar(select(Shop.id).where(Shop.slug == "b")))
        assert len(a_products) == len(seed_catalog.products) and len(b_products) == 5
        aliases = s.scalars(select(ProductAlias).join(Product)).all()
        assert all(al.shop_id == al.product.shop_id for al in aliases)


def test_merchant_aliases_survive_a_reload_and_changes_are_applied(
    database_url: str, seed_catalog: CatalogFile
) -> None:
    with session_scope() as s:
        shop = ensure_shop(s, "default", "Test")
        load_catalog(s, shop, seed_catalog)
        product = s.scalar(select(Product).where(Product.sku == seed_catalog.products[0].sku))
        product.aliases.append(ProductAlias(shop_id=shop.id, alias="gehoon", source="merchant"))
    changed = list(seed_catalog.products)
    changed[0] = replace(changed[0], price_paise=changed[0].price_paise - 100)
    with session_scope() as s:
        shop = s.scalar(select(Shop))
        report = load_catalog(
            s, shop, CatalogFile(products=changed, categories=seed_catalog.categories)
        )
        assert report.updated == 1
    with session_scope() as s:
        products, _ = shop_catalog(s, s.scalar(select(Shop.id)))
        assert "gehoon" in products[0].aliases
        assert products[0].price_paise == changed[0].price_paise


def test_a_shop_made_by_another_process_meanwhile_is_read_not_inserted_twice(
    database_url: str,
) -> None:
    """The cluster's processes start together on a new database, each making the default shop:
    the one whose insert waits behind another's uncommitted one reads that row once it lands."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's writers take the file's lock in turn: the race needs PostgreSQL")
    found: list[int] = []
    racing = threading.Thread(target=lambda: found.append(_made_apart("default")), daemon=True)
    with session_scope() as winner:
        first = ensure_shop(winner, "default", "Winner").id
        racing.start()
        wait_until(
            lambda: _waiting_on_a_lock(database_url), "the second insert to wait on the first"
        )
    racing.join(30)
    assert found == [first]
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Shop)) == 1


def _made_apart(slug: str) -> int:
    with session_scope() as s:
        return ensure_shop(s, slug, "Loser").id


def _waiting_on_a_lock(url: str) -> bool:
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    with engine_for(url).connect() as c:
        return bool(c.scalar(query))
