"""Things the shop does not sell are said so plainly, never matched to the nearest words
("1 kg chicken" is not Chicken Masala, "मटन" not Amul Butter, "gold flake" not Tata Tea Gold),
and the rest of the message still resolves."""

from __future__ import annotations

import pytest

from bot.engine import ItemEngine


@pytest.mark.parametrize(
    ("text", "unsold", "sold_kind"),
    [
        ("1 kg chicken, 1 kg onion", "chicken", "onion"),
        ("half kg mutton and 100g garam masala", "mutton", "garam masala"),
        ("1 pack gold flake cigarettes and 2 maggi", "gold flake", "noodles"),
        ("aadha kilo mutton aur 1 kilo pyaz", "mutton", "onion"),
        ("ek patta dolo 650 aur 2 maggi", "dolo", "noodles"),
        ("2 thandi beer aur 1 kg cheeni", "beer", "sugar"),
        ("आधा किलो मटन और 1 kg प्याज़", "मटन", "onion"),
        ("2 किलो चिकन और 1 दर्जन अंडे", "चिकन", "eggs"),
        ("बुखार की दवाई और 1 किलो आलू", "दवाई", "potato"),
    ],
)
def test_an_unsold_thing_is_unmatched_with_no_suggestions(
    engine: ItemEngine, text: str, unsold: str, sold_kind: str
) -> None:
    lines = engine.parse(text).lines
    [gone] = [ln for ln in lines if unsold in (ln.line.item or ln.line.text)]
    assert gone.unsold and gone.resolution.status == "unmatched"
    assert gone.resolution.product is None and gone.resolution.alternatives == ()
    kinds = [ln.resolution.product.kind for ln in lines if ln.resolution.product]
    assert sold_kind in kinds


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1 pkt everest meat masala", "meat masala"),
        ("chicken masala 100 g", "chicken masala"),
        ("एवरेस्ट मीट मसाला", "meat masala"),
    ],
)
def test_a_product_named_with_the_word_is_that_product(
    engine: ItemEngine, text: str, kind: str
) -> None:
    [line] = engine.parse(text).lines
    assert not line.unsold
    assert line.resolution.product is not None and line.resolution.product.kind == kind
