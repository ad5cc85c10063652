"""A search index over a catalog, built once: phonetic token keys, postings and IDF weights.

Full fuzzy scans of 27,555 names cost ~44 ms a query; the index narrows each query to the
handful of variants sharing (fuzzily) one of its words before any detailed scoring.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.catalog.model import CatalogProduct, Variant
from bot.parsing.lexicon import (
    AMBIGUOUS_NUMBERS,
    FILLER_WORDS,
    MODIFIERS,
    NUMBER_WORDS,
    PAAV_WORDS,
    SPLIT_WORDS,
    UNITS,
)
from bot.text.normalize import normalize
from bot.text.phonetic import phonetic_key

_WORD = re.compile(r"[\w\u0900-\u097f]+")
_DIGITS = re.compile(r"^\d+$")
# From this many postings on, a query's candidates are summed with numpy (spaCy's dependency).
_VECTOR_FROM = 600
CATEGORY_WEIGHT = 0.5
ALIAS_WEIGHT = 0.9  # a word only an alias explains ("dalda" on every vanaspati) counts a bit less
NAME, KIND, HEAD, BRAND = range(4)  # the roles of a variant's surfaces in scoring
# A ranking's tie-breakers: (out of stock, shelf position).
TieBreak = tuple[bool, int]
# How well a variant's packs make up an asked amount: (relative miss, packs, *TieBreak).
PackFit = tuple[float, int, bool, int]

_SPECIAL = SPLIT_WORDS | set(UNITS) | set(NUMBER_WORDS) | MODIFIERS.keys() | PAAV_WORDS


def words(text: str) -> list[str]:
    return list(_words(text))


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(normalize(text)))


@lru_cache(maxsize=65536)  # catalogs repeat brands, aliases and categories thousands of times
def keys(text: str) -> tuple[str, ...]:
    """Phonetic keys of the meaningful words of a text, in order, without repeats."""
    out: dict[str, None] = {}
    for w in _words(text):
        # "s" alone is the possessive of "Lay's", "Haldiram's": "lays" and "haldirams" name them
        if w in FILLER_WORDS or _DIGITS.match(w) or w == "s":
            continue
        k = phonetic_key(w)
        if k:
            out.setdefault(k)
    return tuple(out)


def _is_pack_size(window: list[str]) -> bool:
    """ "1 kg", "500 g", "2 x": a pack size inside a name must stay readable as a quantity."""
    return any(
        (_DIGITS.match(a) or a in NUMBER_WORDS) and (b in UNITS or _DIGITS.match(b) or b == "x")
        for a, b in pairwise(window)
    )


@dataclass(slots=True)
class IndexedVariant:
    variant: Variant
    tokens: dict[str, float]  # key -> field weight
    kind: tuple[str, ...]  # what the product *is*
    # Words that only ever qualify the head noun: "chicken" in chicken masala, "atta" in
    # Maggi Atta Noodles. A match on such words alone is not a match on the product.
    modifiers: frozenset[str]
    # Words of a name that never says what the product is ("Cashew & Almond" of a biscuit):
    # matched alone, without the brand, they are no match either.
    flavours: frozenset[str]
    heads: list[tuple[str, ...]]  # other names for what it is: aliases, brand words removed
    names: tuple[tuple[str, ...], ...]  # its shelf name in English and in Hindi
    category: str
    brands: tuple[tuple[str, ...], ...]  # the brand in English and as the Hindi name writes it
    brand_tokens: frozenset[str]
    brand_only: frozenset[str]  # words that only the brand explains ("dairy" in Mother Dairy)
    _prepared: Prepared | None = None

    def prepared(self, idf: dict[str, float]) -> Prepared:
        """The scoring tables of this variant, made the first time it is scored (most of a
        big catalog never is, so the index build does not pay for them)."""
        prep = self._prepared
        if prep is None:
            prep = self._prepared = Prepared.of(self, idf)
        return prep


@dataclass(slots=True)
class Prepared:
    """Every surface of a variant (names, kind, heads, brands) as one numbered slot, and for
    each key the slots it appears in with its IDF weight: the precision of all surfaces
    against a query is then one sparse pass over the query's keys."""

    contrib: dict[str, list[tuple[int, float]]]
    totals: tuple[float, ...]  # a slot's total weight; 0 for an empty surface
    roles: tuple[int, ...]  # a slot's role: NAME, KIND, HEAD or BRAND
    sort_tail: TieBreak
    # Pack fit by asked (amount, unit), filled by the resolver: see `Resolver._fit`.
    fits: dict[tuple[float, str | None], PackFit] = field(default_factory=dict)

    @classmethod
    def of(cls, iv: IndexedVariant, idf: dict[str, float]) -> Prepared:
        surfaces = [*iv.names, iv.kind, *iv.heads, *iv.brands]
        contrib: dict[str, list[tuple[int, float]]] = {}
        totals = []
        for slot, surface in enumerate(surfaces):
            total = 0.0
            for t in surface:
                w = idf.get(t, 1.0)
                total += w
                contrib.setdefault(t, []).append((slot, w))
            totals.append(total)
        roles = (
            (NAME,) * len(iv.names) + (KIND,) + (HEAD,) * len(iv.heads) + (BRAND,) * len(iv.brands)
        )
        return cls(
            contrib=contrib,
            totals=tuple(totals),
            roles=roles,
            sort_tail=(not iv.variant.in_stock, iv.variant.position),
        )


class CatalogIndex:
    def __init__(
        self, products: Sequence[CatalogProduct], category_names: dict[str, str] | None = None
    ):
        self.products = list(products)
        self.by_sku = {p.sku: p for p in self.products}
        category_names = category_names or {}
        groups: dict[str, Variant] = {}
        for p in self.products:
            key = f"{p.brand.strip().lower()}|{p.name.strip().lower()}"
            groups.setdefault(key, Variant(key)).packs.append(p)
        self.variants: list[IndexedVariant] = []
        for v in groups.values():
            v.packs.sort(key=lambda p: (p.pack_size, p.position))
            self.variants.append(self._index_variant(v, category_names))

        postings: dict[str, list[int]] = defaultdict(list)
        for i, iv in enumerate(self.variants):
            for k in iv.tokens:
                postings[k].append(i)
        self.postings = dict(postings)
        n = len(self.variants) or 1
        self.idf = {k: math.log(1 + n / len(v)) for k, v in self.postings.items()}
        self.max_idf = math.log(1 + n)
        self._by_len: dict[int, list[str]] = defaultdict(list)
        for k in self.postings:
            self._by_len[len(k)].append(k)
        self._cache: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._arrays: dict[str, np.ndarray] = {}  # postings as arrays, made when first needed
        self.protected_phrases = sorted(self._protected(category_names))

    @staticmethod
    def _index_variant(v: Variant, category_names: dict[str, str]) -> IndexedVariant:
        """Surfaces of one product: what it is (kind, aliases, Hindi name), who makes it
        (brand, in both scripts), and which words only qualify it (modifiers)."""
        first = v.first
        names = (keys(first.name), keys(first.name_hi))
        kind = keys(first.kind)
        aliases = dict.fromkeys(a for p in v.packs for a in p.aliases)
        alias_keys = [keys(a) for a in aliases]
        # "chai patti" is also typed "chaipatti" / "चायपत्ती": index the compound too.
        alias_keys += [
            (phonetic_key("".join(words(a))),) for a in aliases if 1 < len(words(a)) <= 3
        ]

        brand = keys(first.brand)
        generic = set(kind) | {k for ak in alias_keys if not set(ak) & set(brand) for k in ak}
        # "Tata Salt": only "tata" names the brand; "salt" says what the product is.
        own = tuple(k for k in brand if k not in generic)
        brands = [own] if own else []
        if own and first.name.lower().startswith(first.brand.lower()):
            brands.append(names[1][: len(own)])  # the brand as the Hindi name spells it: मैगी
        if own and first.brand_hi:
            brands.append(keys(first.brand_hi))
        brand_tokens = frozenset(k for b in brands for k in b)

        unbranded = [ak for ak in alias_keys if ak and not set(ak) & brand_tokens]
        hindi = tuple(k for k in names[1] if k not in brand_tokens)
        heads = [
            ak for ak in dict.fromkeys((*alias_keys, hindi)) if ak and not set(ak) <= brand_tokens
        ]  # brand-only nicknames are not heads
        own_name = tuple(k for k in names[0] if k not in brand_tokens)
        explained = {k for sf in (own_name, kind, *unbranded) for k in sf}
        english = [kind, own_name, *unbranded]
        finals = {sf[-1] for sf in english if sf}
        said = set(kind) | {k for ak in alias_keys for k in ak}
        if not set(kind) & set(own_name):
            # "Mom's Magic Cashew & Almond" never says it is a biscuit: its words are a flavour
            # (in both scripts), and "badam" alone is no match for it.
            hindi_words = (k for k in names[1] if k not in brand_tokens)
            flavour = {k for k in (*own_name, *hindi_words) if k not in said}
        else:
            flavour = set()

        tokens: dict[str, float] = {}
        category = category_names.get(first.category, first.category)
        for k in keys(category.replace("-", " ")):
            tokens[k] = CATEGORY_WEIGHT
        for surface in alias_keys:
            tokens.update(dict.fromkeys(surface, ALIAS_WEIGHT))
        for surface in (*names, *brands, brand, kind):
            tokens.update(dict.fromkeys(surface, 1.0))
        return IndexedVariant(
            variant=v,
            tokens=tokens,
            kind=kind,
            modifiers=frozenset(k for sf in english for k in sf[:-1] if k not in finals),
            flavours=frozenset(flavour),
            heads=heads,
            names=names,
            category=first.category,
            brands=tuple(brands),
            brand_tokens=brand_tokens,
            brand_only=frozenset(k for k in brand_tokens if k not in explained),
        )

    def _protected(self, category_names: dict[str, str]) -> set[str]:
        """Catalog phrases holding a word the parser would read as a split or a quantity."""
        out: set[str] = set()
        texts: set[str] = set()
        for iv in self.variants:
            p = iv.variant.first
            texts.update((p.name, p.brand, p.kind))
            for q in iv.variant.packs:
                texts.update(q.aliases)
        for text in texts:
            for variant in {text, text.replace("-", " ")}:
                toks = normalize(variant).split()
                for i, t in enumerate(toks):
                    if t in _SPECIAL or t in AMBIGUOUS_NUMBERS or _DIGITS.match(t):
                        window = toks[max(0, i - 1) : i + 2]
                        if len(window) >= 2 and not _is_pack_size(window):
                            out.add(" ".join(window))
        return out

    def match_token(self, key: str) -> dict[str, float]:
        """Vocabulary keys similar to `key`, with a similarity in (0, 1]."""
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        if key in self.postings:
            found = {key: 1.0}
        else:
            found = {}
            size = len(key)
            max_d = 0 if size <= 3 else 1 if size <= 5 else 2
            if max_d:
                for length in range(size - max_d, size + max_d + 1):
                    bucket = self._by_len.get(length)
                    if not bucket:
                        continue
                    for cand, d, _ in process.extract(
                        key, bucket, scorer=OSA.distance, score_cutoff=max_d, limit=None
                    ):
                        sim = 1 - 1.5 * d / max(size, len(cand))
                        if cand[0] != key[0]:
                            sim *= 0.85  # typos rarely hit the first letter
                        if sim > found.get(cand, 0):
                            found[cand] = sim
        self._cache[key] = found
        if len(self._cache) > 50_000:
            self._cache.popitem(last=False)
        return found

    def candidates(self, matches: Iterable[dict[str, float]], limit: int = 40) -> list[int]:
        """The `limit` variants with the most accumulated IDF over the query's (fuzzy) keys;
        on equal weight, the one met first. Order within the result does not matter."""
        hits = [(k, self.idf[k] * sim) for m in matches for k, sim in m.items()]
        if len(hits) == 1:
            # One key: every variant weighs the same, so the first `limit` of its postings.
            return self.postings[hits[0][0]][:limit]
        postings = self.postings
        if sum(len(postings[k]) for k, _ in hits) >= _VECTOR_FROM:
            return self._candidates_np(hits, limit)
        acc: dict[int, float] = defaultdict(float)
        for k, w in hits:
            for vi in postings[k]:
                acc[vi] += w
        if len(acc) <= limit:
            return list(acc)
        return sorted(acc, key=acc.__getitem__, reverse=True)[:limit]

    def _candidates_np(self, hits: list[tuple[str, float]], limit: int) -> list[int]:
        """`candidates` for long postings ("oil", "masala"): the same sums, added in the same
        order, and the same tie-break (a stable sort keeps first appearances first)."""
        arrays = [self._posting_array(k) for k, _ in hits]
        acc = np.zeros(len(self.variants))
        for arr, (_, w) in zip(arrays, hits, strict=True):
            acc[arr] += w  # a posting holds each variant once
        ids = np.concatenate(arrays)
        if len(ids) <= limit * len(arrays) and len(first := dict.fromkeys(ids.tolist())) <= limit:
            return list(first)  # all of them, in the order met, as the loop gives them
        order = np.argsort(-acc[ids], kind="stable")
        out: dict[int, None] = {}
        for vi in ids[order].tolist():
            if vi not in out:
                out[vi] = None
                if len(out) == limit:
                    break
        return list(out)

    def _posting_array(self, key: str) -> np.ndarray:
        arr = self._arrays.get(key)
        if arr is None:
            arr = self._arrays[key] = np.asarray(self.postings[key], dtype=np.int32)
        return arr
