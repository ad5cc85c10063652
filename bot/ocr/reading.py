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
from dataclasses import dataclass
from typing import Any, Literal

from PIL import Image
from rapidfuzz import fuzz, process

from bot.engine import ItemEngine, ParsedMessage
from bot.ocr.image import Preprocess, load, prepare
from bot.ocr.recognise import LANGUAGES, PAGE_SEGMENTATION, OcrLine, OcrTimeout, recognise
from bot.parsing.lexicon import UNITS
from bot.text.language import Language, detect_language
from bot.text.normalize import normalize

MAX_BYTES = 5 * 2**20  # WhatsApp's own limit for an image; a document may be larger
TIME_LIMIT = 15.0  # seconds for one photo, preparing and Tesseract together (typically 1–2 s)
SURE = 0.80  # at or above this mean word confidence, Tesseract's reading of a line stands
LineKind = Literal["item", "heading", "unreadable"]
# A list's numbers and bullets, and what Tesseract makes of bullets: not part of the item.
_MARKER = re.compile(r"^\s*(?:[\d०-९]{1,2}\s*[.),:\]]|[-–—•·*+>»«°©®~=_|\\/\"“”']+|[eo](?=\s))\s*")
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

    def as_dicts(self) -> list[dict[str, Any]]:
        """The line's item lines as `chatcart parse --json` gives them, with the OCR's own
        reading and confidence beside each."""
        return [
            {**line.as_dict(), "ocr_text": self.ocr.text, "ocr_confidence": self.ocr.confidence}
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
            "ocr_lines": [
                {"text": line.ocr.text, "confidence": line.ocr.confidence, "kind": line.kind}
                for line in self.lines
            ],
            "seconds": round(self.seconds, 3),
        }


# What Tesseract makes of a quantity's characters. "1 kg" is read "| kg", "l kg" or "I kg";
# "500 g" is read "5OO g" or "500 9"; "kg" is read "k", "ka", "kq", "ks" in handwriting.
_ONE = frozenset({"|", "l", "I", "!", "]", "[", "i", "/"})
_DIGITISH = re.compile(r"^[\dOoSlI|]*\d[\dOoSlI|]*$")
_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "S": "5", "l": "1", "I": "1", "|": "1"})
_NUMBER = re.compile(r"^[\d०-९]+(?:[.,/][\d०-९]+)?$")
_SHORT_UNITS = {"k": "kg", "ka": "kg", "kq": "kg", "ks": "kg", "kj": "kg", "kb": "kg",
                "9": "g", "q": "g", "9m": "gm", "gn": "gm", "9ms": "gms"}  # fmt: skip
_UNIT_WORDS = [w for w in UNITS if len(w) >= 3]


def clean(text: str) -> str:
    """The line's words: no list number or bullet, no stray marks at either end."""
    text = _MARKER.sub("", text, count=1)
    return _EDGE_NOISE.sub("", text).strip()


def repair(text: str) -> str:
    """A quantity as it was written, from how Tesseract misreads one: only next to a number
    (or a lone stroke before a unit), where the shop's list of units says what it must be."""
    words = text.split()
    out: list[str] = []
    for i, written in enumerate(words):
        word = written
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
    out = []
    for ocr in ocr_lines:
        text = repair(clean(ocr.text))
        parsed = engine.parse(text)
        kind = classify(ocr, text, parsed)
        if kind is not None:
            out.append(ReadLine(ocr, text, parsed, kind))
    return ReadList(tuple(out), seconds)


def recognise_image(
    image: Image.Image,
    preprocess: Preprocess | None = None,
    languages: str = LANGUAGES,
    psm: int = PAGE_SEGMENTATION,
    timeout: float = 10.0,
) -> list[OcrLine]:
    """Prepare and recognise: the OCR lines of a loaded picture, within `timeout` seconds
    for Tesseract (preparing is bounded by the picture's size limit)."""
    return recognise(prepare(image, preprocess), languages, psm, timeout)


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
    return read_lines(engine, ocr_lines, time.monotonic() - started)
