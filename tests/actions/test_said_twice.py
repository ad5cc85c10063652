"""One product said twice in a message is one line: the later words say which ("तेल भी, same
Dhara 1 litre"; "1 kilo doodh, amul gold wala"), never two of it."""

from __future__ import annotations

import pytest

from actions.cart import ActionAddItems
from tests.actions.conftest import make_tracker, run
from tests.actions.test_cart_actions import cart_lines


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "milk also, amul gold 1 litre", {"DRY-0004": 1}),
        ("hinglish", "1 litre doodh, amul gold wala chalega", {"DRY-0004": 1}),
        ("hi", "दूध भी, अमूल गोल्ड 1 लीटर", {"DRY-0004": 1}),
    ],
)
def test_the_second_mention_says_which(language: str, text: str, expected: dict) -> None:
    run(ActionAddItems(), make_tracker(text, "add_items", slots={"language": language}))
    assert cart_lines() == expected


def test_two_amounts_are_two_lines() -> None:
    run(ActionAddItems(), make_tracker("amul taaza milk 1 l, amul gold milk 1 l", "add_items"))
    assert cart_lines() == {"DRY-0002": 1, "DRY-0004": 1}
