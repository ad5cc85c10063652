"""The merchant's view of the catalog: every product of the shop, found the way shoppers write
("aata" finds atta, through the bot's own resolver) and the way merchants do (a piece of a
SKU, a brand or a name, a plain substring), a page at a time."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from bot.catalog.index import CatalogIndex
from bot.catalog.resolver import Resolver
from bot.catalog.store import shop_catalog
from bot.db.models import Category, Product, ProductAlias, Shop
from bot.db.session import session_scope
from bot.settings import get_settings

log = logging.getLogger(__name__)
Rank = Callable[[str], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Row:
    sku: str
    name: str
    name_hi: str
    brand: str
    category: str
    pack_size: int
    pack_unit: str
    mrp_paise: int
    price_paise: int
    stock: int
    active: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Listing:
    rows: list[Row]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def find(
    session: Session,
    shop_id: int,
    *,
    query: str = "",
    category: str = "",
    page: int = 1,
    per_page: int = 50,
    rank: Rank | None = None,
) -> Listing:
    """`rank` gives the SKUs the shoppers' search finds for `query`, best first; they come
    before plain substring hits, which come in shelf order."""
    where: list[ColumnElement[bool]] = [Product.shop_id == shop_id]
    if category:
        where.append(
            Product.category_id.in_(
                select(Category.id).where(Category.shop_id == shop_id, Category.slug == category)
            )
        )
    query = " ".join(query.split())
    if not query:
        total = session.scalar(select(func.count()).select_from(Product).where(*where)) or 0
        skus = list(
            session.scalars(
                select(Product.sku)
                .where(*where)
                .order_by(Product.position, Product.id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        )
        return Listing(_rows(session, shop_id, skus), total, page, per_page)
    needle = query.lower()
    text_hit = or_(
        *(
            func.lower(column).contains(needle, autoescape=True)
            for column in (Product.sku, Product.name, Product.name_hi, Product.brand)
        ),
        Product.id.in_(
            select(ProductAlias.product_id).where(
                ProductAlias.shop_id == shop_id,
                func.lower(ProductAlias.alias).contains(needle, autoescape=True),
            )
        ),
    )
    found = list(
        session.scalars(
            select(Product.sku).where(*where, text_hit).order_by(Product.position, Product.id)
        )
    )
    ranked = list(dict.fromkeys(rank(query))) if rank else []
    if ranked:
        allowed = set(session.scalars(select(Product.sku).where(*where, Product.sku.in_(ranked))))
        ranked = [s for s in ranked if s in allowed]
    exact = [s for s in found if s.lower() == needle]
    skus = list(dict.fromkeys([*exact, *ranked, *found]))
    start = (page - 1) * per_page
    return Listing(
        _rows(session, shop_id, skus[start : start + per_page]), len(skus), page, per_page
    )


def _rows(session: Session, shop_id: int, skus: list[str]) -> list[Row]:
    if not skus:
        return []
    products = {
        p.sku: p
        for p in session.scalars(
            select(Product).where(Product.shop_id == shop_id, Product.sku.in_(skus))
        )
    }
    return [
        Row(
            sku=p.sku,
            name=p.name,
            name_hi=p.name_hi,
            brand=p.brand,
            category=p.category.name if p.category else "",
            pack_size=p.pack_size,
            pack_unit=p.pack_unit,
            mrp_paise=p.mrp_paise,
            price_paise=p.price_paise,
            stock=p.stock,
            active=p.active,
            aliases=tuple(a.alias for a in p.aliases),
        )
        for p in (products[s] for s in skus if s in products)
    ]


class Rankers:
    """The shoppers' resolver for each shop, for the console's search.

    Building it for 27,555 products takes seconds, and every price edit moves the catalog
    version. The list's rows always come from the database, the resolver only ranks SKUs, so a
    resolver one edit old is good enough to answer with while the current one is built in the
    background; a small catalog (or a first build of one) is built on the spot.
    """

    def __init__(self, build_inline_up_to: int = 5000) -> None:
        self.build_inline_up_to = build_inline_up_to
        self._lock = threading.Lock()
        self._built: dict[tuple[str, int], tuple[int, Resolver]] = {}
        self._building: set[tuple[str, int]] = set()

    def get(self, session: Session, shop_id: int) -> Rank | None:
        """A ranker for the shop, or None while the first one is still being built."""
        key = (session.get_bind().engine.url.render_as_string(hide_password=True), shop_id)
        version = session.scalar(select(Shop.catalog_version).where(Shop.id == shop_id)) or 0
        with self._lock:
            hit = self._built.get(key)
        if hit is not None and hit[0] == version:
            return _ranker(hit[1])
        size = (
            session.scalar(
                select(func.count()).select_from(Product).where(Product.shop_id == shop_id)
            )
            or 0
        )
        if hit is None and size <= self.build_inline_up_to:
            resolver = _build(session, shop_id)
            with self._lock:
                self._built[key] = (version, resolver)
            return _ranker(resolver)
        with self._lock:
            start = key not in self._building
            self._building.add(key)
        if start:
            threading.Thread(
                target=self._rebuild,
                args=(key, shop_id),
                daemon=True,
                name=f"search-index-{shop_id}",
            ).start()
        return _ranker(hit[1]) if hit else None

    def _rebuild(self, key: tuple[str, int], shop_id: int) -> None:
        try:
            with session_scope() as session:
                version = (
                    session.scalar(select(Shop.catalog_version).where(Shop.id == shop_id)) or 0
                )
                resolver = _build(session, shop_id)
            with self._lock:
                self._built[key] = (version, resolver)
        except Exception:  # a background thread: logged, and the next `get` starts another build
            log.exception("building the search index of shop %s failed", shop_id)
        finally:
            with self._lock:
                self._building.discard(key)

    def clear(self) -> None:
        with self._lock:
            self._built.clear()


def _build(session: Session, shop_id: int) -> Resolver:
    products, names = shop_catalog(session, shop_id)
    settings = get_settings()
    return Resolver(
        CatalogIndex(products, names), settings.match_threshold, settings.ambiguity_margin
    )


def _ranker(resolver: Resolver) -> Rank:
    """SKUs the shoppers' search finds for a query, best first (the catalog API's floor)."""
    floor = resolver.threshold / 2

    def rank(query: str) -> list[str]:
        return [
            p.sku for s in resolver.rank(query) if s.score >= floor for p in s.variant.variant.packs
        ]

    return rank
