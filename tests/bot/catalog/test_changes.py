"""Import previews against a real database: the preview is what applying does, nothing else."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.catalog import changes
from bot.catalog.sources import SHOP_COLUMNS, CatalogFile, read_bigbasket, write_shop_catalog
from bot.catalog.store import shop_catalog
from bot.db.models import Category, Product, ProductAlias, Shop
from bot.db.session import session_scope
from bot.settings import PROJECT_ROOT
from tests.conftest import shared_path

SEED = PROJECT_ROOT / "data" / "catalog"


def exported(shop_id: int, path: Path) -> list[dict[str, str]]:
    with session_scope() as s:
        products, _ = shop_catalog(s, shop_id)
    write_shop_catalog(products, path)
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, SHOP_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def new_row(**over: str) -> dict[str, str]:
    return {
        "sku": "NEW-0001",
        "kind": "jaggery",
        "name": "Organic Jaggery Powder",
        "name_hi": "गुड़ पाउडर",
        "brand": "24 Mantra",
        "category": "staples",
        "pack_size": "500",
        "pack_unit": "g",
        "mrp_paise": "9900",
        "price_paise": "8900",
        "stock": "12",
        "aliases": "gud|jaggery",
    } | over


def preview_file(
    shop_id: int, path: Path, fmt: changes.Format = "shop"
) -> tuple[CatalogFile, changes.CatalogChanges]:
    catalog = changes.read_upload(path, fmt, SEED)
    with session_scope() as s:
        return catalog, changes.preview(s, shop_id, catalog)


def snapshot(shop_id: int) -> dict[str, tuple[object, ...]]:
    with session_scope() as s:
        return {
            p.sku: (
                p.name,
                p.price_paise,
                p.mrp_paise,
                p.stock,
                p.position,
                p.category_id,
                tuple(sorted(a.alias for a in p.aliases)),
            )
            for p in s.scalars(select(Product).where(Product.shop_id == shop_id))
        }


def test_the_preview_is_exactly_what_applying_does(shop_id: int, tmp_path: Path) -> None:
    rows = exported(shop_id, tmp_path / "export.csv")
    rows[0]["price_paise"] = str(int(rows[0]["price_paise"]) - 200)
    rows[1]["stock"] = "7"
    rows[2]["aliases"] += "|gehun wala atta"
    bad = new_row(sku="BAD-1", mrp_paise="100", price_paise="200")
    kg = new_row(sku="BAD-2", pack_unit="kg")
    path = write_rows(tmp_path / "in.csv", [*rows, new_row(), bad, kg])
    catalog, found = preview_file(shop_id, path)

    assert [p.sku for p in found.new] == ["NEW-0001"]
    assert {
        c.sku: [(f.field, f.old, f.new) for f in c.fields if f.field != "aliases"]
        for c in found.changed
    } == {
        rows[0]["sku"]: [
            ("price_paise", int(rows[0]["price_paise"]) + 200, int(rows[0]["price_paise"]))
        ],
        rows[1]["sku"]: [("stock", 20, 7)],
        rows[2]["sku"]: [],
    }
    alias_change = next(f for c in found.changed for f in c.fields if f.field == "aliases")
    assert set(alias_change.new) - set(alias_change.old) == {"gehun wala atta"}
    assert found.unchanged == len(rows) - 3
    assert [(r.line, r.reason) for r in found.rejected] == [
        (len(rows) + 3, "pack_size must be positive, stock and price not negative, mrp >= price"),
        (len(rows) + 4, "pack_unit must be g, ml or pc, not 'kg'"),
    ]

    before = snapshot(shop_id)
    with session_scope() as s:
        report = changes.apply(s, shop_id, catalog, found.fingerprint)
    assert (report.created, report.updated, report.unchanged) == (1, 3, found.unchanged)
    after = snapshot(shop_id)
    assert after[rows[0]["sku"]][1] == int(rows[0]["price_paise"]) and after[rows[1]["sku"]][3] == 7
    assert "gehun wala atta" in after[rows[2]["sku"]][6]
    assert {k for k in after if after[k] != before.get(k)} == {
        "NEW-0001",
        *(r["sku"] for r in rows[:3]),
    }
    _, again = preview_file(shop_id, path)  # applied: the same file now changes nothing
    assert (again.new, again.changed, again.unchanged) == ([], [], len(rows) + 1)


def test_a_partial_file_keeps_shelf_order_and_aisle_names(shop_id: int, tmp_path: Path) -> None:
    with session_scope() as s:
        aisles = {c.slug: (c.name, c.name_hi, c.position) for c in s.scalars(select(Category))}
        last = max(s.scalars(select(Product.position)))
    rows = exported(shop_id, tmp_path / "export.csv")
    moved = rows[5] | {"price_paise": str(int(rows[5]["price_paise"]) - 100)}
    path = write_rows(
        tmp_path / "in.csv",
        [moved, new_row(), new_row(sku="NEW-0002", category="jaggery-and-sugar")],
    )
    catalog, found = preview_file(shop_id, path)
    assert [c.slug for c in found.new_categories] == ["jaggery-and-sugar"]
    before = snapshot(shop_id)
    with session_scope() as s:
        changes.apply(s, shop_id, catalog, found.fingerprint)
    after = snapshot(shop_id)
    assert after[moved["sku"]][4] == before[moved["sku"]][4]  # not moved to the top of the shelf
    assert (after["NEW-0001"][4], after["NEW-0002"][4]) == (last + 1, last + 2)
    with session_scope() as s:
        now = {c.slug: (c.name, c.name_hi, c.position) for c in s.scalars(select(Category))}
    assert {
        k: v for k, v in now.items() if k in aisles
    } == aisles  # "Staples & Atta" stays, with its Hindi name
    assert now["jaggery-and-sugar"] == (
        "Jaggery And Sugar",
        "",
        max(p for _, _, p in aisles.values()) + 1,
    )


def test_applying_refuses_when_the_previewed_products_moved(shop_id: int, tmp_path: Path) -> None:
    rows = exported(shop_id, tmp_path / "export.csv")[:3]
    rows[0]["price_paise"] = str(int(rows[0]["price_paise"]) - 100)
    catalog, found = preview_file(shop_id, write_rows(tmp_path / "in.csv", rows))
    with session_scope() as s:  # an order elsewhere in the shop: the preview still holds
        s.execute(update(Product).where(Product.sku == "DRY-0001").values(stock=3))
    with session_scope() as s:  # an order takes stock of a product in the file: it does not
        s.execute(update(Product).where(Product.sku == rows[1]["sku"]).values(stock=19))
        version = s.scalar(select(Shop.catalog_version))
    before = snapshot(shop_id)
    with pytest.raises(changes.StaleChanges), session_scope() as s:
        changes.apply(s, shop_id, catalog, found.fingerprint)
    assert snapshot(shop_id) == before
    with session_scope() as s:
        assert s.scalar(select(Shop.catalog_version)) == version


def test_aliases_follow_the_loaders_rules(shop_id: int, tmp_path: Path) -> None:
    """A merchant's own alias survives a file without it; an alias an earlier import added
    goes when the file drops it, and the preview says so."""
    sku = exported(shop_id, tmp_path / "export.csv")[0]["sku"]
    with session_scope() as s:
        product = s.scalar(select(Product).where(Product.sku == sku))
        product.aliases.append(ProductAlias(shop_id=shop_id, alias="gehoon", source="merchant"))
    first = write_rows(tmp_path / "one.csv", [new_row(sku=sku, aliases="chakki|pisa hua")])
    catalog, found = preview_file(shop_id, first)
    with session_scope() as s:
        changes.apply(s, shop_id, catalog, found.fingerprint)
    second = write_rows(tmp_path / "two.csv", [new_row(sku=sku, aliases="chakki")])
    catalog, found = preview_file(shop_id, second)
    [aliases] = [f for f in found.changed[0].fields if f.field == "aliases"]
    assert set(aliases.old) - set(aliases.new) == {"pisa hua"}
    with session_scope() as s:
        changes.apply(s, shop_id, catalog, found.fingerprint)
        kept = set(s.scalars(select(ProductAlias.alias).join(Product).where(Product.sku == sku)))
    assert "gehoon" in kept and "chakki" in kept and "pisa hua" not in kept
    assert set(aliases.new) == kept


def test_rows_the_database_would_refuse_are_rejected_with_their_line(
    shop_id: int, tmp_path: Path
) -> None:
    path = write_rows(
        tmp_path / "in.csv",
        [
            new_row(),
            new_row(sku="X" * 65),
            new_row(sku="FREE", price_paise="0"),
            new_row(sku="LONG", aliases="a" * 201),
        ],
    )
    _, found = preview_file(shop_id, path)
    assert [p.sku for p in found.new] == ["NEW-0001"]
    assert [(r.line, r.reason.split(" ")[0]) for r in found.rejected] == [
        (3, "sku"),
        (4, "price"),
        (5, "alias"),
    ]


def test_a_bigbasket_slice_previews_as_the_cli_reads_it(shop_id: int, tmp_path: Path) -> None:
    source = shared_path("catalog", "bigbasket_products.csv")
    lines = source.read_text("utf-8").splitlines(keepends=True)
    path = tmp_path / "bigbasket.csv"
    path.write_text("".join(lines[:1501]), "utf-8")
    catalog, found = preview_file(shop_id, path, "bigbasket")
    cli = read_bigbasket(path, changes._seed_kinds(SEED, SEED.stat().st_mtime_ns))
    assert len(found.new) == len(cli.products) > 1400 and found.changed == []
    assert [(r.line, r.reason) for r in found.rejected] == [
        (r.line, r.reason) for r in cli.rejections
    ]
    with session_scope() as s:
        report = changes.apply(s, shop_id, catalog, found.fingerprint)
    assert report.created == len(found.new)
    _, again = preview_file(shop_id, path, "bigbasket")
    assert (len(again.new), len(again.changed)) == (0, 0)


def test_the_fingerprint_names_every_effect(seed_catalog: CatalogFile) -> None:
    p = seed_catalog.products[0]
    found = [
        changes.CatalogChanges(new=[]),
        changes.CatalogChanges(new=[p]),
        changes.CatalogChanges(new=[replace(p, price_paise=p.price_paise + 1)]),
        changes.CatalogChanges(new=[p], unchanged=1),
    ]
    assert len({f.fingerprint for f in found}) == len(found)
