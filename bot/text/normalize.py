"""Bring a raw chat message to one canonical surface before tokenising.

Shoppers mix scripts, digit systems, fraction glyphs and SMS shorthand; everything downstream
(tokeniser, quantity reader, resolver) is simpler when it sees one form only.
"""

from __future__ import annotations

import re
import unicodedata

_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_FRACTION_GLYPHS = {"½": " 1/2 ", "¼": " 1/4 ", "¾": " 3/4 ", "⅓": " 1/3 ", "⅔": " 2/3 "}
_FRACTION_RE = re.compile("|".join(map(re.escape, _FRACTION_GLYPHS)))
_NUKTA = "\u093c"
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
# "2kg" -> "2 kg", "kg2" -> "kg 2", but keep "1/2", "1.5", "x2" readable for the quantity reader.
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_PUNCT_SPLIT = re.compile(r"([,;+&|!?()\[\]{}\"“”।॥:*#~₹])")
_DOT_NOT_DECIMAL = re.compile(r"(?<!\d)\.|\.(?!\d)")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_REPEATED = re.compile(r"([^\W\d_])\1{2,}")  # "milkkkk" -> "milk" ... keeps real doubles


def normalize(text: str) -> str:
    """Canonical lower-case text with spaced punctuation; newlines are kept (they split lines)."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text).replace(_NUKTA, "")
    text = text.translate(_DEVANAGARI_DIGITS)
    text = _FRACTION_RE.sub(lambda m: _FRACTION_GLYPHS[m.group(0)], text)
    text = text.casefold()
    text = _REPEATED.sub(r"\1\1", text)
    text = _DIGIT_LETTER.sub(" ", text)
    text = _PUNCT_SPLIT.sub(r" \1 ", text)
    text = _DOT_NOT_DECIMAL.sub(" . ", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
