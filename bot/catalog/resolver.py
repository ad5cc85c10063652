"""Resolve an item text ("amul milk", "आटा", "tamatr") to a product variant and its packs.

A variant's score blends how much of the query it explains (coverage), how much of its own
name the query names, and whether the query names what the product *is* (its kind or an
alias). The last one keeps "atta" on wheat flour rather than on "Maggi Atta Noodles": when
some variant's head matches the query, variants matched only through a modifier are pushed down.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.catalog.index import CatalogIndex, IndexedVariant, keys
from bot.catalog.model import CatalogProduct
from bot.catalog.packs import choose_packs, default_pack, target_in_pack_units

Status = Literal["matched", "ambiguous", "unmatched"]
W_COVERAGE, W_NAME, W_HEAD = 0.72, 0.08, 0.2
ALIAS_HEAD = 0.9  # naming a product by an alias is a little less certain than by its kind
# Matched only through a modifier: "chicken" in chicken masala, "tomato" in tomato soup.
MODIFIER_PENALTY = 0.3
EXPLAINED = 0.9
ALTERNATIVE_SPAN = 0.1  # choices offered must be nearly as good as the pick
MAX_ALTERNATIVES = 5
PRODUCE = ("fruit", "vegetable")


@dataclass(frozen=True, slots=True)
class Scored:
    variant: IndexedVariant
    score: float
    coverage: float
    head: float


@dataclass(frozen=True, slots=True)
class Resolution:
    status: Status
    confidence: float
    product: CatalogProduct | None = None
    packs: tuple[tuple[CatalogProduct, int], ...] = ()
    alternatives: tuple[CatalogProduct, ...] = field(default=())
    unit: str | None = None  # the unit a bare count turned out to mean (pc or pack)


class Resolver:
    def __init__(self, index: CatalogIndex, threshold: float = 0.62, margin: float = 0.04):
        self.index = index
        self.threshold = threshold
        self.margin = margin

    def rank(self, item: str) -> list[Scored]:
        qkeys = keys(item)
        if not qkeys:
            return []
        idx = self.index
        matches = [idx.match_token(k) for k in qkeys]
        weights = [max((idx.idf[t] for t in m), default=idx.max_idf) for m in matches]
        total_w = sum(weights)
        scored: list[Scored] = []
        for vi in idx.candidates(matches):
            iv = idx.variants[vi]
            # A brand named in part ("dairy" of Mother Dairy) explains the word only in part.
            brand = max((_precision(b, matches, idx.idf) for b in iv.brands), default=0.0)
            brand_weight = brand if iv.brand_only else 1.0
            cov = sum(
                w * max((s * iv.tokens[t] * (brand_weight if t in iv.brand_only else 1.0)
                         for t, s in m.items() if t in iv.tokens), default=0.0)
                for m, w in zip(matches, weights)
            ) / total_w
            name = max(_precision(n, matches, idx.idf) for n in iv.names)
            alias = max((_precision(h, matches, idx.idf) for h in iv.heads), default=0.0)
            # The query is just the brand ("maggi", "dalda"): the brand's own product line.
            branded = brand >= 0.99 and all(any(t in iv.brand_only for t in m) for m in matches)
            head = max(_precision(iv.kind, matches, idx.idf), (alias or branded) * ALIAS_HEAD)
            score = W_COVERAGE * cov + W_NAME * name + W_HEAD * head
            if _only_modifiers(iv, matches):
                score -= MODIFIER_PENALTY
            scored.append(Scored(iv, score, cov, head))
        scored.sort(key=lambda s: (-round(s.score, 3), not s.variant.variant.in_stock,
                                   s.variant.variant.position))
        return scored

    def explains(self, item: str) -> bool:
        """Whether one product accounts for every word of `item`."""
        ranked = self.rank(item)
        return bool(ranked) and ranked[0].score >= self.threshold and ranked[0].coverage >= EXPLAINED

    def resolve(self, item: str, amount: float | None = None, unit: str | None = None) -> Resolution:
        ranked = self.rank(item)
        if not ranked or ranked[0].score < self.threshold:
            suggestions = tuple(default_pack(s.variant.variant.packs) for s in ranked[:MAX_ALTERNATIVES]
                                if s.score >= self.threshold / 2)
            return Resolution("unmatched", round(ranked[0].score, 3) if ranked else 0.0,
                              alternatives=suggestions)
        close = [s for s in ranked if ranked[0].score - s.score <= self.margin]
        if len(close) > 1:
            # Near-ties: the shopkeeper's pick is the usual product that fits the asked amount.
            ranked = sorted(close, key=lambda s: self._fit(s, amount, unit)) + ranked[len(close):]
        top = ranked[0]
        chosen = top.variant.variant
        unit = self._bare_unit(chosen.first, amount, unit)
        packs = choose_packs(chosen.packs, amount, unit)
        floor = max(self.threshold, max(s.score for s in ranked) - ALTERNATIVE_SPAN)
        alternatives = tuple(
            default_pack(s.variant.variant.packs) for s in ranked[1 : 1 + MAX_ALTERNATIVES]
            if s.score >= floor
        )
        return Resolution(
            "ambiguous" if len(close) > 1 else "matched",
            round(min(1.0, top.score), 3),
            product=packs[0][0],
            packs=tuple(packs),
            alternatives=alternatives,
            unit=unit,
        )


    def _fit(self, s: Scored, amount: float | None, unit: str | None) -> tuple:
        v = s.variant.variant
        fit: tuple = (0.0, 0)
        if amount is not None:
            u = self._bare_unit(v.first, amount, unit)
            packs = choose_packs(v.packs, amount, u)
            target = target_in_pack_units(amount, u or "pack", v.first) if u != "pack" else None
            total = sum(p.pack_size * c for p, c in packs)
            miss = abs(total - target) / target if target else 0.0
            fit = (round(miss, 2), sum(c for _, c in packs))
        return (*fit, not v.in_stock, v.position)

    @staticmethod
    def _bare_unit(p: CatalogProduct, amount: float | None, unit: str | None) -> str | None:
        """A bare count means pieces for eggs and produce, packs for everything else."""
        if unit is None and amount is not None:
            return "pc" if p.pack_unit == "pc" or _is_produce(p) else "pack"
        return unit


def _only_modifiers(iv: IndexedVariant, matches: list[dict[str, float]]) -> bool:
    """Whether the query's non-brand words all land on words that only qualify this product."""
    content = []
    for m in matches:
        hits = [(s * iv.tokens[t], t) for t, s in m.items() if t in iv.tokens]
        if hits:
            t = max(hits)[1]
            if t not in iv.brand_tokens:
                content.append(t)
    return bool(content) and all(t in iv.modifiers for t in content)


def _precision(surface: tuple[str, ...], matches: list[dict[str, float]], idf: dict[str, float]) -> float:
    if not surface:
        return 0.0
    got = total = 0.0
    for t in surface:
        w = idf.get(t, 1.0)
        total += w
        got += w * max((m.get(t, 0.0) for m in matches), default=0.0)
    return got / total


def _is_produce(p: CatalogProduct) -> bool:
    return any(word in p.category for word in PRODUCE)
