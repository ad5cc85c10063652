"""Whether to ask "which one?" at all. A shopkeeper asked for "2 kg atta" hands over the usual
atta, or the one this customer always takes, and says which; they ask only when the options
really differ: different kinds of thing, prices far apart, or no pack that makes the amount.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.catalog.index import keys
from bot.catalog.model import CatalogProduct

PACK_MISS = 0.25  # the picked packs may miss the asked amount by this much
# The usual pick costing this many times the cheapest option (per g, ml or piece): a
# shopkeeper asks before handing over the premium grade ("india gate basmati": ₹219 or ₹89?).
PREMIUM_PICK = 2.0


@dataclass(frozen=True, slots=True)
class Decision:
    """`pick` goes in the cart now (None: ask); `others` are offered as a one-tap change."""

    pick: CatalogProduct | None
    others: tuple[CatalogProduct, ...]
    # why: usual | bought_before | kinds_differ | prices_differ | premium_pick | pack_misses
    reason: str


def _unit_price(p: CatalogProduct) -> float:
    return p.price_paise / max(p.pack_size, 1)


def _brand_keys(product: CatalogProduct) -> set[str]:
    return set(keys(product.brand)) if product.brand else set()


def names_only_brand(item: str, product: CatalogProduct) -> bool:
    """ "2 packet Maggi", "ek Colgate": the brand alone means its usual product."""
    asked = set(keys(item))
    return bool(asked) and asked <= _brand_keys(product)


def names_kind(item: str, product: CatalogProduct, others: Sequence[CatalogProduct] = ()) -> bool:
    """Whether the shopper's words are just the product's kind ("atta", "aata", "doodh" for
    milk): then other kinds among the options ("multigrain atta") were not what they asked. A
    word the other kinds answer to as well ("oil" for mustard and sunflower oil) is no kind."""
    brand = _brand_keys(product)
    asked = tuple(k for k in keys(item) if k not in brand)  # "tata namak": the kind is namak
    if not asked:
        return False
    if asked == keys(product.kind):
        return True
    shared = {keys(a) for p in others if p.kind != product.kind for a in (p.kind, *p.aliases)}
    return any(asked == keys(a) for a in product.aliases) and asked not in shared


def decide(
    options: Sequence[CatalogProduct],
    *,
    item: str = "",
    bought_before: Collection[str] = (),
    variant_of: dict[str, str] | None = None,
    price_spread: float = 2.5,
    packs_miss: float | None = None,
    specified: bool = False,
) -> Decision:
    """`options` in the resolver's order (the shop's usual first); `bought_before`, the SKUs
    this shopper ordered, newest first; `variant_of` maps a SKU to its variant so that another
    pack size of the same product counts as bought; `packs_miss`, how far the usual pick's
    packs miss the asked amount (relative); `specified`, whether the shopper said an amount or
    a size ("1 kg Surf Excel", "bada surf": the brand's usual powder, not its liquid)."""
    if not options:
        return Decision(None, (), "usual")
    variants = variant_of or {}
    if item and names_kind(item, options[0], options[1:]):
        options = [p for p in options if p.kind == options[0].kind]
    if len(options) < 2:
        return Decision(options[0], (), "usual")
    bought_variants = [variants.get(sku, sku) for sku in bought_before]
    for wanted in bought_variants:
        for p in options:
            if variants.get(p.sku, p.sku) == wanted:
                return Decision(p, tuple(o for o in options if o is not p), "bought_before")
    kinds = {p.kind.casefold() for p in options if p.kind}
    # "2 packet Maggi" is its usual noodles; "need surf excel" alone, powder, liquid or bar?
    if item and names_only_brand(item, options[0]) and (specified or len(kinds) < 2):
        return Decision(options[0], tuple(options[1:]), "usual")
    if len(kinds) > 1:
        return Decision(None, tuple(options), "kinds_differ")
    units = {p.pack_unit for p in options}
    prices = [_unit_price(p) for p in options]
    if len(units) == 1 and min(prices) > 0 and max(prices) / min(prices) > price_spread:
        return Decision(None, tuple(options), "prices_differ")
    alike = [_unit_price(p) for p in options if p.pack_unit == options[0].pack_unit]
    if min(alike) > 0 and _unit_price(options[0]) / min(alike) > PREMIUM_PICK:
        return Decision(None, tuple(options), "premium_pick")
    if packs_miss is not None and packs_miss > PACK_MISS:
        return Decision(None, tuple(options), "pack_misses")
    return Decision(options[0], tuple(options[1:]), "usual")
