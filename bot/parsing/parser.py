"""Split a shopper's message into item lines, each with its quantity and item words.

spaCy (a blank multilingual pipeline: nothing downloaded) tokenises; a PhraseMatcher keeps
catalog names that contain a splitting word ("Hide & Seek", "Slim n Trim") in one piece.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import spacy
from spacy.matcher import PhraseMatcher

from bot.parsing.lexicon import (
    ADDRESS_WORDS,
    AMBIGUOUS_NUMBERS,
    BIG_WORDS,
    DAL_KINDS,
    DO_VERBS,
    DOZEN_WORDS,
    ENGLISH_NEGATIONS,
    FILLER_WORDS,
    MODIFIERS,
    MULTIPLY_WORDS,
    NEGATIONS,
    PAAV_WORDS,
    PRICE_WORDS,
    PURPOSE_WORDS,
    PUT_ENDINGS,
    PUT_VERBS,
    SMALL_WORDS,
    SPLIT_WORDS,
    TIME_WORDS,
    UNITS,
    WALA_WORDS,
    WANT_WORDS,
)
from bot.parsing.quantity import Quantity, number_value, read_quantity
from bot.text.normalize import normalize

_HAS_LETTER = re.compile(r"[^\W\d_]|[\u0900-\u097f]")
_PROTECT = "\u2063"  # joins the words of a protected phrase inside one token
_GREETING_TIMES = frozenset({"morning", "evening", "afternoon", "night"})
# "1) tea 2) sugar", "1. atta": list numbers start lines; they are not quantities.
_LIST_NUMBER = re.compile(r"(?:^|(?<=\s))\d{1,2}[).](?=\s|[^\W\d_])")
# "2kgatta", "1ltrdoodh": a unit run into the item (single-letter units stay: "2gulab jamun").
# Short units take no plural "s" first: "1kgsugar", "500gmsooji" are far more common than
# "2kgsatta"; spelt-out units keep it: "2litresmilk".
_RUN_TOGETHER = re.compile(
    r"(\d)\s*(kgs??|kilos?|gms??|grams?|ltrs??|litres?|liters?|ml|pcs??|dozen|packets?|pkts??)"
    r"([^\W\d_]{3,})"
)
# "१लीटरदूध", "2किलोआटा": the same in Devanagari (vowel signs are not \w, so no \w class here).
_RUN_TOGETHER_HI = re.compile(
    "(\\d)\\s*("
    + "|".join(map(normalize, ["किलो", "लीटर", "लिटर", "ग्राम", "पैकेट", "दर्जन", "पीस"]))
    + ")(?=[\u0900-\u097f])"
)
_TIME = re.compile(r"^\d{1,2}(?::\d{2})?(?:am|pm)$")
_TIME_LINKS = frozenset(
    {"by", "before", "till", "until", "at", "around", "between", "tak", "se", normalize("तक")}
)
_RANGE_LINKS = frozenset({"to", "-", "se", "till", "or", "ya", normalize("से"), normalize("या")})
_DAL_SPELLINGS = frozenset({"dal", "daal"})
_POINTERS = frozenset(normalize(w) for w in ("the", "that", "one", "ones", "wo", "woh", "वो", "वह"))
_DETERMINERS = frozenset({"the", "that", "this", "a", "an"})
_THATS = frozenset({"thats", "that's", "that", "'s", "its", "it's", "is"})
_WHY = frozenset(normalize(w) for w in ("why", "kyu", "kyun", "kyon", "क्यों", "क्यूं"))


@dataclass(frozen=True, slots=True)
class ItemLine:
    text: str
    item: str
    quantity: Quantity | None
    # Words after a complete "item quantity" line: another item ("atta 2 kg milk") or more
    # about the same one ("tea 500 g red label"). Only the catalog can tell; see ItemEngine.
    tail: bool = False
    size: Literal["small", "big"] | None = None  # "chhoti wali maggi", "1 bada surf"
    # "5 wale masala magic", "the 20 rs lays": the price of one pack, which says which pack
    price_paise: int | None = None

    @property
    def pack_size(self) -> float | None:
        """ "2 packet of 500 g": the size each pack was said to be (500)."""
        return self.quantity.pack if self.quantity else None


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

    def parse(self, text: str, *, wanted: bool = True) -> list[ItemLine]:
        """The items the message asks for; with `wanted=False`, the ones it says it does not
        want ("butter is baar nahi chahiye", "no biscuits this time"), for a removal."""
        normalized = normalize(_LIST_NUMBER.sub("\n", text))
        if not normalized:
            return []
        normalized = _RUN_TOGETHER.sub(r"\1 \2 \3", normalized)
        normalized = _RUN_TOGETHER_HI.sub(r"\1 \2 ", normalized)
        words = self.tokens(normalized)
        lines: list[ItemLine] = []
        for said in _segments(words):
            segment = _without_why_not(said)
            kept = _wanted(segment) if wanted else _unwanted(segment)
            if not kept:
                continue
            read = list(_lines(kept))
            if read or not lines:
                lines.extend(_pointing_back(segment, read))
            else:
                lines[-1] = _said_of(lines[-1], kept)
        return _amounts_joined(lines)


def _said_of(line: ItemLine, words: list[str]) -> ItemLine:
    """ "2 dairy milk, the 20 rupee ones", "surf excel, the big one": a clause naming no item
    that gives a price or a size gives it for the item before."""
    prices = _prices(words)
    price = line.price_paise or next(iter(prices.values()), None)
    size = line.size
    if size is None and any(w in SMALL_WORDS for w in words):
        size = "small"
    elif size is None and any(w in BIG_WORDS for w in words):
        size = "big"
    return ItemLine(line.text, line.item, line.quantity, line.tail, size, price)


def _pointing_back(segment: list[str], lines: list[ItemLine]) -> list[ItemLine]:
    """ "milk 2 ltr, the full cream one", "doodh 2 litre, full cream wala": a clause with no
    amount that points back ("the … one", "… wala") says which of the item before; it is
    marked a tail, for the engine to join when one product explains both."""
    if len(lines) != 1 or lines[0].quantity is not None or not lines[0].item:
        return lines
    if not any(w in _POINTERS or w in WALA_WORDS for w in segment):
        return lines
    line = lines[0]
    return [ItemLine(line.text, line.item, None, True, line.size, line.price_paise)]


def _amounts_joined(lines: list[ItemLine]) -> list[ItemLine]:
    """ "same atta as last time, 10 kilo": an amount alone after an item said without one is
    that item's amount."""
    out: list[ItemLine] = []
    for line in lines:
        prev = out[-1] if out else None
        if not line.item and line.quantity and prev and prev.item and prev.quantity is None:
            out[-1] = ItemLine(
                f"{prev.text} {line.text}",
                prev.item,
                line.quantity,
                prev.tail,
                prev.size,
                prev.price_paise or line.price_paise,
            )
            continue
        out.append(line)
    return out


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


def _without_why_not(words: list[str]) -> list[str]:
    """ "ok why not ek dairy milk bhi", "haan kyu nahi": a yes, not a negation."""
    out: list[str] = []
    for w in words:
        if out and out[-1] in _WHY and (w in NEGATIONS or w in ENGLISH_NEGATIONS):
            out.pop()
            continue
        out.append(w)
    return out


def _negation(words: list[str]) -> tuple[int, bool] | None:
    """Where a segment says "not", and whether that refuses the whole segment ("ande nahi
    chahiye", "onion not needed", "no eggs") rather than one word of it ("toned nahi full
    cream", "desi tomatoes not hybrid")."""
    if words and words[0] in ENGLISH_NEGATIONS:
        return 0, True
    for i, w in enumerate(words):
        if w not in NEGATIONS and w not in ENGLISH_NEGATIONS:
            continue
        after = words[i + 1 : i + 3]
        if any(a in WANT_WORDS for a in after) or (i > 0 and words[i - 1] in WANT_WORDS):
            return i, True
        return i, False
    return None


def _wanted(words: list[str]) -> list[str]:
    """The words of a segment the shopper wants: none of "ande nahi chahiye", "no eggs" or "mat
    bhejna chips"; "toned nahi full cream" without the "toned", "desi not hybrid" without the
    "hybrid"."""
    found = _negation(words)
    if found is None:
        return list(words)
    i, whole = found
    if whole:
        return []
    if words[i] not in NEGATIONS:
        return words[:i]  # English negates what follows: "desi tomatoes not hybrid"
    kept = words[: max(0, i - 1)] + words[i + 1 :]  # "toned nahi": not the toned one
    return _wanted(kept)


def _unwanted(words: list[str]) -> list[str]:
    """The words of a segment the shopper does not want: what `_wanted` leaves out."""
    found = _negation(words)
    if found is None:
        return []
    i, whole = found
    if i == 0 and words[0] in ENGLISH_NEGATIONS:
        return words[1:]
    if whole:
        return [
            x
            for x in words
            if x not in NEGATIONS and x not in ENGLISH_NEGATIONS and x not in WANT_WORDS
        ]
    if words[i] not in NEGATIONS:
        return words[i + 1 :]
    return words[:i]  # "toned nahi", "ghee is baar skip": what comes before


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
    prices = _prices(words)
    words = _drop_non_items(words)
    line = _LineBuilder()
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        if i in prices:
            line.price_paise = prices[i]
        read = read_quantity(words, i, lambda j: _is_item_word(words, j)) if word else None
        if read is not None:
            end, q = read
            if line.each_of(q, end >= n or not _is_item_word(words, end)):
                line.raw.extend(words[i:end])
                i = end
                continue
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
        if word in SMALL_WORDS or word in BIG_WORDS:
            line.size = "small" if word in SMALL_WORDS else "big"
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


def _prices(words: list[str]) -> dict[int, int]:
    """Where the segment says a price, and that price in paise: "5 wale", "10 वाली", "20 rs",
    "rs 20", "₹20"."""
    out: dict[int, int] = {}
    for i, w in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        value = number_value(w)
        if value is not None and after in WALA_WORDS and w not in AMBIGUOUS_NUMBERS:
            out[i] = round(value * 100)
        elif w in PRICE_WORDS:
            for j in (i + 1, i - 1):
                said = number_value(words[j]) if 0 <= j < len(words) else None
                if said is not None:
                    out[j] = round(said * 100)
                    break
    return out


def _is_pronoun_one(words: list[str], i: int) -> bool:
    """ "the full cream one", "a big one", "the 20 rupee one": "one" stands for the item, it is
    no count (it closes the clause, after a word that is no number, with a determiner before)."""
    if words[i] != "one" or i == 0 or number_value(words[i - 1]) is not None:
        return False
    if any(w not in FILLER_WORDS for w in words[i + 1 :]):
        return False
    return any(w in _DETERMINERS for w in words[:i]) or words[i - 1] in SMALL_WORDS | BIG_WORDS


def _drop_non_items(words: list[str]) -> list[str]:
    """Blank the words that look like items or quantities but are not: "do" after a verb
    ("bhej do"), the verb "daal do", prices ("5 rupees wala", "rs 10", "5 wale"), purposes
    ("juice ke liye"), addresses ("flat 402") and times ("by 7 am", "7 baje tak")."""
    out = list(words)
    for i, w in enumerate(words):
        before = words[i - 1] if i > 0 else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        alone = (
            w in PUT_VERBS
            and not before
            and after in PUT_ENDINGS
            and not any(_is_item_word(words, j) for j in range(i + 2, len(words)))
        )  # ", daal dena": nothing else in the clause, so nothing to call dal
        if alone:
            out[i] = out[i + 1] = ""
        elif (
            w in PUT_VERBS
            and before
            and before not in DAL_KINDS
            and (w not in _DAL_SPELLINGS or any(_is_item_word(words, j) for j in range(i)))
        ):  # "2 kilo daal do" asks for dal; "cheeni daal do", "Dhara wala 1 daal do" put it in
            if after in PUT_ENDINGS or w not in _DAL_SPELLINGS:
                out[i] = ""  # "maggi daal do": put the maggi in
                if after in PUT_ENDINGS:
                    out[i + 1] = ""
        elif before in ADDRESS_WORDS and number_value(w) is not None:
            out[i] = out[i - 1] = ""
        elif _TIME.match(w) or (after in TIME_WORDS and number_value(w) is not None):
            start = i
            # "7 to 9 am", "7 se 9 baje", "सुबह 7 से 9 बजे": the range's first hour too.
            if i >= 2 and words[i - 1] in _RANGE_LINKS and number_value(words[i - 2]) is not None:
                start = i - 2
            for j in range(max(0, start - 1), min(len(words), i + 3)):
                if j in (i, start) or words[j] in TIME_WORDS or words[j] in _TIME_LINKS:
                    out[j] = ""
            if start < i:
                out[i - 1] = ""
        elif (
            after in WALA_WORDS and number_value(w) is not None and w not in AMBIGUOUS_NUMBERS
        ) or (w in AMBIGUOUS_NUMBERS and i > 0 and words[i - 1] in DO_VERBS):
            out[i] = ""
        elif _is_pronoun_one(words, i) or (w == "all" and before in _THATS):
            out[i] = ""  # "the full cream one"; "that's all"
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
        self.size: Literal["small", "big"] | None = None
        self.price_paise: int | None = None

    def set_quantity(self, q: Quantity) -> None:
        self.qty = q
        self.qty_after_item = bool(self.item)
        self.items_since_qty = 0

    def each_of(self, q: Quantity, last: bool) -> bool:
        """ "1 Colgate 200 gm", "2 parle g 250 gm wale": a count, the item, then the size of
        each, with no other item after it, is that many packs of that size."""
        cur = self.qty
        if cur is None or not self.item or q.unit not in ("g", "ml") or not last:
            return False
        if cur.unit not in ("pack", None) or cur.amount != int(cur.amount) or self.qty_after_item:
            return False
        self.qty = Quantity(round(cur.amount * q.amount, 3), q.unit, q.amount)
        return True

    def combine(self, q: Quantity) -> Quantity | None:
        """ "1 l 2 packet": a measure then a count of packs, nothing between, is their product."""
        cur = self.qty
        if cur is None or self.items_since_qty:
            return None
        if cur.unit in ("g", "ml") and q.unit in ("pack", None) and q.amount == int(q.amount):
            self.qty = Quantity(round(cur.amount * q.amount, 3), cur.unit, cur.amount)
            return self.qty
        if cur.unit in ("pack", None) and q.unit in ("g", "ml") and cur.amount == int(cur.amount):
            self.qty = Quantity(round(q.amount * cur.amount, 3), q.unit, q.amount)  # "2 × 500 g"
            return self.qty
        return None

    def flush(self) -> Iterable[ItemLine]:
        if self.item or self.qty is not None:
            text = " ".join(self.raw).replace(_PROTECT, " ")
            item = " ".join(self.item).replace(_PROTECT, " ")
            yield ItemLine(text, item, self.qty, self.tail, self.size, self.price_paise)
        self._reset()
