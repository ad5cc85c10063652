"""A photo of a list, read: each recognised line through the item engine, as if typed.

A line becomes one of three things:

- an **item** line: the item engine found a product for it (matched or ambiguous), or
  Tesseract was sure of its words (then it goes on as typed, and the bot says plainly if the
  shop does not sell it);
- a **heading** ("Saman list", "सामान की सूची", a date): said nothing about;
- **unreadable**: Tesseract was unsure and no product explains the words. The shopper is
  shown these and asked to type them, rather than given a guess in their cart.

The item lines' text is what the gateway sends to the engine, one line each, so a photo is
answered as the same list typed would be.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from typing import Any, Literal

from PIL import Image
from rapidfuzz import fuzz, process

from bot.engine import ItemEngine, ParsedMessage
from bot.ocr.image import Preprocess, load, prepare
from bot.ocr.recognise import (
    LANGUAGES,
    PAGE_SEGMENTATION,
    OcrLine,
    OcrTimeout,
    recognise,
    reread,
)
from bot.ocr.vocabulary import Vocabulary
from bot.parsing.lexicon import UNITS
from bot.text.language import Language, detect_language
from bot.text.normalize import normalize

MAX_BYTES = 5 * 2**20  # WhatsApp's own limit for an image; a document may be larger
TIME_LIMIT = 15.0  # seconds for one photo, preparing and Tesseract together (typically 1–2 s)
SURE = 0.80  # at or above this mean word confidence, Tesseract's reading of a line stands
LineKind = Literal["item", "heading", "unreadable"]
# A list's numbers and bullets, and what Tesseract makes of bullets: not part of the item.
_MARKER = re.compile(
    r"^\s*(?:[\d०-९]{1,2}\s*[.),:;\]]|[-–—•·*+>»«°©®~=_|\\/\"“”'\[\]{}]+|[eo](?=\s))\s*"
)
# A number alone at the start with the line's quantity still to come ("3 बेसन 500 ग्राम",
# "1 सरसों तेल 1 लीटर"): the list's number with its dot lost, or a bullet read as a digit.
_LEAD_NUMBER = re.compile(r"^[\d०-९]{1,2}$")
_STRAY = "{}[]|"  # brackets and strokes stuck to a word ("DAH}" for dahi)
_DEVANAGARI_LETTER = re.compile(r"[\u0900-\u0963\u0970-\u097f]")
_EDGE_NOISE = re.compile(r"^[^\w\u0900-\u097f]+|[^\w\u0900-\u097f.)]+$")
_LETTER = re.compile(r"[^\W\d_]|[\u0900-\u097f]")
HEADING_WORDS = frozenset(
    normalize(w)
    for w in [
        "list",
        "saman",
        "samaan",
        "saaman",
        "shopping",
        "grocery",
        "groceries",
        "monthly",
        "items",
        "ration",
        "kirana",
        "सामान",
        "समान",
        "लिस्ट",
        "सूची",
        "सुची",
        "राशन",
        "किराना",
        "की",
        "का",
        "ke",
        "ki",
        "ka",
        "of",
        "my",
    ]
)
_DATE = re.compile(r"^\s*\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?\s*$")


@dataclass(frozen=True, slots=True)
class ReadLine:
    ocr: OcrLine
    text: str  # the line with its number or bullet and edge noise taken off
    parsed: ParsedMessage
    kind: LineKind
    mended: bool = False  # words replaced by the catalog's nearest (vocabulary): a guess
    reread: bool = False  # doubtful words as one script's model read them again

    @property
    def unsure(self) -> bool:
        """An item line to confirm with the shopper rather than put in the cart unasked:
        Tesseract was unsure of its words, they were mended from the catalog, or a word's
        script disagrees with its line's (read again or not: "at दाल" is तूर दाल or तर दाल).
        The engine's own doubts, several products for one line, it asks about anyway."""
        return self.kind == "item" and (
            self.mended or self.reread or self.ocr.confidence < SURE or bool(doubtful(self.ocr))
        )

    def as_dicts(self) -> list[dict[str, Any]]:
        """The line's item lines as `chatcart parse --json` gives them, with the OCR's own
        reading and confidence beside each, and whether to ask before adding it."""
        return [
            {
                **line.as_dict(),
                "ocr_text": self.ocr.text,
                "ocr_confidence": self.ocr.confidence,
                "read_as": self.text,
                "mended": self.mended,
                "reread": self.reread,
                "unsure": self.unsure,
            }
            for line in self.parsed.lines
        ]


@dataclass(frozen=True, slots=True)
class ReadList:
    lines: tuple[ReadLine, ...]
    seconds: float

    @property
    def items(self) -> list[ReadLine]:
        return [line for line in self.lines if line.kind == "item"]

    @property
    def sure(self) -> list[ReadLine]:
        """The item lines that can go into the cart as read."""
        return [line for line in self.items if not line.unsure]

    @property
    def unsure(self) -> list[ReadLine]:
        """The item lines to ask about (`ReadLine.unsure`), in the list's order."""
        return [line for line in self.items if line.unsure]

    @property
    def unreadable(self) -> list[ReadLine]:
        return [line for line in self.lines if line.kind == "unreadable"]

    @property
    def text(self) -> str:
        """The item lines as a typed list: what the shopper's message would have been."""
        return "\n".join(line.text for line in self.items)

    @property
    def language(self) -> Language:
        return detect_language(self.text or "\n".join(line.text for line in self.lines))

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "language": self.language,
            "lines": [d for line in self.items for d in line.as_dicts()],
            "unreadable": [
                {"ocr_text": line.ocr.text, "ocr_confidence": line.ocr.confidence}
                for line in self.unreadable
            ],
            "unsure": [line.text for line in self.unsure],
            "ocr_lines": [
                {
                    "text": line.ocr.text,
                    "confidence": line.ocr.confidence,
                    "kind": line.kind,
                    "unsure": line.unsure,
                }
                for line in self.lines
            ],
            "seconds": round(self.seconds, 3),
        }


# What Tesseract makes of a quantity's characters. "1 kg" is read "| kg", "l kg" or "I kg";
# "500 g" is read "5OO g" or "500 9"; "kg" is read "k", "ka", "kq", "ks" in handwriting.
_ONE = frozenset({"|", "l", "I", "!", "]", "[", "i", "/", ")", "}", "\\"})
_DIGITISH = re.compile(r"^[\dOoSlI|]*\d[\dOoSlI|]*$")
_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "S": "5", "l": "1", "I": "1", "|": "1"})
_NUMBER = re.compile(r"^[\d०-९]+(?:[.,/][\d०-९]+)?$")
_SHORT_UNITS = {"k": "kg", "ka": "kg", "kq": "kg", "ks": "kg", "kj": "kg", "kb": "kg",
                "9": "g", "q": "g", "9m": "gm", "gn": "gm", "9ms": "gms", "k&": "kg"}  # fmt: skip
# … and in a Latin line, by the Hindi model too: "500 g" read "500 6" or "500 ७", "kg" "७७".
_LATIN_UNITS = {"6": "g", "६": "g", "७": "g", "७७": "kg", "४७": "kg", "४७७": "kg", "&७": "kg"}
# In a line with no Devanagari letter, Devanagari digits are Latin handwriting misread
# by the Hindi model: a written 4 looks like ५, a 0 like ०.
_LATIN_DIGITS = str.maketrans({"५": "4", "०": "0"})
_MISREAD_DIGITS = re.compile(r"^[\d०५]*[०५][\d०५]*$")
_UNIT_WORDS = [w for w in UNITS if len(w) >= 3]


def clean(text: str) -> str:
    """The line's words: no list number or bullet, no stray marks at either end."""
    for _ in range(3):  # "| 3: besan": a stray stroke before the number
        stripped = _MARKER.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    words = [w.strip(_STRAY) or w for w in _EDGE_NOISE.sub("", text).strip().split()]
    if (
        len(words) >= 3
        and _LEAD_NUMBER.match(words[0])
        and words[1].lower() not in UNITS
        and _LETTER.match(words[1])
        and any(_NUMBER.match(w) for w in words[2:])
    ):
        words = words[1:]
    return " ".join(words)


def repair(text: str) -> str:
    """A quantity as it was written, from how Tesseract misreads one: only next to a number
    (or a lone stroke before a unit), where the shop's list of units says what it must be."""
    words = text.split()
    latin = not _DEVANAGARI_LETTER.search(text)
    out: list[str] = []
    for i, written in enumerate(words):
        word = written
        if latin and _MISREAD_DIGITS.match(word):
            word = word.translate(_LATIN_DIGITS)
        after_number = bool(out) and bool(_NUMBER.match(out[-1]))
        following = words[i + 1].strip(".,").lower() if i + 1 < len(words) else ""
        if word in _ONE and (following in UNITS or following in _SHORT_UNITS):
            word = "1"
        elif _DIGITISH.match(word) and not word.isdigit():
            word = word.translate(_DIGIT_FIX)
        elif after_number:
            bare = word.strip(".,;:)|").lower()
            if bare in _SHORT_UNITS:
                word = _SHORT_UNITS[bare]
            elif latin and bare in _LATIN_UNITS:
                word = _LATIN_UNITS[bare]
            elif bare and bare not in UNITS and len(bare) >= 3:
                best = process.extractOne(bare, _UNIT_WORDS, scorer=fuzz.ratio, score_cutoff=72)
                if best is not None:
                    word = best[0]
        out.append(word)
    return " ".join(out)


def is_heading(text: str) -> bool:
    words = normalize(text).split()
    return bool(_DATE.match(text)) or (bool(words) and all(w in HEADING_WORDS for w in words))


def classify(ocr: OcrLine, text: str, parsed: ParsedMessage) -> LineKind | None:
    """What the line is (None: noise, not worth a word, e.g. a stray mark or a lone number)."""
    if len(_LETTER.findall(text)) < 2:
        return None
    if is_heading(text):
        return "heading"
    if any(line.resolution.product is not None for line in parsed.lines):
        return "item"
    return "item" if ocr.confidence >= SURE and parsed.lines else "unreadable"


def read_lines(engine: ItemEngine, ocr_lines: list[OcrLine], seconds: float = 0.0) -> ReadList:
    vocabulary = Vocabulary.of(engine)
    out = []
    for ocr in ocr_lines:
        text = repair(clean(ocr.text))
        parsed = engine.parse(text)
        mended = again_read = False
        if ocr.reread:
            second = repair(clean(ocr.reread))
            if second != text:
                again = engine.parse(second)
                if found(again):
                    text, parsed, again_read = second, again, True
        if not found(parsed):
            candidate = vocabulary.mend(text)
            if candidate != text:
                again = engine.parse(candidate)
                if found(again):
                    text, parsed, mended = candidate, again, True
        kind = classify(ocr, text, parsed)
        if kind is not None:
            out.append(ReadLine(ocr, text, parsed, kind, mended, again_read))
    return ReadList(tuple(out), seconds)


def found(parsed: ParsedMessage) -> bool:
    """Whether the engine placed every item of the line in the catalog."""
    return bool(parsed.lines) and all(line.resolution.product is not None for line in parsed.lines)


_LATIN_LETTER = re.compile(r"[A-Za-z]")


def doubtful(line: OcrLine) -> list[tuple[int, str]]:
    """The words of a line whose script disagrees with the rest of it, each with the one
    model to read it again: a Latin-looking word in a Devanagari line ("“at 1 लीटर" for
    घी 1 लीटर, the mixed model's guess at a handwritten word) is read by the Hindi model
    alone. Units and list words are what they seem and stay. (The other way round, the
    English model alone on Devanagari digits in a Latin line, measured a loss: `repair`
    reads those better.)"""
    texts = [w.text for w in line.words]
    if not any(_DEVANAGARI_LETTER.search(t) for t in texts):
        return []
    out = []
    for i, text in enumerate(texts):
        bare = text.strip(".,;:)(|[]{}\"'“”-").lower()
        if (
            _LATIN_LETTER.search(text)
            and not _DEVANAGARI_LETTER.search(text)
            and bare not in UNITS
            and bare not in HEADING_WORDS
        ):
            out.append((i, "hin"))
    return out


def reread_doubtful(image: Image.Image, lines: list[OcrLine], timeout: float) -> list[OcrLine]:
    """The lines with their doubtful words read again (`doubtful`), one Tesseract run per
    model, as each line's `reread`; lines with none are returned as they were."""
    started = time.monotonic()
    wanted: dict[str, list[tuple[int, int]]] = {}
    for n, line in enumerate(lines):
        for i, language in doubtful(line):
            wanted.setdefault(language, []).append((n, i))
    replaced: dict[int, dict[int, str]] = {}
    for language, places in sorted(wanted.items()):
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            raise OcrTimeout(f"re-reading ran over {timeout:.1f} s")
        boxes = [lines[n].words[i].box for n, i in places]
        for (n, i), text in zip(places, reread(image, boxes, language, remaining), strict=True):
            if text:
                replaced.setdefault(n, {})[i] = text
    out = []
    for n, line in enumerate(lines):
        if n not in replaced:
            out.append(line)
            continue
        words = [replaced[n].get(i, w.text) for i, w in enumerate(line.words)]
        out.append(replace(line, reread=" ".join(words)))
    return out


def recognise_image(
    image: Image.Image,
    preprocess: Preprocess | None = None,
    languages: str = LANGUAGES,
    psm: int = PAGE_SEGMENTATION,
    timeout: float = 10.0,
) -> list[OcrLine]:
    """Prepare and recognise: the OCR lines of a loaded picture, within `timeout` seconds
    for Tesseract (preparing is bounded by the picture's size limit)."""
    started = time.monotonic()
    prepared = prepare(image, preprocess)
    lines = recognise(prepared, languages, psm, timeout)
    return reread_doubtful(prepared, lines, timeout - (time.monotonic() - started))


def read_list(
    data: bytes,
    engine: ItemEngine,
    preprocess: Preprocess | None = None,
    timeout: float = 10.0,
) -> ReadList:
    """The photo's bytes to its list. Raises `UnreadableImage` for what is not a picture,
    `OcrTimeout` past `timeout` seconds and `OcrUnavailable` without Tesseract."""
    started = time.monotonic()
    prepared = prepare(load(data), preprocess)
    remaining = timeout - (time.monotonic() - started)
    if remaining <= 0:
        raise OcrTimeout(f"preparing the picture took over {timeout:.1f} s")
    ocr_lines = recognise(prepared, timeout=remaining)
    ocr_lines = reread_doubtful(prepared, ocr_lines, timeout - (time.monotonic() - started))
    return read_lines(engine, ocr_lines, time.monotonic() - started)
