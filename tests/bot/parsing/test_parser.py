from __future__ import annotations

import pytest

from bot.parsing.parser import MessageParser
from bot.parsing.quantity import Quantity
from tests.bot.parsing.support import read


@pytest.fixture(scope="module")
def parser() -> MessageParser:
    return MessageParser(["slim n trim", "hide & seek", "parle g", "pav bhaji"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 kg atta and milk", [("atta", 2000, "g"), ("milk", None, None)]),
        ("aadha kilo paneer bhej do", [("paneer", 500, "g")]),
        ("दो लीटर दूध और एक दर्जन अंडे", [("दूध", 2000, "ml"), ("अंडे", 12, "pc")]),
        ("atta ka 1 kg wala packet", [("atta", 1000, "g")]),
        ("atta 2 kg", [("atta", 2000, "g")]),
        ("2kg atta 1l milk 6 eggs", [("atta", 2000, "g"), ("milk", 1000, "ml"), ("eggs", 6, None)]),
        ("atta 2 kg milk 1 l", [("atta", 2000, "g"), ("milk", 1000, "ml")]),
        (
            "atta, doodh + chini & namak n dahi",
            [
                ("atta", None, None),
                ("doodh", None, None),
                ("chini", None, None),
                ("namak", None, None),
                ("dahi", None, None),
            ],
        ),
        (
            "atta\ndoodh\nchini 1kg",
            [("atta", None, None), ("doodh", None, None), ("chini", 1000, "g")],
        ),
    ],
)
def test_lines_and_quantities(parser: MessageParser, text: str, expected: list) -> None:
    assert read(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("dedh kilo aloo", 1500, "g"),
        ("dhai kilo aloo", 2500, "g"),
        ("sawa kilo pyaz", 1250, "g"),
        ("sawa do kilo pyaz", 2250, "g"),
        ("saade teen kilo aloo", 3500, "g"),
        ("paune do kilo tamatar", 1750, "g"),
        ("paav paneer", 250, "g"),
        ("ek pav paneer", 250, "g"),
        ("do paav makhan", 500, "g"),
        ("½ kg sugar", 500, "g"),
        ("sugar 1/2 kg", 500, "g"),
        ("1 1/2 kg chini", 1500, "g"),
        ("1.5 l oil", 1500, "ml"),
        ("half dozen eggs", 6, "pc"),
        ("a dozen eggs", 12, "pc"),
        ("2 dozen kele", 24, "pc"),
        ("ek darjan kele", 12, "pc"),
        ("तीन किलो आलू", 3000, "g"),
        ("डेढ़ किलो चीनी", 1500, "g"),
        ("५०० ग्राम पनीर", 500, "g"),
        ("two packets maggi", 2, "pack"),
        ("teen bottle coke", 3, "pack"),
        ("2 x 500g amul butter", 1000, "g"),
        ("amul butter 500 g 2 packet", 1000, "g"),
        ("twelve eggs", 12, None),
        ("kilo pyaz", 1000, "g"),
        ("500ml dahi", 500, "ml"),
        ("do kilo atta", 2000, "g"),
    ],
)
def test_quantity_words(parser: MessageParser, text: str, amount: float, unit: str | None) -> None:
    [line] = parser.parse(text)
    assert line.quantity == Quantity(amount, unit)


def test_do_after_a_verb_is_not_two(parser: MessageParser) -> None:
    assert read(parser, "atta bhej do") == [("atta", None, None)]
    assert read(parser, "bhej do 2 kilo atta") == [("atta", 2000, "g")]
    assert read(parser, "दूध भेज दो") == [("दूध", None, None)]


def test_pav_alone_is_bread_not_a_quarter_kilo(parser: MessageParser) -> None:
    assert read(parser, "4 pav") == [("pav", 4, None)]


def test_protected_catalog_phrases_are_not_split(parser: MessageParser) -> None:
    assert read(parser, "2 parle g n 1 hide & seek") == [
        ("parle g", 2, None),
        ("hide & seek", 1, None),
    ]
    assert read(parser, "amul slim n trim 1 l") == [("amul slim n trim", 1000, "ml")]
    assert read(parser, "pav bhaji masala") == [("pav bhaji masala", None, None)]


def test_fillers_are_not_item_words(parser: MessageParser) -> None:
    assert read(parser, "mujhe 5 kg chawal chahiye please") == [("chawal", 5000, "g")]
    assert read(parser, "i want an apple") == [("apple", None, None)]


@pytest.mark.parametrize(
    "text", ["", "   ", "🙏🙏🙏", "\x00\x01\x02", ",,, and aur +", "😀 and 😀"]
)
def test_nothing_to_read(parser: MessageParser, text: str) -> None:
    assert parser.parse(text) == []
