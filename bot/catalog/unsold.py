"""What shoppers ask a grocery shop for that it does not sell: meat and fish, tobacco, alcohol,
medicines, ice cream, phone recharges. Without this, the nearest words in the catalog answer — "1 kg chicken"
becomes Everest Chicken Masala, "आधा किलो मटन" offers Amul Butter, "gold flake" Tata Tea Gold
— where a shopkeeper would simply say "we don't sell chicken" and pack the rest of the list.

A term counts only for a shop whose catalog does not sell it by that name (a shop with a
`chicken` kind sells chicken), and a line that names a product the catalog has *with* the term
("everest meat masala", "chicken masala") is that product, not an unsold thing.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.catalog.index import CatalogIndex, IndexedVariant, keys

UNSOLD_TERMS: tuple[str, ...] = (
    # meat and fish
    "chicken",
    "murga",
    "murgi",
    "murgh",
    "mutton",
    "gosht",
    "meat",
    "fish",
    "machli",
    "machhli",
    "rohu",
    "surmai",
    "pomfret",
    "prawn",
    "prawns",
    "jhinga",
    "bangda",
    "चिकन",
    "मुर्गा",
    "मुर्गी",
    "मटन",
    "गोश्त",
    "मीट",
    "मछली",
    "झींगा",
    # tobacco
    "cigarette",
    "cigarettes",
    "cigrette",
    "sigret",
    "gold flake",
    "bidi",
    "beedi",
    "gutka",
    "gutkha",
    "tobacco",
    "tambaku",
    "khaini",
    "सिगरेट",
    "बीड़ी",
    "गुटखा",
    "तंबाकू",
    # alcohol
    "beer",
    "daru",
    "daaru",
    "sharab",
    "whisky",
    "whiskey",
    "vodka",
    "liquor",
    "alcohol",
    "बीयर",
    "बियर",
    "दारू",
    "शराब",
    # medicines
    "medicine",
    "medicines",
    "dawai",
    "dawa",
    "dawaai",
    "crocin",
    "dolo",
    "paracetamol",
    "calpol",
    "combiflam",
    "disprin",
    "दवा",
    "दवाई",
    "दवाइयां",
    "क्रोसिन",
    "डोलो",
    # frozen
    "ice cream",
    "icecream",
    "kulfi",
    "आइसक्रीम",
    "कुल्फी",
    # services
    "recharge",
    "रिचार्ज",
)


def _heads(iv: IndexedVariant) -> list[tuple[str, ...]]:
    return [iv.kind, *iv.heads]


class Unsold:
    """The unsold terms of one shop's catalog, by phonetic keys."""

    def __init__(self, index: CatalogIndex, terms: Iterable[str] = UNSOLD_TERMS) -> None:
        sold = {head for iv in index.variants for head in _heads(iv) if head}
        self._terms = {k for k in (keys(t) for t in terms) if k and k not in sold}
        self._by_sku = {p.sku: iv for iv in index.variants for p in iv.variant.packs}

    def names(self, item: str, sku: str | None = None) -> bool:
        """Whether `item` asks for something the shop does not sell: it holds an unsold term
        that the product it resolved to (`sku`), if any, does not name as what it is."""
        said = set(keys(item))
        hits = [term for term in self._terms if set(term) <= said]
        if not hits:
            return False
        iv = self._by_sku.get(sku) if sku else None
        if iv is None:
            return True
        named = [set(h) for h in _heads(iv) if h and set(h) <= said]
        return not any(set(term) & head for term in hits for head in named)
