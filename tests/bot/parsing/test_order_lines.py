"""Item lines as real orders write them: units run into the item, delivery times and asides
that are no products, clauses that point back at the item before, and prices that say which
pack — in English, Hinglish and Hindi."""

from __future__ import annotations

import pytest

from bot.parsing.parser import MessageParser
from tests.bot.parsing.support import read


@pytest.fixture(scope="module")
def parser() -> MessageParser:
    return MessageParser(["parle g"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1kgsugar 500gmsooji", [("sugar", 1000, "g"), ("sooji", 500, "g")]),
        ("2kgs atta and 2litresmilk", [("atta", 2000, "g"), ("milk", 2000, "ml")]),
        ("1kgcheeni aur 2ltrdoodh", [("cheeni", 1000, "g"), ("doodh", 2000, "ml")]),
        ("३किलोचावल और १लीटरतेल", [("चावल", 3000, "g"), ("तेल", 1000, "ml")]),
        ("2किलोआटा", [("आटा", 2000, "g")]),
    ],
)
def test_units_run_into_the_item(parser: MessageParser, text: str, expected: list) -> None:
    assert read(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rice 5 kg, deliver tomorrow 6 to 8 pm if possible", [("rice", 5000, "g")]),
        ("that's all, deliver between 10 - 11 am", []),
        ("chawal 5 kilo, kal shaam 6 se 8 baje tak bhejna", [("chawal", 5000, "g")]),
        ("चावल 5 किलो, शाम 6 से 8 बजे तक", [("चावल", 5000, "g")]),
        ("room 12 ke liye 1 kg pyaz btw", [("pyaz", 1000, "g")]),
        ("सबसे छोटा वाला साबुन 3", [("साबुन", 3, None)]),
    ],
)
def test_times_and_asides_make_no_line(parser: MessageParser, text: str, expected: list) -> None:
    assert read(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("oil 1 litre, not sunflower, the mustard one", "mustard"),
        ("tel 1 litre, sunflower nahi, sarson wala", "sarson"),
        ("तेल 1 लीटर, सूरजमुखी नहीं, सरसों वाला", "सरसों"),
    ],
)
def test_a_clause_that_points_back_is_a_tail(parser: MessageParser, text: str, item: str) -> None:
    first, second = parser.parse(text)
    assert first.quantity is not None and first.quantity.amount == 1000
    assert (second.item, second.quantity, second.tail) == (item, None, True)


@pytest.mark.parametrize(
    ("text", "item", "price"),
    [
        ("4 of the 10 rs parle g", "parle g", 1000),
        ("2 chips, the 20 rupee ones", "chips", 2000),
        ("10 wale parle g 3", "parle g", 1000),
        ("parle g 3 packet ₹10 wala", "parle g", 1000),
        ("10 वाला बिस्किट 3 पैकेट", "बिस्किट", 1000),
        ("बिस्किट 3, 10 रुपये वाले", "बिस्किट", 1000),
    ],
)
def test_a_price_says_which_pack_not_how_many(
    parser: MessageParser, text: str, item: str, price: int
) -> None:
    [line] = parser.parse(text)
    assert (line.item, line.price_paise) == (item, price)
    assert line.quantity is not None and line.quantity.amount in (2, 3, 4)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("surf excel, the big one", "big"),
        ("maggi 4, chhoti wali", "small"),
        ("मैगी 4, छोटे वाले", "small"),
    ],
)
def test_a_size_said_after_the_item_is_its_size(
    parser: MessageParser, text: str, size: str
) -> None:
    [line] = parser.parse(text)
    assert line.size == size


@pytest.mark.parametrize("text", ["one kg atta", "atta one", "1 atta, one milk"])
def test_one_is_still_a_count(parser: MessageParser, text: str) -> None:
    lines = parser.parse(text)
    assert all(ln.quantity is not None for ln in lines)
