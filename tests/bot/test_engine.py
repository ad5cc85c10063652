"""The item engine end to end, including input nobody should send but somebody will."""

from __future__ import annotations

import json
import random

import pytest

from bot.engine import ItemEngine


def test_the_contract_shape(engine: ItemEngine) -> None:
    out = engine.parse("2 kg atta and milk").as_dict()
    json.dumps(out)
    assert out["text"] == "2 kg atta and milk" and out["language"] == "en"
    atta, milk = out["lines"]
    assert (atta["quantity"], atta["unit"]) == (2000, "g")
    assert (milk["quantity"], milk["unit"]) == (None, None)
    for line in out["lines"]:
        assert set(line) >= {
            "text",
            "quantity",
            "unit",
            "product",
            "packs",
            "confidence",
            "alternatives",
        }
        assert set(line["product"]) >= {
            "sku",
            "name",
            "category",
            "brand",
            "pack_size",
            "pack_unit",
            "price_paise",
        }
        assert sum(p["count"] for p in line["packs"]) >= 1
        assert 0 <= line["confidence"] <= 1 and len(line["alternatives"]) <= 5
    assert sum(p["count"] * engine.index.by_sku[p["sku"]].pack_size for p in atta["packs"]) == 2000


def test_hindi_message(engine: ItemEngine) -> None:
    out = engine.parse("दो लीटर दूध और एक दर्जन अंडे").as_dict()
    assert out["language"] == "hi"
    milk, eggs = out["lines"]
    assert milk["product"] and (milk["quantity"], milk["unit"]) == (2000, "ml")
    assert eggs["product"] and (eggs["quantity"], eggs["unit"]) == (12, "pc")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "🙏🙏🙏😀",
        "\x00\x01\x02\x7f",
        random.Random(7).randbytes(256).decode("latin-1"),
        "a" * 10_000,
        "atta " * 2_000,
        "१२३४५६७८९०" * 100,
    ],
)
def test_bad_input_gets_a_clear_result_not_a_crash(engine: ItemEngine, text: str) -> None:
    out = engine.parse(text).as_dict()
    json.dumps(out)
    assert isinstance(out["lines"], list)
    assert len(out["lines"]) <= engine.max_lines


def test_overlong_messages_say_what_was_ignored(engine: ItemEngine) -> None:
    out = engine.parse("atta, " * 2_000).as_dict()
    assert any("4096" in w for w in out["warnings"])
    assert any(f"more than {engine.max_lines} items" in w for w in out["warnings"])
    assert len(out["lines"]) == engine.max_lines == 100


LIST_ITEMS = [
    "2 kg atta",
    "1 l amul taaza",
    "dozen eggs",
    "500 g paneer",
    "1 kg pyaz",
    "tamatar 1 kg",
    "cheeni 2 kg",
    "tata salt",
    "haldi 100 g",
    "jeera",
    "aashirvaad atta 5kg",
    "6 kele",
    "2 maggi",
    "dahi",
    "sarson ka tel 1 l",
    "basmati chawal 5 kg",
    "arhar dal 1 kg",
    "adrak",
    "lehsun 250 g",
    "nimbu 6",
    "bread",
    "butter",
    "red label tea 500 g",
    "surf excel",
    "colgate",
    "parle g 4",
    "amul milk 2 l",
    "besan 1 kg",
    "poha",
    "suji 500 g",
]


def test_a_hundred_line_list_comes_back_whole_and_resolved_line_by_line(engine: ItemEngine) -> None:
    """A month's list of 100 lines is within the cap: every line is read, in order, and each
    resolves exactly as it does alone (rankings shared within a message change nothing)."""
    items = [LIST_ITEMS[i % len(LIST_ITEMS)] for i in range(100)]
    out = engine.parse("\n".join(items))
    assert not out.warnings
    assert len(out.lines) == 100
    for text, line in zip(items, out.lines, strict=False):
        alone = engine.parse(text).lines
        assert len(alone) == 1
        assert line.as_dict() == alone[0].as_dict(), text


def test_lines_past_the_cap_are_dropped_with_a_warning(engine: ItemEngine) -> None:
    out = engine.parse("\n".join(["atta"] * (engine.max_lines + 1)))
    assert len(out.lines) == engine.max_lines
    assert out.warnings


def test_binary_bytes_are_decoded_not_fatal(engine: ItemEngine) -> None:
    assert engine.parse(b"2 kg atta \xff\xfe").lines[0].resolution.product is not None


def test_judging_by_name_ignores_apostrophes() -> None:
    from bot.catalog.model import CatalogProduct
    from bot.evaluation.items import Expected, judge_by_name

    bhujia = CatalogProduct(
        sku="BB-1",
        name="Namkeen - Aloo Bhujia",
        category="snacks",
        pack_size=1,
        pack_unit="pc",
        price_paise=100,
        brand="Haldirams",
    )
    label = Expected(
        kind="namkeen",
        brand="Haldiram's",
        skus=(),
        name_words=("bhujia",),
        sold=True,
        quantity=None,
        unit=None,
    )
    assert judge_by_name(bhujia, label)
    assert not judge_by_name(
        bhujia, Expected("namkeen", "Bikaji", (), ("bhujia",), True, None, None)
    )
