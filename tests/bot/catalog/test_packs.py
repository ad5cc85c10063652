from __future__ import annotations

from bot.catalog.model import CatalogProduct
from bot.catalog.packs import choose_packs
from tests.bot.catalog.support import pack


def chosen(packs: list[tuple[CatalogProduct, int]]) -> list[tuple[int, int]]:
    return [(p.pack_size, c) for p, c in packs]


def test_one_pack_of_the_asked_size_beats_two_smaller() -> None:
    assert chosen(choose_packs([pack(1000), pack(2000), pack(5000)], 2000, "g")) == [(2000, 1)]


def test_two_small_packs_when_no_exact_pack() -> None:
    assert chosen(choose_packs([pack(1000), pack(5000), pack(10000)], 2000, "g")) == [(1000, 2)]


def test_closest_total_then_fewest_packs() -> None:
    assert chosen(choose_packs([pack(200), pack(500)], 500, "g")) == [(500, 1)]
    assert chosen(choose_packs([pack(200), pack(1000)], 500, "g")) == [(200, 2)]


def test_mixed_sizes_to_hit_the_amount() -> None:
    assert chosen(choose_packs([pack(500), pack(1000), pack(5000)], 6500, "g")) == [
        (5000, 1),
        (1000, 1),
        (500, 1),
    ]


def test_no_quantity_is_one_usual_pack() -> None:
    packs = [pack(1000, pos=2), pack(500, pos=1)]
    assert chosen(choose_packs(packs, None, None)) == [(500, 1)]


def test_pack_count() -> None:
    assert chosen(choose_packs([pack(70, pos=0), pack(280, pos=1)], 3, "pack")) == [(70, 3)]


def test_out_of_stock_packs_are_avoided() -> None:
    assert chosen(choose_packs([pack(1000, stock=0), pack(500)], 1000, "g")) == [(500, 2)]


def test_litres_and_grams_are_interchangeable_for_liquids_sold_by_weight() -> None:
    assert chosen(choose_packs([pack(500, "g"), pack(1000, "g")], 1000, "ml")) == [(1000, 1)]


def test_pieces_of_produce_sold_by_weight() -> None:
    apples = [pack(500, kind="apple"), pack(1000, kind="apple")]
    assert chosen(choose_packs(apples, 6, "pc")) == [(1000, 1)]


def test_dozen_eggs() -> None:
    eggs = [pack(6, "pc"), pack(12, "pc"), pack(30, "pc")]
    assert chosen(choose_packs(eggs, 24, "pc")) == [(12, 2)]
    assert chosen(choose_packs(eggs, 12, "pc")) == [(12, 1)]
