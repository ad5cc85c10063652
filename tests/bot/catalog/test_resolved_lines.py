"""Order lines on the shop's seed catalog: a clause pointing back names the variant of the item
before, a price names the pack, run-together units still reach the product."""

from __future__ import annotations

import pytest

from bot.engine import ItemEngine


@pytest.mark.parametrize(
    "text",
    [
        "and milk 2 ltr, not toned, the full cream one",
        "doodh 2 litre, toned nahi, full cream wala",
        "दूध 2 लीटर, टोंड नहीं, फुल क्रीम वाला",
    ],
)
def test_the_variant_said_after_the_item_is_one_line(engine: ItemEngine, text: str) -> None:
    [line] = engine.parse(text).lines
    assert line.resolution.product is not None
    assert line.resolution.product.kind == "milk"
    assert "Full Cream" in line.resolution.product.name
    assert (line.quantity, line.unit) == (2000, "ml")


@pytest.mark.parametrize(
    ("text", "sku", "packs"),
    [
        ("5 wale masala magic 4 pkt bhi", "INS-0022", 4),
        ("2 dairy milk, the 47 rupee ones", "SNK-0046", 2),
        ("frooti 35 wala 2", "BEV-0035", 2),
        ("35 वाली फ्रूटी 2 डाल दो", "BEV-0035", 2),
        ("3 of the 20 rs lays magic masala", "SNK-0018", 3),
    ],
)
def test_a_price_names_the_pack(engine: ItemEngine, text: str, sku: str, packs: int) -> None:
    [line] = engine.parse(text).lines
    r = line.resolution
    assert r.status == "matched"
    assert [(p.sku, c) for p, c in r.packs] == [(sku, packs)]


def test_a_price_no_pack_has_changes_nothing(engine: ItemEngine) -> None:
    said = engine.parse("frooti 999 wala 2").lines[0].resolution
    plain = engine.parse("frooti 2").lines[0].resolution
    assert [(p.sku, c) for p, c in said.packs] == [(p.sku, c) for p, c in plain.packs]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("2kgatta 1kgsugar 500gm besan, deliver by 7am tmrw", ["atta", "sugar", "besan"]),
        ("1kgcheeni aur 2kgatta, kal 7 se 9 baje tak", ["sugar", "atta"]),
        ("१लीटरदूध और २किलोआटा", ["milk", "atta"]),
    ],
)
def test_run_together_units_and_times(engine: ItemEngine, text: str, kinds: list[str]) -> None:
    lines = engine.parse(text).lines
    assert [ln.resolution.product.kind if ln.resolution.product else None for ln in lines] == kinds


@pytest.mark.parametrize(
    ("text", "kind"),
    [("2 lays", "chips"), ("1 bada lays bhejo", "chips"), ("haldirams bhujia", "namkeen")],
)
def test_a_brand_written_without_its_apostrophe_is_that_brand(
    engine: ItemEngine, text: str, kind: str
) -> None:
    """ "lays" is Lay's, "haldirams" Haldiram's: the possessive "s" is no word of the name."""
    [line] = engine.parse(text).lines
    assert line.resolution.status != "unmatched", line
    assert line.resolution.product is not None and line.resolution.product.kind == kind
