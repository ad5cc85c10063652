"""Catalog persistence: load a catalog file into a shop, read a shop's catalog back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.catalog.model import CatalogProduct
from bot.catalog.sources import CatalogFile
from bot.db.models import Category, Product, ProductAlias, Shop


@dataclass(frozen=True, slots=True)
class LoadReport:
    created: int
    updated: int
    unchanged: int
    rejected: int


def ensure_shop(session: Session, slug: str, name: str) -> Shop:
    """The shop, made on first use. A new database is first used by several processes at once
    (the cluster's APIs and workers start together), so the insert can lose a race on the
    unique slug; the loser reads the winner's row instead of failing its start."""
    found = select(Shop).where(Shop.slug == slug)
    if (shop := session.scalar(found)) is not None:
        return shop
    try:
        with session.begin_nested():
            shop = Shop(slug=slug, name=name)
            session.add(shop)
    except IntegrityError:
        shop = session.scalar(found)
        if shop is None:
            raise
    return shop


_FIELDS = (
    "kind",
    "name",
    "name_hi",
    "brand",
    "pack_size",
    "pack_unit",
    "mrp_paise",
    "price_paise",
    "stock",
    "position",
)


def load_catalog(
    session: Session, shop: Shop, catalog: CatalogFile, source: str = "seed"
) -> LoadReport:
    """Upsert by SKU. Running it twice changes nothing; merchants' own aliases are kept."""
    cats = {c.slug: c for c in session.scalars(select(Category).where(Category.shop_id == shop.id))}
    for pos, info in enumerate(catalog.categories):
        cat = cats.get(info.slug)
        if cat is None:
            cat = cats[info.slug] = Category(shop_id=shop.id, slug=info.slug)
            session.add(cat)
        cat.name, cat.name_hi, cat.position = info.name, info.name_hi, pos
    session.flush()

    existing = {
        p.sku: p for p in session.scalars(select(Product).where(Product.shop_id == shop.id))
    }
    created = updated = unchanged = 0
    new: list[tuple[CatalogProduct, int]] = []
    for item in catalog.products:
        row = existing.get(item.sku)
        cat = cats.get(item.category)
        if cat is None:
            cat = cats[item.category] = Category(
                shop_id=shop.id, slug=item.category, name=item.category.replace("-", " ").title()
            )
            session.add(cat)
            session.flush()
        if row is None:
            new.append((item, cat.id))
            created += 1
            continue
        changed = row.category_id != cat.id
        row.category_id = cat.id
        for f in _FIELDS:
            if getattr(row, f) != getattr(item, f):
                setattr(row, f, getattr(item, f))
                changed = True
        wanted = dict.fromkeys(item.aliases)
        have = {a.alias: a for a in row.aliases}
        for alias, a in have.items():
            if a.source == source and alias not in wanted:
                row.aliases.remove(a)
                changed = True
        for alias in wanted:
            if alias not in have:
                row.aliases.append(ProductAlias(shop_id=shop.id, alias=alias, source=source))
                changed = True
        updated += changed
        unchanged += not changed
    _insert(session, shop.id, new, source)
    if created or updated:
        shop.catalog_version += 1
    session.flush()
    return LoadReport(created, updated, unchanged, len(catalog.rejections))


def _insert(
    session: Session, shop_id: int, new: list[tuple[CatalogProduct, int]], source: str
) -> None:
    """New products and their aliases as bulk inserts: a 27,555-product BigBasket file is
    written in seconds, not the minute the unit of work takes, and SQLite's write lock (which
    checkouts queue behind) is held that much shorter."""
    if not new:
        return
    session.flush()
    ids: dict[str, int] = {}
    for start in range(0, len(new), 5000):
        chunk = new[start : start + 5000]
        ids.update(
            session.execute(
                insert(Product).returning(Product.sku, Product.id),
                [
                    {
                        "shop_id": shop_id,
                        "sku": item.sku,
                        "category_id": category_id,
                        **{f: getattr(item, f) for f in _FIELDS},
                    }
                    for item, category_id in chunk
                ],
            )
            .tuples()
            .all()
        )
    aliases = [
        {"shop_id": shop_id, "product_id": ids[item.sku], "alias": a, "source": source}
        for item, _ in new
        for a in dict.fromkeys(item.aliases)
    ]
    for start in range(0, len(aliases), 20000):
        session.execute(insert(ProductAlias), aliases[start : start + 20000])


def shop_catalog(session: Session, shop_id: int) -> tuple[list[CatalogProduct], dict[str, str]]:
    """The shop's active products as plain records, and category names by slug."""
    cats = {c.id: c for c in session.scalars(select(Category).where(Category.shop_id == shop_id))}
    products = []
    rows = session.scalars(
        select(Product)
        .where(Product.shop_id == shop_id, Product.active.is_(True))
        .order_by(Product.position, Product.id)
    )
    for p in rows:
        cat = cats.get(p.category_id) if p.category_id else None
        products.append(
            CatalogProduct(
                sku=p.sku,
                name=p.name,
                category=cat.slug if cat else "",
                pack_size=p.pack_size,
                pack_unit=p.pack_unit,
                price_paise=p.price_paise,
                mrp_paise=p.mrp_paise,
                brand=p.brand,
                kind=p.kind,
                name_hi=p.name_hi,
                stock=p.stock,
                aliases=tuple(a.alias for a in p.aliases),
                position=p.position,
            )
        )
    return products, {c.slug: c.name for c in cats.values()}
