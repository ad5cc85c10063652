"""The resolver on the shop's real seed catalog."""

from __future__ import annotations

import pytest

from bot.engine import ItemEngine


def first(engine: ItemEngine, text: str):
    [line] = engine.parse(text).lines
    return line


@pytest.mark.parametrize("text", ["atta", "aata", "आटा", "2 kg atta", "gehun ka atta"])
def test_atta_is_wheat_flour_not_atta_noodles(engine: ItemEngine, text: str) -> None:
    line = first(engine, text)
    assert line.resolution.product is not None
    assert line.resolution.product.kind == "atta"


def test_atta_noodles_are_noodles(engine: ItemEngine) -> None:
    assert first(engine, "atta noodles").resolution.product.kind == "noodles"


@pytest.mark.parametrize("text", ["amul milk", "amul doodh", "अमूल दूध"])
def test_amul_milk_is_milk_not_chocolate(engine: ItemEngine, text: str) -> None:
    r = first(engine, text).resolution
    assert r.product.kind == "milk" and r.product.brand == "Amul"
    assert all(a.kind == "milk" for a in r.alternatives)


def test_milk_alone_is_ambiguous_with_ranked_alternatives(engine: ItemEngine) -> None:
    r = first(engine, "milk").resolution
    assert r.status == "ambiguous"
    assert r.product.kind == "milk"
    assert 2 <= len(r.alternatives) <= 5
    assert all(a.kind == "milk" for a in r.alternatives)
    assert len({a.name for a in r.alternatives} | {r.product.name}) == len(r.alternatives) + 1


def test_a_brand_and_name_is_not_ambiguous(engine: ItemEngine) -> None:
    r = first(engine, "amul taaza 1 litre").resolution
    assert r.status == "matched"
    assert "Taaza" in r.product.name and r.product.pack_size == 1000


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("panner", "paneer"),
        ("tamatr", "tomato"),
        ("pyaaz", "onion"),
        ("kanda", "onion"),
        ("aloo", "potato"),
        ("cheeni", "sugar"),
        ("namak", "salt"),
        ("sarson ka tel", "mustard oil"),
        ("haldi", "turmeric powder"),
        ("jeera", "cumin seeds"),
        ("adrak", "ginger"),
        ("lehsun", "garlic"),
        ("kela", "banana"),
        ("nimbu", "lemon"),
        ("ande", "eggs"),
        ("dahi", "curd"),
        ("प्याज़", "onion"),
        ("टमाटर", "tomato"),
        ("दही", "curd"),
        ("arhar dal", "toor dal"),
        ("basmati chawal", "basmati rice"),
    ],
)
def test_hinglish_hindi_and_typos(engine: ItemEngine, text: str, kind: str) -> None:
    r = first(engine, text).resolution
    assert r.product is not None, r
    assert r.product.kind == kind


def test_pack_choice_follows_the_quantity(engine: ItemEngine) -> None:
    line = first(engine, "aashirvaad atta 5kg")
    assert [(p.pack_size, c) for p, c in line.resolution.packs] == [(5000, 1)]
    assert line.quantity == 5000 and line.unit == "g"


def test_bare_counts_are_pieces_for_produce_and_packs_otherwise(engine: ItemEngine) -> None:
    assert first(engine, "6 kele").unit == "pc"
    assert first(engine, "2 maggi").unit == "pack"
    assert sum(c for _, c in first(engine, "2 maggi").resolution.packs) == 2


@pytest.mark.parametrize(
    ("text", "grams"), [("lehsun 250", 250), ("sarso tel 500", 500), ("dahi 400", 400)]
)
def test_a_bare_weight_is_grams_not_hundreds_of_packs(
    engine: ItemEngine, text: str, grams: int
) -> None:
    packs = first(engine, text).resolution.packs
    assert sum(p.pack_size * c for p, c in packs) == grams and sum(c for _, c in packs) <= 2


@pytest.mark.parametrize(
    "text", ["iphone", "petrol", "cement bags 10", "xyzzy", "doctor appointment"]
)
def test_unknown_items_are_unmatched_never_a_silly_match(engine: ItemEngine, text: str) -> None:
    r = first(engine, text).resolution
    assert r.status == "unmatched" and r.product is None and r.packs == ()


def test_unmatched_typos_still_get_suggestions(engine: ItemEngine) -> None:
    r = first(engine, "paneeer tikka masala").resolution
    assert r.product is not None or r.alternatives


@pytest.mark.parametrize(
    "text",
    [
        "milk",
        "amul milk",
        "atta",
        "maggi",
        "tata salt",
        "biryani masala",
        "iphone",
        "xyzzy",
        "red label tea",
        "mother dairy full cream milk",
        "chai patti",
        "haldi",
        "panner",
    ],
)
def test_pruned_ranking_resolves_exactly_like_the_full_one(engine: ItemEngine, text: str) -> None:
    """The engine ranks with `prune=True`: whatever it drops must never have been shown."""
    from bot.catalog.index import keys

    resolver = engine.resolver
    full, pruned = resolver.rank(text), resolver.rank_keys(keys(text), prune=True)
    assert len(pruned) <= len(full)
    for amount, unit in [(None, None), (2, None), (1000, "g")]:
        assert resolver.resolve(text, amount, unit, ranked=pruned) == resolver.resolve(
            text, amount, unit
        )
    assert resolver.explains(text, pruned) == resolver.explains(text)


@pytest.mark.parametrize("text", ["badam", "बादाम", "250 gm badam"])
def test_a_flavour_word_alone_is_no_match(engine: ItemEngine, text: str) -> None:
    """The shop sells Mom's Magic *Cashew & Almond* biscuits, not almonds: "we don't have
    badam", with the biscuit offered as a suggestion."""
    line = first(engine, text)
    assert line.resolution.status == "unmatched"
    assert any("Almond" in p.name for p in line.resolution.alternatives)


def test_a_name_that_never_says_its_kind_still_finds_its_product(engine: ItemEngine) -> None:
    line = first(engine, "sunfeast moms magic cashew almond")
    assert line.resolution.product is not None and line.resolution.product.sku == "SNK-0043"
