"""What a correction keeps: the words it does not take back."""

from __future__ import annotations

import pytest

from bot.parsing.correction import corrected, taken_back


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("12 nahi 6 ande", "6 ande"),
        ("देसी टमाटर 1 किलो चाहिए हाइब्रिड नहीं", "देसी टमाटर 1 किलो चाहिए"),
        ("tamatar desi wala chahiye hybrid nahi", "tamatar desi wala chahiye"),
        ("full cream milk, toned nahi", "full cream milk"),
        ("12 नहीं 6 अंडे", "6 अंडे"),
        ("i said 5 not 50", "5"),
        ("no, I meant toned milk", "toned milk"),
        ("sorry i meant 2 kg", "2 kg"),
        ("galat hai, amul wala", "amul wala"),
        ("मेरा मतलब 2 किलो था", "2 किलो"),
        ("5 nahi 3 packet", "3 packet"),
        ("oh sorry i meant 5 kg", "5 kg"),
        ("sorry not 12, only 6 eggs", "6 eggs"),
        ("12 नही 6 अंडे भैया गलती से लिखा", "6 अंडे"),
        ("अरे नहीं 100 ग्राम, किलो गलती से लिख दिया", "100 ग्राम"),
        ("galti se 10 likh diya, 1 karo", "1 karo"),
        ("nahi yaar toned nahi, full cream wala", "full cream wala"),
        ("no no i meant toned milk, not full cream", "toned milk"),
        ("इस बार टोंड वाला दूध, फुल क्रीम नहीं", "टोंड वाला दूध"),
    ],
)
def test_a_correction_keeps_what_was_meant(text: str, meant: str) -> None:
    assert corrected(text) == meant


@pytest.mark.parametrize(
    ("text", "withdrawn"),
    [
        ("toor nahi moong dal chahiye thi", ["toor"]),
        ("तूर नहीं मूंग दाल चाहिए थी", ["तूर"]),
        ("masoor chahiye thi moong dal nahi", ["moong dal"]),
        ("toned wala, full cream nahi", ["full cream"]),
        ("i said 5 not 50", ["50"]),
        ("12 nahi 6 ande", ["12"]),
        ("no, I meant toned milk", []),
    ],
)
def test_what_a_correction_takes_back_names_the_line_it_changes(
    text: str, withdrawn: list[str]
) -> None:
    assert taken_back(text) == withdrawn
