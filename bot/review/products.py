"""Finding the product a misunderstood term should mean, as a merchant searches their own
shelf: by the words of its name, brand, kind, SKU, Hindi name or aliases."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Product, ProductAlias
from bot.text.normalize import normalize

MAX_WORDS = 6


@dataclass(frozen=True, slots=True)
class ProductChoice:
    sku: str
    name: str
    brand: str
    pack_size: int
    pack_unit: str
    price_paise: int
    aliases: tuple[str, ...]


def _choice(p: Product) -> ProductChoice:
    return ProductChoice(
        p.sku,
        p.name,
        p.brand,
        p.pack_size,
        p.pack_unit,
        p.price_paise,
        tuple(a.alias for a in p.aliases),
    )


def search(session: Session, shop_id: int, query: str, limit: int = 20) -> list[ProductChoice]:
    """Active products whose name, brand, kind, SKU, Hindi name or an alias contains every word
    of `query`, in shelf order."""
    words = [w for w in normalize(query).split() if any(ch.isalnum() for ch in w)][:MAX_WORDS]
    if not words:
        return []
    stmt = select(Product).where(Product.shop_id == shop_id, Product.active.is_(True))
    for word in words:
        like = f"%{word.replace('%', '').replace('_', '')}%"
        aliased = select(ProductAlias.id).where(
            ProductAlias.product_id == Product.id, func.lower(ProductAlias.alias).like(like)
        )
        stmt = stmt.where(
            or_(
                *(
                    func.lower(c).like(like)
                    for c in (
                        Product.name,
                        Product.brand,
                        Product.kind,
                        Product.sku,
                        Product.name_hi,
                    )
                ),
                aliased.exists(),
            )
        )
    rows = session.scalars(stmt.order_by(Product.position, Product.id).limit(limit))
    return [_choice(p) for p in rows]


def by_skus(
    session: Session, shop_id: int, skus: list[str] | tuple[str, ...]
) -> list[ProductChoice]:
    """These products of the shop, in the order asked (unknown SKUs left out)."""
    if not skus:
        return []
    found = {
        p.sku: p
        for p in session.scalars(
            select(Product).where(
                Product.shop_id == shop_id, Product.sku.in_(list(skus)), Product.active.is_(True)
            )
        )
    }
    return [_choice(found[s]) for s in dict.fromkeys(skus) if s in found]
