"""Pick the packs that fulfil an asked quantity the way a shopkeeper would.

Closest total first, then fewest packs, then lowest price: "2 kg atta" is one 2 kg pack when
there is one, else two 1 kg packs; "500 g paneer" with only 200 g packs is two of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from bot.catalog.model import CatalogProduct

MAX_PACKS = 24
# Rough weights of produce people count in pieces ("4 apples") but shops sell by weight.
PIECE_GRAMS = {
    "apple": 180,
    "banana": 120,
    "orange": 200,
    "mosambi": 200,
    "mango": 300,
    "guava": 150,
    "pomegranate": 250,
    "pear": 180,
    "kiwi": 80,
    "chikoo": 80,
    "papaya": 1000,
    "coconut": 500,
    "watermelon": 3000,
    "pineapple": 1200,
    "onion": 120,
    "potato": 150,
    "tomato": 90,
    "lemon": 50,
    "cucumber": 200,
    "carrot": 100,
    "capsicum": 120,
    "brinjal": 250,
    "cauliflower": 600,
    "cabbage": 800,
    "beetroot": 150,
    "radish": 250,
    "sweet potato": 200,
    "bottle gourd": 700,
    "pumpkin": 1500,
    "ginger": 50,
    "garlic": 40,
}
DEFAULT_PIECE_GRAMS = 200


def default_pack(packs: Sequence[CatalogProduct]) -> CatalogProduct:
    """The shelf's usual pack: first listed among those in stock."""
    pool = [p for p in packs if p.in_stock] or list(packs)
    return min(pool, key=lambda p: p.position)


def target_in_pack_units(amount: float, unit: str, pack: CatalogProduct) -> float | None:
    """The asked amount in the pack's own unit, or None when the two cannot be compared."""
    if unit == pack.pack_unit:
        return amount
    if {unit, pack.pack_unit} == {"g", "ml"}:
        return amount  # oils, ghee, curd are sold either way; density ≈ 1 is what shops use
    if unit == "pc" and pack.pack_unit == "g":
        return amount * PIECE_GRAMS.get(pack.kind, DEFAULT_PIECE_GRAMS)
    return None


def choose_packs(
    packs: Sequence[CatalogProduct], amount: float | None, unit: str | None
) -> list[tuple[CatalogProduct, int]]:
    pool = [p for p in packs if p.in_stock] or list(packs)
    if amount is None or unit is None:
        return [(default_pack(pool), 1)]
    units = {p.pack_unit for p in pool}
    if unit == "pack" or (unit == "pc" and "pc" in units and len(units) > 1):
        # "2 lifebuoy": sold as a bar and as a 4-bar pack, two pieces are two bars
        return [(default_pack(pool), max(1, min(MAX_PACKS * 4, round(amount))))]
    if unit in units:
        pool = [p for p in pool if p.pack_unit == unit]  # never a 4-piece pack for 500 g
    target = target_in_pack_units(amount, unit, pool[0])
    if target is None or target <= 0:
        return [(default_pack(pool), 1)]
    return _closest_combination(pool, target)


def _closest_combination(
    pool: Sequence[CatalogProduct], target: float
) -> list[tuple[CatalogProduct, int]]:
    sizes = sorted({p.pack_size for p in pool})
    by_size = {
        s: min((p for p in pool if p.pack_size == s), key=lambda p: (p.price_paise, p.position))
        for s in sizes
    }
    best: tuple[tuple[bool, float, int, int], dict[int, int]] | None = None

    def consider(counts: dict[int, int]) -> None:
        nonlocal best
        total = sum(s * c for s, c in counts.items())
        packs = sum(counts.values())
        if packs == 0:
            return
        price = sum(by_size[s].price_paise * c for s, c in counts.items())
        key = (packs > MAX_PACKS, round(abs(total - target) / target, 3), packs, price)
        if best is None or key < best[0]:
            best = (key, dict(counts))

    # Largest pack first, then fill the remainder with up to two smaller sizes: covers what a
    # shop would do without a full knapsack search.
    for big in reversed(sizes):
        smaller = [s for s in sizes if s < big]
        for n_big in {int(target // big), int(target // big) + 1}:
            if n_big < 0:
                continue
            rest = target - n_big * big
            consider({big: n_big})
            for j, mid in enumerate(reversed(smaller)):
                if rest <= 0:
                    break
                for n_mid in {int(rest // mid), int(rest // mid) + 1}:
                    consider({big: n_big, mid: n_mid})
                    rest2 = rest - n_mid * mid
                    for small in smaller[: len(smaller) - j - 1][-1:]:
                        if rest2 > 0:
                            consider({big: n_big, mid: n_mid, small: int(-(-rest2 // small))})
    assert best is not None
    counts = {s: c for s, c in best[1].items() if c > 0}
    return [(by_size[s], int(c)) for s, c in sorted(counts.items(), reverse=True)]


def sized_packs(
    packs: Sequence[CatalogProduct],
    chosen: list[tuple[CatalogProduct, int]],
    amount: float | None,
    unit: str | None,
    size: Literal["small", "big"] | None = None,
    pack_size: float | None = None,
) -> list[tuple[CatalogProduct, int]]:
    """The packs the shopper named by size: "2 packet of 500 g" is two 500 g packs even where
    a 1 kg pack exists; "chhoti wali maggi 4" four of the smallest, "1 bada surf" the largest.
    Without such words, or when no pack fits them, `chosen` stands."""
    pool = [p for p in packs if p.in_stock] or list(packs)
    if pack_size and amount and unit in ("g", "ml"):
        exact = [p for p in pool if target_in_pack_units(pack_size, unit, p) == p.pack_size]
        if exact:
            return [(min(exact, key=lambda p: p.price_paise), max(1, round(amount / pack_size)))]
    if size is None or len({p.pack_size for p in pool}) < 2:
        return chosen
    if unit not in (None, "pack"):
        return chosen  # "1 kg" says the amount already
    count = max(1, round(amount)) if amount else 1
    pick = min(pool, key=lambda p: p.pack_size if size == "small" else -p.pack_size)
    return [(pick, count)]
