"""Text normalisation across scripts: Unicode, digits, transliteration, language detection."""

from bot.text.language import detect_language
from bot.text.normalize import normalize
from bot.text.phonetic import phonetic_key, romanize

__all__ = ["detect_language", "normalize", "phonetic_key", "romanize"]
