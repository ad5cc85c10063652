"""The shop's catalog: categories, search with the same resolver the bot uses, product detail."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.deps import PublicShop, SessionDep
from api.errors import problems
from api.schemas import TEXT, TOKEN
from api.schemas.catalog import CategoryOut, ProductOut, ProductPage
from bot.catalog.index import CatalogIndex
from bot.catalog.resolver import Resolver
from bot.catalog.store import shop_catalog
from bot.db.models import Category, Product
from bot.errors import NotFound
from bot.settings import get_settings

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])

_resolvers: dict[tuple[int, int], Resolver] = {}
_lock = threading.Lock()


def _resolver(session: Session, shop_id: int, version: int) -> Resolver:
    """One index per shop and catalog version: rebuilt after a catalog change, not per query."""
    key = (shop_id, version)
    with _lock:
        found = _resolvers.get(key)
    if found is not None:
        return found
    products, names = shop_catalog(session, shop_id)
    settings = get_settings()
    resolver = Resolver(
        CatalogIndex(products, names), settings.match_threshold, settings.ambiguity_margin
    )
    with _lock:
        for old in [k for k in _resolvers if k[0] == shop_id]:
            del _resolvers[old]
        _resolvers[key] = resolver
    return resolver


def _categories(session: Session, shop_id: int) -> dict[int, Category]:
    return {c.id: c for c in session.scalars(select(Category).where(Category.shop_id == shop_id))}


@router.get(
    "/categories",
    response_model=list[CategoryOut],
    responses=problems(404, 422),
    summary="Categories, in shelf order, with how many products each has",
)
def categories(session: SessionDep, shop: PublicShop) -> list[CategoryOut]:
    counts = dict(
        session.execute(
            select(Product.category_id, func.count())
            .where(Product.shop_id == shop.id, Product.active.is_(True))
            .group_by(Product.category_id)
        )
        .tuples()
        .all()
    )
    rows = session.scalars(
        select(Category).where(Category.shop_id == shop.id).order_by(Category.position, Category.id)
    )
    return [
        CategoryOut(slug=c.slug, name=c.name, name_hi=c.name_hi, products=counts.get(c.id, 0))
        for c in rows
    ]


@router.get(
    "/products",
    response_model=ProductPage,
    responses=problems(404, 422),
    summary="Search products (English, Hindi, Hinglish, typos) or list a category",
)
def products(
    session: SessionDep,
    shop: PublicShop,
    q: Annotated[
        str | None, Query(max_length=200, pattern=TEXT, description="what a shopper would type")
    ] = None,
    category: Annotated[str | None, Query(max_length=100, pattern=TOKEN)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ProductPage:
    cats = _categories(session, shop.id)
    base = select(Product).where(Product.shop_id == shop.id, Product.active.is_(True))
    if category:
        ids = [c.id for c in cats.values() if c.slug == category]
        base = base.where(Product.category_id.in_(ids))
    if q and q.strip():
        resolver = _resolver(session, shop.id, shop.catalog_version)
        floor = resolver.threshold / 2
        ranked = [
            p.sku for s in resolver.rank(q) if s.score >= floor for p in s.variant.variant.packs
        ]
        rows = {p.sku: p for p in session.scalars(base.where(Product.sku.in_(ranked)))}
        hits = [rows[sku] for sku in dict.fromkeys(ranked) if sku in rows]
        page = hits[offset : offset + limit]
        return ProductPage(
            items=[ProductOut.of(p, cats) for p in page],
            total=len(hits),
            limit=limit,
            offset=offset,
        )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = list(
        session.scalars(base.order_by(Product.position, Product.id).limit(limit).offset(offset))
    )
    return ProductPage(
        items=[ProductOut.of(p, cats) for p in page], total=total, limit=limit, offset=offset
    )


@router.get(
    "/products/{sku}",
    response_model=ProductOut,
    responses=problems(404, 422),
    summary="One product",
)
def product(
    session: SessionDep,
    shop: PublicShop,
    sku: Annotated[str, Path(min_length=1, max_length=64, pattern=TOKEN)],
) -> ProductOut:
    row = session.scalar(
        select(Product).where(
            Product.shop_id == shop.id, Product.sku == sku, Product.active.is_(True)
        )
    )
    if row is None:
        raise NotFound(f"no product {sku!r} in this shop")
    return ProductOut.of(row, _categories(session, shop.id))
