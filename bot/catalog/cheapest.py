""" "Which is the cheapest?", "1 litre wala sabse sasta kaunsa hai", "सबसे सस्ता आटा कौन सा है": a
question about price, never an order for a product called "sasta". A shopkeeper answers it
with the one pack: the cheapest of that kind in the asked size, else the cheapest by weight.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.catalog.model import CatalogProduct
from bot.catalog.packs import target_in_pack_units
from bot.text.normalize import normalize

CHEAP_WORDS = frozenset(
    ["cheapest", "cheaper", "sasta", "sasti", "saste", "sastha", "सस्ता", "सस्ती", "सस्ते"]
)
# Words that only say "most" or "which": dropped with the cheap word, the rest names the item.
_WITH = frozenset(["sabse", "sbse", "सबसे", "most", "lowest", "least", "the", "price", "one"])
_ASKING = frozenset(
    ["which", "what", "kaun", "kaunsa", "konsa", "kon", "kaunsi", "konsi", "कौन", "कौनसा", "कौनसी"]
)

_FILLER = frozenset(
    ["is", "are", "hai", "hain", "h", "he", "है", "हैं", "sa", "si", "se", "सा", "सी", "se", "से"]
)


def cheapest_question(text: str) -> str | None:
    """The message without its cheapest-words when it asks for the cheapest, else None."""
    words = normalize(text).split()
    if not any(w in CHEAP_WORDS for w in words):
        return None
    if not (text.rstrip().endswith("?") or any(w in _ASKING for w in words)):
        return None
    drop = CHEAP_WORDS | _WITH | _ASKING | _FILLER
    return " ".join(w for w in words if w not in drop and w not in "?.,!")


def cheapest(
    packs: Sequence[CatalogProduct], amount: float | None = None, unit: str | None = None
) -> CatalogProduct | None:
    """The cheapest pack of `packs` that is the asked size, else the cheapest by weight or
    volume; in stock first."""
    pool = [p for p in packs if p.in_stock] or list(packs)
    if amount and unit:
        sized = [p for p in pool if target_in_pack_units(amount, unit, p) == p.pack_size]
        if sized:
            return min(sized, key=lambda p: (p.price_paise, p.position))
    if not pool:
        return None
    return min(pool, key=lambda p: (p.price_paise / max(p.pack_size, 1), p.price_paise))
