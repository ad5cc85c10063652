"""Plain catalog records, independent of the database, so the engine runs on a CSV alone."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.vocabulary import PACK_UNITS, PackUnit, is_pack_unit

__all__ = ["PACK_UNITS", "CatalogProduct", "PackUnit", "Variant", "is_pack_unit"]


@dataclass(frozen=True, slots=True)
class CatalogProduct:
    """One sellable pack (a SKU). Money in paise, size in canonical units."""

    sku: str
    name: str
    category: str
    pack_size: int
    pack_unit: PackUnit
    price_paise: int
    mrp_paise: int = 0
    brand: str = ""
    kind: str = ""
    name_hi: str = ""
    stock: int = 0
    aliases: tuple[str, ...] = ()
    position: int = 0
    # False when the source gave no pack size (most BigBasket names): the pack is then "1 pc"
    # only as a placeholder, and a bare count ("3 parle g") means packs, not pieces.
    pack_known: bool = True
    # The brand in Devanagari when the Hindi name does not spell it (imported catalogs).
    brand_hi: str = ""

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def pack_label(self) -> str:
        return format_pack(self.pack_size, self.pack_unit)

    def as_dict(self) -> dict[str, object]:
        return {
            "sku": self.sku,
            "name": self.name,
            "category": self.category,
            "brand": self.brand or None,
            "pack_size": self.pack_size,
            "pack_unit": self.pack_unit,
            "price_paise": self.price_paise,
        }


@dataclass(slots=True)
class Variant:
    """The same product in all its pack sizes ("Amul Taaza Toned Milk" 500 ml and 1 L)."""

    key: str
    packs: list[CatalogProduct] = field(default_factory=list)

    @property
    def first(self) -> CatalogProduct:
        return self.packs[0]

    @property
    def position(self) -> int:
        return min(p.position for p in self.packs)

    @property
    def in_stock(self) -> bool:
        return any(p.in_stock for p in self.packs)


def format_pack(size: int, unit: str) -> str:
    if unit == "g" and size >= 1000 and size % 100 == 0:
        return f"{size / 1000:g} kg"
    if unit == "ml" and size >= 1000 and size % 100 == 0:
        return f"{size / 1000:g} L"
    if unit == "pc":
        return f"{size} pc"
    return f"{size} {unit}"


def format_rupees(paise: int) -> str:
    rupees, rest = divmod(paise, 100)
    return f"₹{rupees:,}" if rest == 0 else f"₹{rupees:,}.{rest:02d}"
