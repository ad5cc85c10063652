"""Resolve an item text ("amul milk", "आटा", "tamatr") to a product variant and its packs.

A variant's score blends how much of the query it explains (coverage), how much of its own
name the query names, and whether the query names what the product *is* (its kind or an
alias). The last one keeps "atta" on wheat flour rather than on "Maggi Atta Noodles": when
some variant's head matches the query, variants matched only through a modifier are pushed down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.catalog.index import (
    HEAD,
    KIND,
    NAME,
    CatalogIndex,
    IndexedVariant,
    PackFit,
    TieBreak,
    keys,
)
from bot.catalog.model import CatalogProduct
from bot.catalog.packs import choose_packs, default_pack, sized_packs, target_in_pack_units

Status = Literal["matched", "ambiguous", "unmatched"]
W_COVERAGE, W_NAME, W_HEAD = 0.72, 0.08, 0.2
ALIAS_HEAD = 0.9  # naming a product by an alias is a little less certain than by its kind
# Matched only through a modifier: "chicken" in chicken masala, "tomato" in tomato soup.
MODIFIER_PENALTY = 0.3
EXPLAINED = 0.9
ALTERNATIVE_SPAN = 0.1  # choices offered must be nearly as good as the pick
MAX_ALTERNATIVES = 5
MAX_FITS = 16  # amounts remembered per variant
PRODUCE = ("fruit", "vegetable")
# A word that only looks like a catalog word ("मटन" ~ "matta", "onoin" ~ "onion") is no match:
# below this similarity for every word, the shopper hears "we don't have it" and suggestions.
REAL_HIT = 0.8
BARE_WEIGHT = 50  # a bare number from here up, for a product weighed or measured, is its unit


@dataclass(slots=True)  # not frozen: thousands are made a message, and frozen init is 4x slower
class Scored:
    variant: IndexedVariant
    score: float
    coverage: float
    head: float
    tail: TieBreak


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
        return self.rank_keys(keys(item))

    def rank_keys(self, qkeys: tuple[str, ...], prune: bool = False) -> list[Scored]:
        """Score the candidates of a query given as phonetic keys (see `rank`). With `prune`,
        variants that cannot reach what `resolve` would show (the pick, near-ties,
        alternatives within ALTERNATIVE_SPAN, or suggestions when nothing matches) are
        dropped before their name and head are scored: coverage alone bounds their score."""
        if not qkeys:
            return []
        idx = self.index
        idf = idx.idf
        matches = [idx.match_token(k) for k in qkeys]
        weights = [max((idf[t] for t in m), default=idx.max_idf) for m in matches]
        total_w = sum(weights)
        mw = [(m, w) for m, w in zip(matches, weights, strict=True) if m]
        # The best similarity of each vocabulary key to any query word: all that precision needs.
        best: dict[str, float] = {}
        for m in matches:
            for t, s in m.items():
                if s > best.get(t, 0.0):
                    best[t] = s
        n_matches = len(matches)
        threshold = self.threshold
        top_score = float("-inf")
        cutoff = float("-inf")
        scored: list[Scored] = []
        for vi in idx.candidates(matches):
            iv = idx.variants[vi]
            tokens = iv.tokens
            brand_only = iv.brand_only
            # Coverage, per query word: the best plain hit and the best hit on a word only the
            # brand explains (weighed below by how fully the brand is named).
            tops = []
            cov_ub = 0.0
            all_brand = n_matches == len(mw)
            content_any = False
            content_all_mod = True
            content_all_flavour = True
            brand_hit = False
            for m, w in mw:
                plain = branded_hit = 0.0
                top_raw = -1.0
                top_t = ""
                in_brand = False
                for t, s in m.items():
                    f = tokens.get(t)
                    if f is None:
                        continue
                    raw = s * f
                    if t in brand_only:
                        in_brand = True
                        if raw > branded_hit:
                            branded_hit = raw
                    elif raw > plain:
                        plain = raw
                    if raw > top_raw or (raw == top_raw and t > top_t):
                        top_raw, top_t = raw, t
                tops.append((w, plain, branded_hit))
                cov_ub += w * (plain if plain > branded_hit else branded_hit)
                if not in_brand:
                    all_brand = False
                else:
                    brand_hit = True
                if top_raw >= 0.0 and top_t not in iv.brand_tokens:
                    content_any = True
                    if top_t not in iv.modifiers:
                        content_all_mod = False
                        if top_t not in iv.flavours:
                            content_all_flavour = False
            if prune and W_COVERAGE * (cov_ub / total_w) + W_NAME + W_HEAD < cutoff:
                continue
            prep = iv._prepared or iv.prepared(idf)
            # Precision of every surface (names, kind, heads, brands) in one sparse pass over
            # the query's keys: only the surfaces they touch can be above zero.
            got: dict[int, float] = {}
            contrib = prep.contrib
            for t, sim in best.items():
                slots = contrib.get(t)
                if slots:
                    for slot, w in slots:
                        got[slot] = got.get(slot, 0.0) + w * sim
            name = kind = alias = brand = 0.0
            totals, roles = prep.totals, prep.roles
            for slot, g in got.items():
                if g:
                    p = g / totals[slot]
                    role = roles[slot]
                    if role == NAME:
                        if p > name:
                            name = p
                    elif role == KIND:
                        kind = p
                    elif role == HEAD:
                        if p > alias:
                            alias = p
                    elif p > brand:
                        brand = p
            # A brand named in part ("dairy" of Mother Dairy) explains the word only in part.
            brand_weight = brand if brand_only else 1.0
            cov = 0.0
            for w, plain, branded_hit in tops:
                v = branded_hit * brand_weight
                cov += w * (plain if plain > v else v)
            cov /= total_w
            # The query is just the brand ("maggi", "dalda"): the brand's own product line.
            branded = brand >= 0.99 and all_brand
            head = max(kind, (alias or branded) * ALIAS_HEAD)
            score = W_COVERAGE * cov + W_NAME * name + W_HEAD * head
            # Matched only through a modifier: "chicken" in chicken masala.
            if content_any and (content_all_mod or (content_all_flavour and not brand_hit)):
                score -= MODIFIER_PENALTY
            scored.append(Scored(iv, score, cov, head, prep.sort_tail))
            if prune and score > top_score:
                top_score = score
                span = ALTERNATIVE_SPAN if score >= threshold else score - threshold / 2
                cutoff = score - span - 1e-9
        scored.sort(key=lambda s: (-round(s.score, 3), *s.tail))
        return scored

    def explains(self, item: str, ranked: list[Scored] | None = None) -> bool:
        """Whether one product accounts for every word of `item` (`ranked`: its ranking, when
        the caller already has it)."""
        if ranked is None:
            ranked = self.rank(item)
        return (
            bool(ranked) and ranked[0].score >= self.threshold and ranked[0].coverage >= EXPLAINED
        )

    def resolve(
        self,
        item: str,
        amount: float | None = None,
        unit: str | None = None,
        ranked: list[Scored] | None = None,
        size: Literal["small", "big"] | None = None,
        pack_size: float | None = None,
        price_paise: int | None = None,
    ) -> Resolution:
        """`size` ("chhota", "bada") and `pack_size` ("2 packet of 500 g") name the packs;
        `price_paise` ("5 wale", "the 20 rs one") names the pack by what one costs."""
        if ranked is None:
            ranked = self.rank(item)
        if not ranked or ranked[0].score < self.threshold or not self.names_something(item):
            suggestions = tuple(
                default_pack(s.variant.variant.packs)
                for s in ranked[:MAX_ALTERNATIVES]
                if s.score >= self.threshold / 2
            )
            return Resolution(
                "unmatched", round(ranked[0].score, 3) if ranked else 0.0, alternatives=suggestions
            )
        if price_paise:
            priced = self._priced(ranked, price_paise, amount, unit)
            if priced is not None:
                return priced
        close = [s for s in ranked if ranked[0].score - s.score <= self.margin]
        if len(close) > 1:
            # Near-ties: the shopkeeper's pick is the usual product that fits the asked amount.
            ranked = sorted(close, key=lambda s: self._fit(s, amount, unit)) + ranked[len(close) :]
        top = ranked[0]
        chosen = top.variant.variant
        unit = self.bare_unit(chosen.first, amount, unit)
        packs = sized_packs(
            chosen.packs, choose_packs(chosen.packs, amount, unit), amount, unit, size, pack_size
        )
        floor = max(self.threshold, max(s.score for s in ranked) - ALTERNATIVE_SPAN)
        alternatives = tuple(
            default_pack(s.variant.variant.packs)
            for s in ranked[1 : 1 + MAX_ALTERNATIVES]
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

    def _priced(
        self, ranked: list[Scored], price_paise: int, amount: float | None, unit: str | None
    ) -> Resolution | None:
        """ "5 wale masala magic 4 pkt": of the good matches, the ones with a pack at that price
        (its selling price or its printed MRP) in that pack; one such product is a match, even
        where the words alone were a near-tie ("masala magic": Maggi's ₹5 or Lay's ₹20)."""
        floor = max(self.threshold, ranked[0].score - ALTERNATIVE_SPAN)
        hits: list[tuple[Scored, CatalogProduct]] = []
        for s in ranked:
            if s.score < floor:
                break
            at = [p for p in s.variant.variant.packs if price_paise in (p.price_paise, p.mrp_paise)]
            if at:
                hits.append((s, min(at, key=lambda p: (not p.in_stock, p.position))))
        if not hits:
            return None
        top, pack = hits[0]
        u = self.bare_unit(pack, amount, unit)
        if amount is None or u in ("pack", "pc", None):
            count = max(1, round(amount)) if amount else 1
        else:
            target = target_in_pack_units(amount, u, pack)
            count = max(1, round(target / pack.pack_size)) if target else 1
        close = [s for s, _ in hits if top.score - s.score <= self.margin]
        return Resolution(
            "ambiguous" if len(close) > 1 else "matched",
            round(min(1.0, top.score), 3),
            product=pack,
            packs=((pack, count),),
            alternatives=tuple(p for _, p in hits[1 : 1 + MAX_ALTERNATIVES]),
            unit=u,
        )

    def names_something(self, item: str) -> bool:
        """Whether some word of `item` is a catalog word, allowing for spelling."""
        return any(
            max(self.index.match_token(k).values(), default=0.0) >= REAL_HIT for k in keys(item)
        )

    def _fit(self, s: Scored, amount: float | None, unit: str | None) -> PackFit:
        """How well a variant's packs make up the asked amount: (relative miss, packs), then
        the ranking's tie-breakers. Remembered per variant: "1 kg" is asked again and again."""
        if amount is None:
            return (0.0, 0, *s.tail)
        prep = s.variant.prepared(self.index.idf)
        fits = prep.fits
        fit = fits.get((amount, unit))
        if fit is None:
            v = s.variant.variant
            u = self.bare_unit(v.first, amount, unit)
            packs = choose_packs(v.packs, amount, u)
            target = target_in_pack_units(amount, u or "pack", v.first) if u != "pack" else None
            total = sum(p.pack_size * c for p, c in packs)
            miss = abs(total - target) / target if target else 0.0
            if len(fits) >= MAX_FITS:
                fits.clear()
            fit = fits[amount, unit] = (round(miss, 2), sum(c for _, c in packs), *prep.sort_tail)
        return fit

    @staticmethod
    def bare_unit(p: CatalogProduct, amount: float | None, unit: str | None) -> str | None:
        """A bare count means pieces for eggs and produce, packs for everything else — but a
        bare 250 of garlic or 500 of oil is grams or millilitres: nobody orders 250 packs."""
        if unit is None and amount is not None:
            if p.pack_unit in ("g", "ml") and amount >= BARE_WEIGHT:
                return p.pack_unit
            return "pc" if (p.pack_unit == "pc" and p.pack_known) or _is_produce(p) else "pack"
        return unit


def _is_produce(p: CatalogProduct) -> bool:
    return any(word in p.category for word in PRODUCE)
