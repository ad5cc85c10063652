"""What importing a catalog file would change in a shop, shown to the merchant before it is applied.

The preview has to be exactly what `load_catalog` then does, so the diff follows its rules
(upsert by SKU; aliases from other sources, such as a merchant's fixes, are kept) and the file
handed to it keeps every existing product's shelf position and every existing aisle's name: a
partial CSV neither reshuffles the shelves nor renames "Staples & Atta" to "Staples".
Applying re-computes the diff inside the write transaction and refuses when it is not the one
that was previewed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog.model import CatalogProduct
from bot.catalog.sources import (
    CatalogFile,
    CategoryInfo,
    KindAliases,
    Rejection,
    iter_rows,
    kind_aliases,
    read_bigbasket,
    read_shop_catalog,
)
from bot.catalog.store import LoadReport, load_catalog
from bot.db.models import Category, Product, ProductAlias, Shop
from bot.db.session import begin_write
from bot.errors import Conflict

Format = Literal["shop", "bigbasket"]
IMPORT_SOURCE = "import"
# Compared in this order; `position` is not: an import keeps the shelf order.
FIELDS = (
    "name",
    "name_hi",
    "brand",
    "kind",
    "category",
    "pack_size",
    "pack_unit",
    "mrp_paise",
    "price_paise",
    "stock",
    "aliases",
)
_LENGTHS = {
    "sku": Product.sku,
    "name": Product.name,
    "name_hi": Product.name_hi,
    "brand": Product.brand,
    "kind": Product.kind,
    "category": Category.slug,
}
_ALIAS_LENGTH = ProductAlias.alias.type.length


class StaleChanges(Conflict):
    """The shop's catalog moved since the preview: applying now would do something unseen."""

    code = "catalog-changed"


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True, slots=True)
class ProductChange:
    sku: str
    name: str
    fields: tuple[FieldChange, ...]


@dataclass(slots=True)
class CatalogChanges:
    new: list[CatalogProduct] = field(default_factory=list)
    changed: list[ProductChange] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    new_categories: list[CategoryInfo] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Everything applying would do, hashed: equal fingerprints, equal effects."""
        body = {
            "new": [_record(p) for p in sorted(self.new, key=lambda p: p.sku)],
            "changed": [
                [c.sku, [[f.field, f.old, f.new] for f in c.fields]]
                for c in sorted(self.changed, key=lambda c: c.sku)
            ],
            "categories": [[c.slug, c.name] for c in self.new_categories],
            "unchanged": self.unchanged,
        }
        return hashlib.sha256(
            json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
        ).hexdigest()


@dataclass(frozen=True, slots=True)
class _Current:
    """A product as the database has it, with its aliases and where each came from."""

    sku: str
    record: dict[str, object]
    aliases: tuple[tuple[str, str], ...]  # (alias, source), oldest first
    position: int


def read_upload(path: Path, fmt: Format, seed_catalog: Path) -> CatalogFile:
    """The file read by the same readers as `chatcart catalog import`, then screened for what
    the database would refuse (over-long text) or the shop should not sell (a price of ₹0)."""
    if fmt == "bigbasket":
        catalog = read_bigbasket(path, _seed_kinds(seed_catalog, seed_catalog.stat().st_mtime_ns))
    else:
        catalog = read_shop_catalog(path)
    return _screen(catalog, path, fmt)


@lru_cache(maxsize=2)
def _seed_kinds(seed_catalog: Path, _mtime: int) -> KindAliases:
    """What the shop's own catalog teaches an imported one (as `chatcart catalog import` does)."""
    return kind_aliases(read_shop_catalog(seed_catalog).products)


def _screen(catalog: CatalogFile, path: Path, fmt: Format) -> CatalogFile:
    lines: dict[str, int] = {}
    if fmt == "shop":
        for lineno, row in enumerate(iter_rows(path), start=2):
            lines.setdefault((row.get("sku") or "").strip(), lineno)
    kept, rejected = [], list(catalog.rejections)
    for p in catalog.products:
        reason = _unfit(p)
        if reason is None:
            kept.append(p)
            continue
        line = lines.get(p.sku) if fmt == "shop" else int(p.sku.rsplit("-", 1)[-1])
        rejected.append(
            Rejection(path.name, line or 0, reason, {k: str(v) for k, v in _record(p).items()})
        )
    rejected.sort(key=lambda r: r.line)
    return CatalogFile(products=kept, categories=catalog.categories, rejections=rejected)


def _unfit(p: CatalogProduct) -> str | None:
    if p.price_paise <= 0:
        return "price must be more than 0"
    for name, column in _LENGTHS.items():
        limit = column.type.length
        if len(getattr(p, name)) > limit:
            return f"{name} is longer than {limit} characters"
    if long := next((a for a in p.aliases if len(a) > _ALIAS_LENGTH), None):
        return f"alias {long[:40]!r}… is longer than {_ALIAS_LENGTH} characters"
    return None


def _record(p: CatalogProduct) -> dict[str, object]:
    return {
        "sku": p.sku,
        **{f: list(p.aliases) if f == "aliases" else getattr(p, f) for f in FIELDS},
    }


def _current(
    session: Session, shop_id: int, lock: bool = False
) -> tuple[dict[str, _Current], dict[str, Category]]:
    cats = {c.slug: c for c in session.scalars(select(Category).where(Category.shop_id == shop_id))}
    slugs = {c.id: c.slug for c in cats.values()}
    aliases: dict[int, list[tuple[str, str]]] = {}
    for product_id, alias, source in session.execute(
        select(ProductAlias.product_id, ProductAlias.alias, ProductAlias.source)
        .join(Product, Product.id == ProductAlias.product_id)
        .where(Product.shop_id == shop_id)
        .order_by(ProductAlias.id)
    ):
        aliases.setdefault(product_id, []).append((alias, source))
    columns = [getattr(Product, f) for f in FIELDS if f not in ("category", "aliases")]
    query = select(Product.id, Product.sku, Product.category_id, Product.position, *columns).where(
        Product.shop_id == shop_id
    )
    products = {}
    # Locked when applying (PostgreSQL): an order committing between the check and the write
    # would otherwise see its stock overwritten by a number the merchant never previewed.
    for row in session.execute(query.with_for_update(key_share=True) if lock else query):
        record = dict(row._mapping)
        pid, sku = record.pop("id"), record.pop("sku")
        record["category"] = slugs.get(record.pop("category_id"), "")
        have = tuple(aliases.get(pid, ()))
        record["aliases"] = [a for a, _ in have]
        products[sku] = _Current(sku, record, have, record.pop("position"))
    return products, cats


def _resulting_aliases(item: CatalogProduct, have: tuple[tuple[str, str], ...]) -> list[str]:
    """`load_catalog`'s rule: aliases the file drops go only if an earlier import added them."""
    wanted = dict.fromkeys(item.aliases)
    names = {a for a, _ in have}
    kept = [a for a, source in have if source != IMPORT_SOURCE or a in wanted]
    return kept + [a for a in wanted if a not in names]


def diff(
    catalog: CatalogFile, current: dict[str, _Current], categories: dict[str, Category]
) -> CatalogChanges:
    out = CatalogChanges(rejected=list(catalog.rejections))
    for item in catalog.products:
        row = current.get(item.sku)
        if row is None:
            out.new.append(item)
            continue
        resulting = _resulting_aliases(item, row.aliases)
        after = {**_record(item), "aliases": resulting}
        fields = []
        for f in FIELDS:
            old, new = row.record[f], after[f]
            # Aliases are a set: a reordered list is no change.
            same = {a for a, _ in row.aliases} == set(resulting) if f == "aliases" else old == new
            if not same:
                fields.append(FieldChange(f, old, new))
        if fields:
            out.changed.append(ProductChange(item.sku, item.name, tuple(fields)))
        else:
            out.unchanged += 1
    names = {c.slug: c for c in catalog.categories}
    used = dict.fromkeys(p.category for p in catalog.products)
    out.new_categories = [
        names.get(s) or CategoryInfo(s, s.replace("-", " ").title())
        for s in used
        if s not in categories
    ]
    return out


def preview(session: Session, shop_id: int, catalog: CatalogFile) -> CatalogChanges:
    current, categories = _current(session, shop_id)
    return diff(catalog, current, categories)


def _for_load(
    catalog: CatalogFile, current: dict[str, _Current], changes: CatalogChanges
) -> CatalogFile:
    """The file as `load_catalog` should see it: existing products keep their shelf place, new
    ones go after the last; only new aisles are named (existing ones keep their names)."""
    after = max((c.position for c in current.values()), default=-1) + 1
    products = []
    for item in catalog.products:
        row = current.get(item.sku)
        if row is None:
            products.append(replace(item, position=after))
            after += 1
        elif row.position != item.position:
            products.append(replace(item, position=row.position))
        else:
            products.append(item)
    return CatalogFile(
        products=products, categories=changes.new_categories, rejections=catalog.rejections
    )


def apply(session: Session, shop_id: int, catalog: CatalogFile, fingerprint: str) -> LoadReport:
    """Apply the previewed changes, or none at all if the catalog has moved since the preview."""
    begin_write(session)
    shop = session.scalar(select(Shop).where(Shop.id == shop_id).with_for_update(key_share=True))
    if shop is None:
        raise StaleChanges("the shop no longer exists")
    current, categories = _current(session, shop_id, lock=True)
    changes = diff(catalog, current, categories)
    if changes.fingerprint != fingerprint:
        raise StaleChanges(
            "the catalog changed since this preview (an edit, an order or another "
            "import): nothing was applied; upload the file again to see the changes now"
        )
    report = load_catalog(session, shop, _for_load(catalog, current, changes), source=IMPORT_SOURCE)
    if changes.new_categories:
        last = max((c.position for c in categories.values()), default=-1)
        new = session.scalars(
            select(Category).where(
                Category.shop_id == shop_id,
                Category.slug.in_([c.slug for c in changes.new_categories]),
            )
        )
        order = {c.slug: i for i, c in enumerate(changes.new_categories)}
        for cat in new:
            cat.position = last + 1 + order[cat.slug]
    session.flush()
    return report


def as_json(changes: CatalogChanges, limit: int) -> dict[str, object]:
    """The preview to keep beside the upload: counts, and the first `limit` rows of each list."""
    return {
        "fingerprint": changes.fingerprint,
        "counts": {
            "new": len(changes.new),
            "changed": len(changes.changed),
            "unchanged": changes.unchanged,
            "rejected": len(changes.rejected),
            "categories": len(changes.new_categories),
        },
        "new": [_record(p) for p in changes.new[:limit]],
        "changed": [
            {"sku": c.sku, "name": c.name, "fields": [asdict(f) for f in c.fields]}
            for c in changes.changed[:limit]
        ],
        "rejected": [
            {
                "line": r.line,
                "reason": r.reason,
                "row": {str(k): str(v)[:120] for k, v in r.row.items() if k and v},
            }
            for r in changes.rejected[:limit]
        ],
        "categories": [{"slug": c.slug, "name": c.name} for c in changes.new_categories],
    }
