"""Render a message key in a language, falling back to English for a missing translation."""

from __future__ import annotations

from typing import Any, Literal

from bot.i18n.messages import MESSAGES

Language = Literal["en", "hi", "hinglish"]
LANGUAGES: tuple[Language, ...] = ("en", "hi", "hinglish")


def reply_language(detected: str | None) -> Language:
    """A message's detected language to the language of the reply ("mixed" replies in Hindi
    when Devanagari was used, which is what mixed means here)."""
    if detected == "mixed":
        return "hi"
    return detected if detected in LANGUAGES else "en"


def t(key: str, language: str = "en", **params: Any) -> str:
    entry = MESSAGES[key]
    template = entry.get(language) or entry["en"]
    return template.format(**params) if params else template


_HINDI_UNITS = {"kg": "किलो", "g": "ग्राम", "L": "लीटर", "ml": "मि.ली.", "pc": "पीस"}


def pack_label(size: int, unit: str, language: str = "en") -> str:
    """ "1 kg", "500 ml", "12 pc"; in Hindi "1 किलो", "500 मि.ली.", "12 पीस"."""
    if unit == "g" and size >= 1000 and size % 100 == 0:
        amount, word = f"{size / 1000:g}", "kg"
    elif unit == "ml" and size >= 1000 and size % 100 == 0:
        amount, word = f"{size / 1000:g}", "L"
    else:
        amount, word = str(size), unit
    return f"{amount} {_HINDI_UNITS.get(word, word) if language == 'hi' else word}"
