"""Split a shopper's message into item lines, each with its quantity and item words.

spaCy (a blank multilingual pipeline: nothing downloaded) tokenises; a PhraseMatcher keeps
catalog names that contain a splitting word ("Hide & Seek", "Slim n Trim") in one piece.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import spacy
from spacy.matcher import PhraseMatcher

from bot.parsing.lexicon import (
    AMBIGUOUS_NUMBERS,
    DO_VERBS,
    DOZEN_WORDS,
    FILLER_WORDS,
    MODIFIERS,
    MULTIPLY_WORDS,
    PAAV_WORDS,
    PRICE_WORDS,
    PURPOSE_WORDS,
    SPLIT_WORDS,
    UNITS,
)
from bot.parsing.quantity import Quantity, number_value, read_quantity
from bot.text.normalize import normalize

_HAS_LETTER = re.compile(r"[^\W\d_]|[\u0900-\u097f]")
_PROTECT = "\u2063"  # joins the words of a protected phrase inside one token
_GREETING_TIMES = frozenset({"morning", "evening", "afternoon", "night"})


@dataclass(frozen=True, slots=True)
class ItemLine:
    text: str
    item: str
    quantity: Quantity | None
    # Words after a complete "item quantity" line: another item ("atta 2 kg milk") or more
    # about the same one ("tea 500 g red label"). Only the catalog can tell; see ItemEngine.
    tail: bool = False


class MessageParser:
    def __init__(self, protected_phrases: Iterable[str] = ()) -> None:
        self.nlp = spacy.blank("xx")
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        phrases = sorted({normalize(p) for p in protected_phrases if p.strip()})
        if phrases:
            self.matcher.add("PROTECTED", [self.nlp.make_doc(phrase) for phrase in phrases])

    def tokens(self, normalized: str) -> list[str]:
        doc = self.nlp.make_doc(normalized)
        spans = spacy.util.filter_spans(self.matcher(doc, as_spans=True))
        words = [t.text if not t.is_space else "\n" for t in doc]
        for span in reversed(spans):
            words[span.start : span.end] = [_PROTECT.join(t.text for t in span)]
        return words

    def parse(self, text: str) -> list[ItemLine]:
        normalized = normalize(text)
        if not normalized:
            return []
        words = self.tokens(normalized)
        lines: list[ItemLine] = []
        for segment in _segments(words):
            lines.extend(_lines(segment))
        return lines


def _segments(words: list[str]) -> Iterable[list[str]]:
    current: list[str] = []
    for i, word in enumerate(words):
        is_split = word == "\n" or (word in SPLIT_WORDS and (word != "n" or 0 < i < len(words) - 1))
        if is_split:
            if current:
                yield current
            current = []
        else:
            current.append(word)
    if current:
        yield current


def _is_item_word(words: list[str], i: int) -> bool:
    if i >= len(words):
        return False
    w = words[i]
    if w in FILLER_WORDS or w in UNITS or w in DOZEN_WORDS or w in MULTIPLY_WORDS:
        return False
    if w in PAAV_WORDS:  # a quarter kilo before a word or unit, else a bread roll
        return not (i + 1 < len(words) and (words[i + 1] in UNITS or _is_item_word(words, i + 1)))
    if w in AMBIGUOUS_NUMBERS or w in MODIFIERS:
        return False
    return bool(_HAS_LETTER.search(w)) and number_value(w) is None


def _lines(words: list[str]) -> Iterable[ItemLine]:
    """Read quantities and item words. A second quantity starts a new line ("2 kg atta 1 l
    milk"), and so do item words after a trailing quantity ("atta 2 kg milk 1 l")."""
    words = _drop_non_items(words)
    line = _LineBuilder()
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        read = read_quantity(words, i, lambda j: _is_item_word(words, j)) if word else None
        if read is not None:
            end, q = read
            if line.qty is not None:
                combined = line.combine(q)
                if combined is None:
                    yield from line.flush()
                    line.set_quantity(q)
            else:
                line.set_quantity(q)
            line.raw.extend(words[i:end])
            i = end
            continue
        if _is_item_word(words, i):
            if line.qty is not None and line.qty_after_item:
                yield from line.flush()
                line.tail = True
            line.item.append(word)
            line.items_since_qty += 1
        if word:
            line.raw.append(word)
        i += 1
    yield from line.flush()


def _drop_non_items(words: list[str]) -> list[str]:
    """Blank the words that look like items or quantities but are not: "do" after a verb
    ("bhej do"), prices ("5 rupees wala", "rs 10"), purposes ("juice ke liye")."""
    out = list(words)
    for i, w in enumerate(words):
        if w in AMBIGUOUS_NUMBERS and i > 0 and words[i - 1] in DO_VERBS:
            out[i] = ""
        elif w == "good" and i + 1 < len(words) and words[i + 1] in _GREETING_TIMES:
            out[i] = out[i + 1] = ""
        elif w in PRICE_WORDS:
            out[i] = ""
            for j in (i - 1, i + 1):
                if 0 <= j < len(words) and number_value(words[j]) is not None:
                    out[j] = ""
        elif (
            w in PURPOSE_WORDS
            and i >= 2
            and words[i - 1] in ("ke", "ki", normalize("के"), normalize("की"))
        ):
            out[i] = out[i - 1] = out[i - 2] = ""
    return out


class _LineBuilder:
    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.item: list[str] = []
        self.raw: list[str] = []
        self.qty: Quantity | None = None
        self.qty_after_item = False
        self.items_since_qty = 0
        self.tail = False

    def set_quantity(self, q: Quantity) -> None:
        self.qty = q
        self.qty_after_item = bool(self.item)
        self.items_since_qty = 0

    def combine(self, q: Quantity) -> Quantity | None:
        """ "1 l 2 packet": a measure then a count of packs, nothing between, is their product."""
        cur = self.qty
        if cur is None or self.items_since_qty:
            return None
        if cur.unit in ("g", "ml") and q.unit in ("pack", None) and q.amount == int(q.amount):
            self.qty = Quantity(round(cur.amount * q.amount, 3), cur.unit)
            return self.qty
        return None

    def flush(self) -> Iterable[ItemLine]:
        if self.item or self.qty is not None:
            text = " ".join(self.raw).replace(_PROTECT, " ")
            yield ItemLine(text, " ".join(self.item).replace(_PROTECT, " "), self.qty, self.tail)
        self._reset()
