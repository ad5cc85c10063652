"""Words of a chat reply that are not items: openings ("theek h", "अच्छा फिर"), references to
earlier orders ("the one I took last time", "पिछली बार वाला"), put-it-in verbs ("daal dena",
"रख दो"), negations that refuse one word or a whole clause, and the size of the pack meant."""

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
        ("ok fine, then 2 kg onions", [("onions", 2000, "g")]),
        (
            "theek h 1 dozen ande aur 2 kilo cheeni daal do",
            [("ande", 12, "pc"), ("cheeni", 2000, "g")],
        ),
        ("accha fir 2 packet maggi bhi", [("maggi", 2, "pack")]),
        ("अच्छा फिर 1 लीटर दूध भी डाल दो", [("दूध", 1000, "ml")]),
        ("ठीक है 2 किलो आलू रख दो", [("आलू", 2000, "g")]),
    ],
)
def test_openings_of_a_reply_are_not_items(
    parser: MessageParser, text: str, expected: list
) -> None:
    assert read(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("also the toor dal i took last time", [("toor dal", None, None)]),
        ("chai patti bhi wahi jo pichli baar li thi", [("chai patti", None, None)]),
        ("पिछली बार वाला आटा 5 किलो", [("आटा", 5000, "g")]),
        ("same atta as always, 10 kilo", [("atta", 10000, "g")]),
    ],
)
def test_words_about_earlier_orders_are_not_items(
    parser: MessageParser, text: str, expected: list
) -> None:
    assert read(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500g moong dal also, daal dena", [("moong dal", 500, "g")]),
        ("cheeni 1 kilo, daal do", [("cheeni", 1000, "g")]),
        ("साबुन 2 रख दो", [("साबुन", 2, None)]),
        ("2 kilo daal do", [("daal", 2000, "g")]),  # nothing before it: the dal itself
        ("dhara wala 1 daal do", [("dhara", 1, None)]),
    ],
)
def test_put_it_in_verbs_are_not_dal(parser: MessageParser, text: str, expected: list) -> None:
    assert read(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 kg potato, onion not needed this time", [("potato", 2000, "g")]),
        ("1 kg desi tomatoes not hybrid", [("desi tomatoes", 1000, "g")]),
        ("tamatar 1 kilo desi wala hybrid nahi", [("tamatar", 1000, "g"), ("desi", None, None)]),
        ("देसी टमाटर 1 किलो चाहिए हाइब्रिड नहीं", [("देसी टमाटर", 1000, "g")]),
        ("pyaz nahi chahiye, aloo 2 kilo", [("aloo", 2000, "g")]),
        ("ok why not ek dairy milk bhi daal do", [("dairy milk", 1, None)]),
        ("haan kyu nahi, 2 kilo aloo", [("aloo", 2000, "g")]),
        ("हाँ क्यों नहीं, 2 किलो आलू", [("आलू", 2000, "g")]),
    ],
)
def test_negations_refuse_a_word_or_the_clause(
    parser: MessageParser, text: str, expected: list
) -> None:
    assert read(parser, text) == expected


def test_what_is_refused_is_read_for_a_removal(parser: MessageParser) -> None:
    assert [ln.item for ln in parser.parse("onion not needed", wanted=False)] == ["onion"]
    assert [ln.item for ln in parser.parse("desi tomatoes not hybrid", wanted=False)] == ["hybrid"]
    assert [ln.item for ln in parser.parse("सरसों तेल इस बार नहीं चाहिए", wanted=False)] == ["सरसों तेल"]


@pytest.mark.parametrize(
    ("text", "size", "pack"),
    [
        ("1 big coke", "big", None),
        ("ek chhota ketchup", "small", None),
        ("बड़ा पैकेट सर्फ", "big", None),
        ("2 packet of 500g besan", None, 500),
        ("Tata Sampann बेसन 500 ग्राम वाले 2 पैकेट", None, 500),
    ],
)
def test_the_pack_asked_for_by_its_size(
    parser: MessageParser, text: str, size: str | None, pack: float | None
) -> None:
    (line,) = parser.parse(text)
    assert line.size == size and line.pack_size == pack


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 Colgate 200 gm", [("colgate", 200, "g")]),
        (
            "2 parle g 250 gm wale aur 1 marie gold",
            [("parle g", 500, "g"), ("marie gold", 1, None)],
        ),
        ("achha to 1 Good Day butter wala 200g bhi rakh do", [("good day butter", 200, "g")]),
        ("2 अमूल मक्खन 100 ग्राम", [("अमूल मक्खन", 200, "g")]),
        ("2 maggi 1 kg atta", [("maggi", 2, None), ("atta", 1000, "g")]),  # two items
    ],
)
def test_a_count_then_the_size_of_each(parser: MessageParser, text: str, expected: list) -> None:
    assert read(parser, text) == expected


def test_greetings_and_asides_are_not_items(parser: MessageParser) -> None:
    assert read(parser, "hlo bhaiya 5 kg chakki atta chahiye") == [("chakki atta", 5000, "g")]
    assert read(parser, "2 किलो चीनी चाहीए") == [("चीनी", 2000, "g")]
