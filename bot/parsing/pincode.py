"""Indian PIN codes in what shoppers type: "400069", "400 069", "४०००६९"."""

from __future__ import annotations

import re

from bot.text.normalize import normalize

PINCODE = re.compile(r"(?<!\d)([1-9]\d{2})\s?(\d{3})(?!\d)")


def find_pincode(text: str) -> str | None:
    """The first PIN code in the text, as six digits (normalising turns Devanagari digits into
    ASCII ones first)."""
    m = PINCODE.search(normalize(text))
    return m.group(1) + m.group(2) if m else None


def pincodes(text: str) -> list[str]:
    """Every PIN code in a merchant's list ("400069, 400093 400059")."""
    return [a + b for a, b in PINCODE.findall(normalize(text))]
