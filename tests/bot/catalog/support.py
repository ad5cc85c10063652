"""Catalog products built for the pack-choice tests: one pack size, unit and price each."""

from __future__ import annotations

from bot.catalog.model import CatalogProduct


def pack(
    size: int, unit: str = "g", price: int = 100, stock: int = 10, pos: int = 0, kind: str = ""
) -> CatalogProduct:
    return CatalogProduct(
        sku=f"P{size}{unit}",
        name="x",
        category="c",
        pack_size=size,
        pack_unit=unit,
        price_paise=price,
        mrp_paise=price,
        stock=stock,
        position=pos,
        kind=kind,
    )
