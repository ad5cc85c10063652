"""The conversation test set (data/eval/conversations): readable, covering every class in every
language, never trained on; and the judge that scores it."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.evaluation.conversations import (
    Expect,
    HeldLine,
    LineSpec,
    Snapshot,
    cart_holds,
    judge_turn,
    load,
    reply_language,
    shopper_messages,
)
from bot.evaluation.messages import comparable, read_nlu
from bot.settings import PROJECT_ROOT
from cli.engine import TRAINING_DATA

FOLDER = PROJECT_ROOT / "data" / "eval" / "conversations"
CLASSES = {
    "language",
    "defaults",
    "corrections",
    "confirm",
    "unsold",
    "faq",
    "price",
    "absurd",
    "lines",
    "verbs",
    "hindi",
    "lists",
    "contradictions",
    "usual",
    "checkout",
    "after",
}


def text(body: str) -> dict[str, object]:
    return {"type": "text", "text": {"body": body}}


def test_the_set_covers_every_class_in_every_language() -> None:
    conversations = load(FOLDER)
    assert len(conversations) >= 120
    per_group = Counter(c.group for c in conversations)
    assert all(per_group[g] >= 28 for g in ("en", "hinglish", "hi", "mixed")), per_group
    for group in ("en", "hinglish", "hi"):
        covered = {k for c in conversations if c.group == group for k in c.classes}
        assert covered >= CLASSES, (group, CLASSES - covered)


def test_no_shopper_sentence_is_trained_on() -> None:
    trained_on = {
        comparable(m.text)
        for entry in TRAINING_DATA
        if (PROJECT_ROOT / entry).exists()
        for m in read_nlu(PROJECT_ROOT / entry)
    }
    said = shopper_messages(load(FOLDER))
    # "checkout", "cart dikhao", "हाँ जी": the few words every shopper uses may coincide
    assert [m for m in said if len(m.split()) > 3 and comparable(m) in trained_on] == []


@pytest.mark.parametrize(
    ("reply", "language"),
    [
        ("Added to your cart:\n• Aashirvaad Atta 5 kg — ₹250", "en"),
        ("Cart mein daal diya:\n• Aashirvaad Atta 5 kg — ₹250", "hinglish"),
        ("आपके कार्ट में जोड़ दिया:\n• Aashirvaad Atta 5 kg", "hi"),
        ("Haan, aap delivery par cash ya UPI se pay kar sakte ho.", "hinglish"),
        ("We deliver to Andheri East and West.", "en"),
        ("₹250", None),
        ("Amul Gold 1 l", None),
    ],
)
def test_the_language_of_a_reply(reply: str, language: str | None) -> None:
    assert reply_language(reply) == language


def test_amounts_are_totals_within_the_tolerance() -> None:
    atta = HeldLine("STP-0001", "atta", 5000, "g", 1)
    eggs = HeldLine("DRY-0100", "eggs", 6, "pc", 2)
    assert cart_holds([LineSpec.of({"kind": "atta", "amount": "5 kg"})], [atta, eggs])
    assert cart_holds([LineSpec.of({"kind": "eggs", "amount": "1 dozen"})], [atta, eggs])
    assert not cart_holds([LineSpec.of({"kind": "atta", "amount": "2 kg"})], [atta])
    assert cart_holds([LineSpec.of({"kind": "eggs", "packs": 2})], [eggs])
    assert not cart_holds([LineSpec.of({"kind": "milk"})], [atta, eggs])
    with pytest.raises(ValueError, match="unreadable amount"):
        LineSpec.of({"kind": "atta", "amount": "a lot"})


def test_a_turn_is_judged_on_every_expectation() -> None:
    after = Snapshot((HeldLine("STP-0001", "atta", 2000, "g", 1),), None, None, ())
    expect = Expect.of(
        {
            "cart": [{"kind": "atta", "amount": "2 kg"}],
            "not_in_cart": ["cinnamon"],
            "reply": "(?i)atta",
            "no_reply": "(?i)did you mean",
            "order": "none",
        }
    )
    assert judge_turn(expect, ("en",), [text("Added to your cart: Atta 2 kg")], after) == []
    wrong = judge_turn(expect, ("hi",), [text("Did you mean: Atta?")], after)
    assert any("did you mean" in p for p in wrong)
    assert any("reply in en" in p for p in wrong)
    assert judge_turn(Expect(), ("en",), [], after) == ["no reply"]
