"""When the bot asks "which one?" and when it hands over the usual."""

from __future__ import annotations

from bot.catalog.choice import decide, names_kind
from bot.catalog.model import CatalogProduct


def product(sku: str, kind: str, price: int, size: int = 1000, **kw: object) -> CatalogProduct:
    return CatalogProduct(
        sku=sku,
        name=f"{kind} {sku}",
        category="staples",
        pack_size=size,
        pack_unit="g",
        price_paise=price,
        kind=kind,
        stock=10,
        **kw,
    )


LOOSE = product("A1", "atta", 4500, aliases=("gehun ka atta", "flour"))
BRANDED = product("A2", "atta", 7000, aliases=("aata", "atta"))
MULTIGRAIN = product("A3", "multigrain atta", 9000, aliases=("flour", "multigrain"))


def test_near_identical_options_get_the_usual_pick() -> None:
    decision = decide([LOOSE, BRANDED])
    assert decision.pick is LOOSE and decision.others == (BRANDED,)
    assert decision.reason == "usual"


def test_options_of_different_kinds_are_asked_unless_the_kind_was_named() -> None:
    assert decide([LOOSE, MULTIGRAIN]).pick is None
    assert decide([LOOSE, MULTIGRAIN], item="atta").pick is LOOSE
    assert not names_kind("flour", LOOSE, [MULTIGRAIN])  # both answer to "flour"
    assert names_kind("aata", LOOSE, [MULTIGRAIN])  # the kind, however spelt
    assert names_kind("gehun ka atta", LOOSE, [MULTIGRAIN])


def test_prices_far_apart_are_asked() -> None:
    premium = product("A4", "atta", 12000)
    assert decide([LOOSE, premium]).reason == "prices_differ"
    assert decide([LOOSE, premium], price_spread=3.0).pick is LOOSE


def test_what_this_shopper_bought_before_comes_first() -> None:
    decision = decide([LOOSE, BRANDED], bought_before=["X9", "A2"])
    assert decision.pick is BRANDED and decision.reason == "bought_before"
    other_pack = decide([LOOSE, BRANDED], bought_before=["A2-5kg"], variant_of={"A2-5kg": "A2"})
    assert other_pack.pick is BRANDED


def test_packs_that_miss_the_amount_are_asked() -> None:
    assert decide([LOOSE, BRANDED], packs_miss=0.5).reason == "pack_misses"
    assert decide([]).pick is None and decide([LOOSE]).pick is LOOSE


def test_a_premium_usual_pick_is_asked_when_a_cheaper_one_is_half_its_price() -> None:
    """ "india gate basmati 1kg", "1 kg basmati rice": the usual pick (₹219) is over twice the
    cheapest grade (₹89); a shopkeeper would not hand over the priciest unasked."""
    classic = product("R1", "basmati rice", 21900)
    mogra = product("R2", "basmati rice", 8900)
    dubar = product("R3", "basmati rice", 13500)
    assert decide([classic, dubar, mogra], item="basmati").reason == "premium_pick"
    # the cheap usual with dearer ones beside it (white eggs, brown and desi) is no question
    assert decide([mogra, dubar, classic], item="basmati").pick is mogra


def test_a_brand_alone_asks_when_the_brand_makes_different_kinds_of_thing() -> None:
    """ "need surf excel": powder, liquid and bar; "1 kg Surf Excel" or "bada surf" say enough."""
    powder = product("S1", "detergent powder", 6100, 500, brand="Surf Excel")
    liquid = product("S2", "detergent liquid", 23500, 1000, brand="Surf Excel")
    bar = product("S3", "detergent bar", 3400, 250, brand="Surf Excel")
    assert decide([powder, liquid, bar], item="surf excel").pick is None
    assert decide([powder, liquid, bar], item="surf excel", specified=True).pick is powder
    maggi = product("M1", "noodles", 1400, 70, brand="Maggi")
    cup = product("M2", "noodles", 4400, 70, brand="Maggi")
    assert decide([maggi, cup], item="maggi").pick is maggi  # one kind: the usual
