"""The shop's products, the search index over them and the resolver that picks packs."""

from bot.catalog.index import CatalogIndex
from bot.catalog.model import CatalogProduct, Variant
from bot.catalog.resolver import Resolution, Resolver

__all__ = ["CatalogIndex", "CatalogProduct", "Resolution", "Resolver", "Variant"]
