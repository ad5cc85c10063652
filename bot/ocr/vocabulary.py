"""The shop's own words, for mending a line Tesseract misspelt.

Handwriting is where Tesseract slips by a letter: "RAIMA" for rajma, "MOONS DAL", "besar",
"potate". A shopper typing those would be understood by the resolver's fuzzy match only up
to a point, and an OCR slip is not a typing slip: it swaps letters that look alike, not keys
that lie close. So a line the item engine cannot place is tried once more with each unknown
word replaced by the nearest word of the shop's catalog (its names, Hindi names, kinds,
brands and aliases), and the mended line is kept only when the engine then finds a product
for it. A mended line is a guess and says so (`ReadLine.mended`), so the bot can ask.
"""

from __future__ import annotations

import re
import weakref

from rapidfuzz import fuzz, process

from bot.engine import ItemEngine
from bot.parsing.lexicon import UNITS
from bot.text.normalize import normalize

SIMILARITY = 75.0  # rapidfuzz ratio: one letter wrong in a word of four or five, not two
MIN_LETTERS = 3  # shorter words are too easily near anything ("sud" is gud, sud or dal)
_WORD = re.compile(r"^(?:[^\W\d_]+|[\u0900-\u0963\u0970-\u097f]+)$")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_built: weakref.WeakKeyDictionary[ItemEngine, Vocabulary] = weakref.WeakKeyDictionary()


class Vocabulary:
    """The words of a catalog, Latin and Devanagari apart (a slip never changes script)."""

    def __init__(self, words: set[str]):
        self.words = frozenset(words)
        self.latin = sorted(w for w in words if not _DEVANAGARI.search(w))
        self.devanagari = sorted(w for w in words if _DEVANAGARI.search(w))

    @classmethod
    def of(cls, engine: ItemEngine) -> Vocabulary:
        """The engine's catalog's words, gathered once per engine."""
        built = _built.get(engine)
        if built is None:
            words: set[str] = set()
            for p in engine.index.products:
                for text in (p.name, p.name_hi, p.kind, p.brand, *p.aliases):
                    words.update(
                        w
                        for w in normalize(text).split()
                        if len(w) >= MIN_LETTERS and _WORD.match(w) and w not in UNITS
                    )
            built = _built[engine] = cls(words)
        return built

    def mend(self, text: str) -> str:
        """The line with each word the catalog does not know replaced by its nearest
        catalog word of the same script, where one is near enough; numbers, units and
        known words stay as they are."""
        out = []
        for written in text.split():
            word = normalize(written).strip()
            if (
                len(word) < MIN_LETTERS
                or not _WORD.match(word)
                or word in self.words
                or word in UNITS
            ):
                out.append(written)
                continue
            choices = self.devanagari if _DEVANAGARI.search(word) else self.latin
            best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=SIMILARITY)
            out.append(best[0] if best is not None else written)
        return " ".join(out)
