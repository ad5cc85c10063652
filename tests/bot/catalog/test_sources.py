from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.catalog.sources import (
    SHOP_COLUMNS,
    kind_aliases,
    parse_pack,
    read_bigbasket,
    read_shop_catalog,
    write_shop_catalog,
)
from tests.conftest import shared_path


def test_seed_catalog_is_a_real_shop(seed_catalog) -> None:
    products = seed_catalog.products
    assert seed_catalog.rejections == []
    assert len(products) >= 600
    assert len({p.category for p in products}) >= 12
    assert len({p.sku for p in products}) == len(products)
    assert all(p.name_hi and p.aliases and p.kind for p in products)
    assert all(
        isinstance(p.price_paise, int) and 0 < p.price_paise <= p.mrp_paise for p in products
    )
    aashirvaad = {p.pack_size for p in products if p.name == "Aashirvaad Shudh Chakki Atta"}
    assert {1000, 5000, 10000} <= aashirvaad


@pytest.mark.parametrize(
    ("text", "pack"),
    [
        ("500 g", (500, "g")),
        ("2 kg", (2000, "g")),
        ("1 L", (1000, "ml")),
        ("46 pcs", (46, "pc")),
        ("Atta 5 x 1 kg", (5000, "g")),
        ("Oil 500ml Pouch", (500, "ml")),
        ("1.5 kg", (1500, "g")),
        ("Water Bottle - Orange", None),
    ],
)
def test_parse_pack(text: str, pack: tuple[int, str] | None) -> None:
    assert parse_pack(text) == pack


def test_shop_csv_rejections_are_reported_with_reasons(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    rows = [
        [
            "A1",
            "atta",
            "Atta",
            "आटा",
            "",
            "staples",
            "1000",
            "g",
            "5000",
            "4500",
            "10",
            "aata|atta",
        ],
        ["A2", "atta", "Atta", "आटा", "", "staples", "1000", "kg", "5000", "4500", "10", ""],
        ["A3", "atta", "Atta", "आटा", "", "staples", "lots", "g", "5000", "4500", "10", ""],
        ["A4", "atta", "Atta", "आटा", "", "staples", "1000", "g", "4000", "4500", "10", ""],
        ["A1", "atta", "Atta", "आटा", "", "staples", "1000", "g", "5000", "4500", "10", ""],
    ]
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([SHOP_COLUMNS, *rows])
    out = read_shop_catalog(path)
    assert [p.sku for p in out.products] == ["A1"]
    assert out.products[0].aliases == ("aata", "atta")
    reasons = [r.reason for r in out.rejections]
    assert len(reasons) == 4
    assert "pack_unit" in reasons[0] and "integers" in reasons[1]
    assert "mrp" in reasons[2] and "duplicate" in reasons[3]


def test_write_and_read_back(seed_catalog, tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_shop_catalog(seed_catalog.products, path)
    again = read_shop_catalog(path)
    assert [(p.sku, p.aliases, p.price_paise) for p in again.products] == [
        (p.sku, p.aliases, p.price_paise) for p in seed_catalog.products
    ]


def test_bigbasket_rows_with_trailing_spaces_kannada_synonyms_and_duplicates(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bb.csv"
    path.write_text(
        "index,product,category,sub_category,brand,sale_price,market_price,type,rating\n"
        '1,Toor Dal/Togari Bele,"Foodgrains, Oil & Masala",Dals,BB Royal ,150,170,Toor,4.1\n'
        '2,Toor Dal/Togari Bele,"Foodgrains, Oil & Masala",Dals,BB Royal ,290,320,Toor,4.1\n'
        '3,Toor Dal/Togari Bele,"Foodgrains, Oil & Masala",Dals,BB Royal ,150,170,Toor,4.1\n'
        "4,Onion,Fruits & Vegetables,Veg,Fresho,,,Onion,\n"
        "5,,Foodgrains,Dals,BB Royal ,10,10,x,\n",
        "utf-8",
    )
    out = read_bigbasket(path, {"dal": ("toor", "arhar")})
    names = [(p.name, p.brand, p.price_paise) for p in out.products]
    assert names == [("Toor Dal", "BB Royal", 15000), ("Toor Dal", "BB Royal", 29000)]
    assert out.products[0].aliases == ("toor", "arhar")
    assert [r.line for r in out.rejections] == [4, 5, 6]
    assert "duplicate" in out.rejections[0].reason and "price" in out.rejections[1].reason


@pytest.mark.shared
def test_real_bigbasket_catalog_imports_nearly_everything(seed_catalog) -> None:
    out = read_bigbasket(
        shared_path("catalog", "bigbasket_products.csv"), kind_aliases(seed_catalog.products)
    )
    assert len(out.products) + len(out.rejections) == 27555
    assert len(out.products) > 27000
    assert all(r.reason for r in out.rejections)
    names = {p.name for p in out.products}
    assert (
        "Besan" in names and "Atta - Whole Wheat" in names
    )  # "Besan/Kadale Hittu", "Atta/Godihittu - …"
    assert "Octa Water/Juice Glass Tumbler" in names


@pytest.mark.shared
def test_real_bigbasket_pack_sizes_come_from_the_quantity_column() -> None:
    out = read_bigbasket(shared_path("catalog", "bigbasket_with_pack_sizes.csv"))
    onion = next(p for p in out.products if p.name.startswith("Onion"))
    assert (onion.pack_size, onion.pack_unit) == (2000, "g")
    sized = sum((p.pack_size, p.pack_unit) != (1, "pc") for p in out.products)
    assert sized / len(out.products) > 0.85  # the rest are really "1 pc", "Combo", "set of 4"


# --- what a BigBasket import learns from the shop's own catalog -------------------------------


def test_kind_aliases_do_not_hand_one_brand_to_every_product_of_a_kind(seed_catalog) -> None:
    """The shop's only salt is Tata: "tata namak" names that brand, not salt."""
    aliases = kind_aliases(seed_catalog.products)
    assert "namak" in aliases["salt"]
    assert not {"tata", "tata namak", "tata salt"} & set(aliases["salt"])
    assert not {"maggi", "maggie"} & set(aliases["noodles"])


def test_kind_aliases_carry_the_hindi_name_and_the_pieces(seed_catalog) -> None:
    aliases = kind_aliases(seed_catalog.products)
    assert "लौकी" in aliases["bottle gourd"] and "इलायची" in aliases["cardamom"]
    assert "पाउडर" not in aliases["turmeric powder"]  # never fewer words than the kind
    assert {"eggs", "toothbrush"} <= aliases.piece_kinds
    assert "atta" not in aliases.piece_kinds and "atta" in aliases.kinds


@pytest.mark.parametrize(
    ("name", "brand", "kind"),
    [
        ("Bottle Gourd", "Fresho", "bottle gourd"),
        ("Chilli - Green, Organically Grown", "Fresho", "green chilli"),
        ("Green Chillies", "Fresho", "green chilli"),
        ("Kachi Ghani Mustard Oil", "Fortune", "mustard oil"),
        ("Fish Fingers", "Fresh Catch", "fingers"),
        ("Namkeen - Aloo Bhujia", "Haldirams", "namkeen"),
    ],
)
def test_bigbasket_kinds_widen_to_the_shop_kind_they_name(
    seed_catalog, tmp_path: Path, name: str, brand: str, kind: str
) -> None:
    path = tmp_path / "bb.csv"
    path.write_text(
        "index,product,category,sub_category,brand,sale_price,market_price,type,rating\n"
        f"1,{name!r},Fruits & Vegetables,Veg,{brand},50,50,x,4\n".replace("'", '"'),
        "utf-8",
    )
    [product] = read_bigbasket(path, kind_aliases(seed_catalog.products)).products
    assert product.kind == kind


def test_bigbasket_products_without_a_size_are_counted_in_packs_unless_sold_by_the_piece(
    seed_catalog, tmp_path: Path
) -> None:
    path = tmp_path / "bb.csv"
    path.write_text(
        "index,product,category,sub_category,brand,sale_price,market_price,type,rating\n"
        "1,Glucose Biscuits,Snacks & Branded Foods,Biscuits,Parle,10,10,x,4\n"
        "2,Eggs - Regular,Eggs & Meat,Eggs,Fresho,80,80,x,4\n"
        "3,Glucose Biscuits 800 g,Snacks & Branded Foods,Biscuits,Parle,90,90,x,4\n",
        "utf-8",
    )
    biscuits, eggs, sized = read_bigbasket(path, kind_aliases(seed_catalog.products)).products
    assert (biscuits.pack_size, biscuits.pack_unit, biscuits.pack_known) == (1, "pc", False)
    assert eggs.pack_known and sized.pack_known
    from bot.engine import ItemEngine

    engine = ItemEngine([biscuits, eggs])
    assert engine.parse("3 parle glucose biscuits").lines[0].unit == "pack"
    assert engine.parse("eggs 6").lines[0].unit == "pc"


def test_brands_carry_their_hindi_spelling_and_own_nicknames_only(seed_catalog) -> None:
    aliases = kind_aliases(seed_catalog.products)
    assert aliases.brand_hi["colgate"] == "कोलगेट"
    assert "coke" in aliases.brand_aliases["cocacola"]
    # "coil" says what Mortein's coil is, and "machis" what Ship's matches are: not the brand.
    assert "coil" not in aliases.brand_aliases.get("mortein", ())
    assert not {"machis", "ship machis"} & set(aliases.brand_aliases.get("ship", ()))


def test_a_bigbasket_brand_is_found_in_devanagari_and_by_nickname(
    seed_catalog, tmp_path: Path
) -> None:
    from bot.engine import ItemEngine

    path = tmp_path / "bb.csv"
    path.write_text(
        "index,product,category,sub_category,brand,sale_price,market_price,type,rating\n"
        "1,Soft Drink - Original Taste,Beverages,Soft Drinks,Coca-Cola,40,40,x,4\n"
        "2,Toilet Cleaner - Original,Cleaning & Household,Toilet,Harpic,90,90,x,4\n"
        "3,Toothpaste - Strong Teeth,Beauty & Hygiene,Oral Care,Colgate,60,60,x,4\n",
        "utf-8",
    )
    catalog = read_bigbasket(path, kind_aliases(seed_catalog.products))
    assert catalog.products[2].brand_hi == "कोलगेट"
    engine = ItemEngine(catalog.products)
    for text, brand in [
        ("coke 2", "Coca-Cola"),
        ("हार्पिक एक बोतल", "Harpic"),
        ("कोलगेट टूथपेस्ट", "Colgate"),
    ]:
        product = engine.parse(text).lines[0].resolution.product
        assert product is not None and product.brand == brand, text
