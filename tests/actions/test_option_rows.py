"""Options the shopper can tell apart: a WhatsApp list row shows 24 characters, so each option's
title leads with what sets it apart from the others (Slices, Cubes, Mozzarella), in English,
Hinglish and Hindi alike."""

from __future__ import annotations

import pytest

from actions.cart import ActionAddItems
from tests.actions.conftest import make_tracker, run

ROW_TITLE = 24


@pytest.mark.parametrize(
    ("language", "text", "apart"),
    [
        ("en", "amul cheese 200 g", ("slices", "cubes", "mozzarella", "spread")),
        ("hinglish", "amul cheese 200 gm dena", ("slices", "cubes", "mozzarella", "spread")),
        ("hi", "अमूल चीज़ 200 ग्राम", ("स्लाइस", "क्यूब", "मोज़", "स्प्रेड")),
    ],
)
def test_rows_differ_within_what_a_row_shows(language: str, text: str, apart: tuple) -> None:
    result = run(ActionAddItems(), make_tracker(text, "add_items", slots={"language": language}))
    titles = [b["title"] for b in result.buttons if "choose_option" in b["payload"]]
    assert len(titles) >= 2
    shown = [t[:ROW_TITLE] for t in titles]
    assert len(set(shown)) == len(shown)
    for title in shown:
        assert any(word in title.casefold() for word in apart), title
