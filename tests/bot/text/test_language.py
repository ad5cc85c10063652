from __future__ import annotations

import pytest

from bot.text.language import Language, conversation_language, detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("tum kaun ho", "hinglish"),
        ("mera order kahan gaya", "hinglish"),
        ("who are you", "en"),
        ("haan", "hinglish"),
    ],
)
def test_romanised_hindi_words_are_hinglish(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text", ["haan", "haan ji", "theek hai", "ok bhai", "nahi", "haan please place it"]
)
@pytest.mark.parametrize("current", ["en", "hi", "hinglish"])
def test_neutral_words_keep_the_conversation_language(text: str, current: Language) -> None:
    assert conversation_language(text, current) == current


@pytest.mark.parametrize(
    ("text", "current", "language"),
    [
        ("haan doodh bhej do", "en", "hinglish"),
        ("mera cart dikhao", "en", "hinglish"),
        ("हाँ", "en", "hi"),
        ("हाँ bhej do", "en", "mixed"),
        ("please show my cart now", "hinglish", "en"),
        ("ok", "hi", "hi"),
        ("2 milk", "hinglish", "hinglish"),
    ],
)
def test_a_message_that_tells_switches(text: str, current: Language, language: Language) -> None:
    assert conversation_language(text, current) == language
