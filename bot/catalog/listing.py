"""The merchant's view of the catalog: every product of the shop, found the way shoppers write
("aata" finds atta, through the bot's own resolver) and the way merchants do (a piece of a
SKU, a brand or a name, a plain substring), a page at a time."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Category, Product, ProductAlias


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


def find(session: Session, shop_id: int, *, query: str = "", category: str = "", page: int = 1,
         per_page: int = 50, rank: Callable[[str], Sequence[str]] | None = None) -> Listing:
    """`rank` gives the SKUs the shoppers' search finds for `query`, best first; they come
    before plain substring hits, which come in shelf order."""
    where: list[ColumnElement[bool]] = [Product.shop_id == shop_id]
    if category:
        where.append(Product.category_id.in_(
            select(Category.id).where(Category.shop_id == shop_id, Category.slug == category)))
    query = " ".join(query.split())
    if not query:
        total = session.scalar(select(func.count()).select_from(Product).where(*where)) or 0
        skus = list(session.scalars(select(Product.sku).where(*where).order_by(Product.position, Product.id)
                                    .limit(per_page).offset((page - 1) * per_page)))
        return Listing(_rows(session, shop_id, skus), total, page, per_page)
    needle = query.lower()
    text_hit = or_(*(func.lower(column).contains(needle, autoescape=True)
                     for column in (Product.sku, Product.name, Product.name_hi, Product.brand)),
                   Product.id.in_(select(ProductAlias.product_id).where(
                       ProductAlias.shop_id == shop_id,
                       func.lower(ProductAlias.alias).contains(needle, autoescape=True))))
    found = list(session.scalars(select(Product.sku).where(*where, text_hit)
                                 .order_by(Product.position, Product.id)))
    ranked = list(dict.fromkeys(rank(query))) if rank else []
    if ranked:
        allowed = set(session.scalars(select(Product.sku).where(*where, Product.sku.in_(ranked))))
        ranked = [s for s in ranked if s in allowed]
    exact = [s for s in found if s.lower() == needle]
    skus = list(dict.fromkeys([*exact, *ranked, *found]))
    start = (page - 1) * per_page
    return Listing(_rows(session, shop_id, skus[start:start + per_page]), len(skus), page, per_page)


def _rows(session: Session, shop_id: int, skus: list[str]) -> list[Row]:
    if not skus:
        return []
    products = {p.sku: p for p in session.scalars(
        select(Product).where(Product.shop_id == shop_id, Product.sku.in_(skus)))}
    return [Row(sku=p.sku, name=p.name, name_hi=p.name_hi, brand=p.brand,
                category=p.category.name if p.category else "", pack_size=p.pack_size,
                pack_unit=p.pack_unit, mrp_paise=p.mrp_paise, price_paise=p.price_paise, stock=p.stock,
                active=p.active, aliases=tuple(a.alias for a in p.aliases))
            for p in (products[s] for s in skus if s in products)]
