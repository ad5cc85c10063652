"""Read a quantity expression ("2 kg", "dedh kilo", "ek darjan", "2 x 500 g") from tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.parsing.lexicon import (
    AMBIGUOUS_NUMBERS,
    ARTICLES,
    BHAR_WORDS,
    DOZEN_WORDS,
    FRACTION_WORDS,
    MODIFIERS,
    MULTIPLY_WORDS,
    NUMBER_WORDS,
    PAAV_WORDS,
    UNITS,
    Unit,
)

_NUMERIC = re.compile(r"^\d{1,6}(?:\.\d{1,3})?$")
_FRACTION = re.compile(r"^(\d{1,3})/(\d{1,3})$")
MAX_AMOUNT = 1_000_000


@dataclass(frozen=True, slots=True)
class Quantity:
    """`amount` of `unit`; `unit` None means a bare count ("2 maggi") read later per product."""

    amount: float
    unit: Unit | None
    # "2 packet of 500 g": 1 kg, said as packs of 500; a hint for the pack, not another amount
    pack: float | None = field(default=None, compare=False)


def number_value(token: str) -> float | None:
    if _NUMERIC.match(token):
        return float(token)
    m = _FRACTION.match(token)
    if m and int(m.group(2)):
        return int(m.group(1)) / int(m.group(2))
    return NUMBER_WORDS.get(token) if token in NUMBER_WORDS else FRACTION_WORDS.get(token)


def _is_unitish(token: str | None) -> bool:
    return token is not None and (
        token in UNITS or token in DOZEN_WORDS or token in PAAV_WORDS or token in MULTIPLY_WORDS
    )


def read_quantity(
    tokens: list[str], start: int, is_word: Callable[[int], bool]
) -> tuple[int, Quantity] | None:
    """Try to read a quantity at `start`; return (index after it, quantity) or None.

    `is_word(i)` tells whether token i is an item word: it disambiguates "do" (two vs. give)
    and "pav" (quarter kilo vs. bread roll).
    """
    n = len(tokens)
    i = start
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < n else None

    value: float | None = None
    if tok in MODIFIERS:
        base = number_value(nxt) if nxt is not None else None
        if base is not None and nxt not in FRACTION_WORDS:
            value, i = base + MODIFIERS[tok], i + 2
        elif _is_unitish(nxt):
            value, i = 1 + MODIFIERS[tok], i + 1
        else:
            return None
    elif tok in ARTICLES:
        if not _is_unitish(nxt):
            return None
        value, i = 1.0, i + 1
    elif tok in AMBIGUOUS_NUMBERS:
        if not (_is_unitish(nxt) or (nxt is not None and (is_word(i + 1) or nxt in MODIFIERS))):
            return None
        value, i = 2.0, i + 1
    else:
        value = number_value(tok)
        if value is not None:
            i += 1
            follow = number_value(tokens[i]) if i < n and _FRACTION.match(tokens[i]) else None
            if follow is not None and follow < 1:  # "1 1/2"
                value, i = value + follow, i + 1

    unit: Unit | None = None
    factor = 1
    if value is None:
        # A unit with no number: "kilo pyaz", "dozen eggs", "paav paneer", "packet maggi".
        if tok in DOZEN_WORDS:
            return i + 1, Quantity(12, "pc")
        if tok in PAAV_WORDS and nxt in BHAR_WORDS:  # "paav bhar": a quarter kilo
            return i + 2, Quantity(250, "g")
        if tok in PAAV_WORDS and nxt is not None and (is_word(i + 1) or nxt in UNITS):
            j = i + 2 if nxt in UNITS and UNITS[nxt][0] == "g" else i + 1
            return j, Quantity(250, "g")
        if tok in UNITS and UNITS[tok][0] != "pack" and nxt is not None and is_word(i + 1):
            u, f = UNITS[tok]
            return i + 1, Quantity(f, u)
        return None

    after = tokens[i] if i < n else None
    if after in DOZEN_WORDS:
        return i + 1, Quantity(_clip(value * 12), "pc")
    if after in PAAV_WORDS and i + 1 < n and (is_word(i + 1) or tokens[i + 1] in UNITS):
        j = i + 2 if i + 1 < n and tokens[i + 1] in UNITS else i + 1
        return j, Quantity(_clip(value * 250), "g")
    if after is not None and after in UNITS:
        unit, factor = UNITS[after]
        i += 1
    elif after in MULTIPLY_WORDS:
        i += 1
        unit = "pack"

    # "2 packet 500 g", "2 x 500 g": a count of packs of a measure is the total measure.
    if unit in ("pack", "pc", None) and i < n:
        inner = read_quantity(tokens, i, is_word) if number_value(tokens[i]) is not None else None
        if inner is not None and inner[1].unit in ("g", "ml"):
            end, q = inner
            return end, Quantity(_clip(value * q.amount), q.unit, q.amount)
    return i, Quantity(_clip(value * factor), unit)


def _clip(amount: float) -> float:
    return min(round(amount, 3), MAX_AMOUNT)
