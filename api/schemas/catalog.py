"""Catalog bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.db.models import Category, Product
from bot.vocabulary import PackUnit


class CategoryOut(BaseModel):
    slug: str
    name: str
    name_hi: str
    products: int = Field(ge=0)


class ProductOut(BaseModel):
    sku: str
    name: str
    name_hi: str
    brand: str | None
    category: str | None
    pack_size: int
    pack_unit: PackUnit
    price_paise: int = Field(ge=0)
    mrp_paise: int = Field(ge=0)
    in_stock: bool

    @classmethod
    def of(cls, p: Product, categories: dict[int, Category]) -> ProductOut:
        cat = categories.get(p.category_id) if p.category_id is not None else None
        return cls(
            sku=p.sku,
            name=p.name,
            name_hi=p.name_hi,
            brand=p.brand or None,
            category=cat.slug if cat else None,
            pack_size=p.pack_size,
            pack_unit=p.pack_unit,
            price_paise=p.price_paise,
            mrp_paise=p.mrp_paise,
            in_stock=p.active and p.stock > 0,
        )


class ProductPage(BaseModel):
    items: list[ProductOut]
    total: int = Field(ge=0, description="matches in all (for a search: the ranked matches)")
    limit: int
    offset: int
