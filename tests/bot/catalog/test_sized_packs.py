"""Packs named by the shopper: by size word ("chhota", "bada", "big"), by the size of each pack
("2 packet of 500 g"), and bars of a soap also sold as a multipack."""

from __future__ import annotations

import pytest

from bot.catalog.model import CatalogProduct
from bot.catalog.packs import choose_packs, sized_packs
from bot.catalog.sources import read_shop_catalog
from bot.engine import ItemEngine
from bot.settings import PROJECT_ROOT
from tests.bot.catalog.support import pack


def sizes(packs: list[tuple[CatalogProduct, int]]) -> list[tuple[int, str, int]]:
    return [(p.pack_size, p.pack_unit, c) for p, c in packs]


BAR, MULTIPACK = pack(125, "g", 42, pos=0), pack(4, "pc", 152, pos=1)


def test_a_count_of_a_soap_sold_as_bars_and_multipacks_is_bars() -> None:
    assert sizes(choose_packs([MULTIPACK, BAR], 2, "pc")) == [(125, "g", 2)]
    assert sizes(choose_packs([MULTIPACK, BAR], 2, "pack")) == [(125, "g", 2)]
    assert sizes(choose_packs([MULTIPACK, BAR], 250, "g")) == [(125, "g", 2)]


def test_size_words_pick_the_smallest_or_the_largest_pack() -> None:
    shelf = [pack(300, "ml"), pack(750, "ml"), pack(2000, "ml")]
    usual = choose_packs(shelf, 1, "pack")
    assert sizes(sized_packs(shelf, usual, 1, "pack", "big")) == [(2000, "ml", 1)]
    assert sizes(sized_packs(shelf, usual, 3, None, "small")) == [(300, "ml", 3)]
    litre = choose_packs(shelf, 1000, "ml")  # "1 litre, the big one": the amount decides
    assert sized_packs(shelf, litre, 1000, "ml", "big") == litre


def test_packs_of_a_said_size_are_kept() -> None:
    shelf = [pack(500), pack(1000)]
    usual = choose_packs(shelf, 1000, "g")
    assert sizes(usual) == [(1000, "g", 1)]
    assert sizes(sized_packs(shelf, usual, 1000, "g", pack_size=500)) == [(500, "g", 2)]
    assert sized_packs(shelf, usual, 1000, "g", pack_size=250) == usual  # no such pack


@pytest.fixture(scope="module")
def engine() -> ItemEngine:
    catalog = read_shop_catalog(PROJECT_ROOT / "data" / "catalog")
    return ItemEngine(catalog.products, {c.slug: c.name for c in catalog.categories})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 packet of 500g besan", [(500, "g", 2)]),
        ("Tata Sampann बेसन 500 ग्राम वाले 2 पैकेट", [(500, "g", 2)]),
        ("1 big coke", [(2000, "ml", 1)]),
        ("ek bada surf excel easy wash", [(3000, "g", 1)]),
        ("छोटा पैकेट सर्फ एक्सेल ईज़ी वॉश", [(500, "g", 1)]),
        ("Lifebuoy साबुन 2 रख दो", [(125, "g", 2)]),
    ],
)
def test_on_the_shop_catalog(engine: ItemEngine, text: str, expected: list) -> None:
    (line,) = engine.parse(text).lines
    assert sizes(list(line.resolution.packs)) == expected
