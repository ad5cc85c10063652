"""Engines for the CLI: the default shop's catalog from the database, or a catalog file."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.catalog.sources import CatalogFile, kind_aliases, read_bigbasket, read_shop_catalog
from bot.catalog.store import ensure_shop, load_catalog, shop_catalog
from bot.db.session import session_scope
from bot.engine import ItemEngine
from bot.settings import get_settings


def read_catalog_file(path: Path, fmt: str) -> CatalogFile:
    if fmt == "bigbasket":
        seed = read_shop_catalog(get_settings().catalog_path)
        return read_bigbasket(path, kind_aliases(seed.products))
    if fmt == "shop":
        return read_shop_catalog(path)
    raise typer.BadParameter(f"unknown format {fmt!r}: use shop or bigbasket")


def engine_from_file(path: Path, fmt: str) -> ItemEngine:
    catalog = read_catalog_file(path, fmt)
    return ItemEngine(catalog.products, {c.slug: c.name for c in catalog.categories})


def engine_from_db() -> ItemEngine:
    """The default shop's catalog; on a fresh database the seed catalog is loaded first."""
    settings = get_settings()
    with session_scope() as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        products, names = shop_catalog(s, shop.id)
        if not products:
            load_catalog(s, shop, read_shop_catalog(settings.catalog_path))
            products, names = shop_catalog(s, shop.id)
    return ItemEngine(products, names)
