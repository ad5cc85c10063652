"""The one form review items, training examples and exported NLU data are compared in."""

from __future__ import annotations

import hashlib

from bot.text.normalize import normalize


def normalized_text(text: str) -> str:
    """ "Do  KILO aata!!" and "do kilo aata !!" are one query: the parser's normal form on one line."""
    return " ".join(normalize(text).split())


def digest(normalized: str) -> str:
    """A fixed-size key for a normalised text (unique indexes cannot hold long texts)."""
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()
