"""Tesseract over a prepared picture: its text lines, each with a confidence.

Through pytesseract, which runs Debian's `tesseract` (5.x, LSTM) as a child process: a
crash or a hang in the engine cannot take the worker with it, and its `timeout` kills the
child, which is how the worker's time limit holds. English and Hindi models together
(`eng+hin`) read Latin, Devanagari and lists that mix them in one pass; `chatcart evaluate
lists` measured that against other orders and page-segmentation modes.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass

import pytesseract
from PIL import Image

LANGUAGES = "eng+hin"
PAGE_SEGMENTATION = 4  # one column of lines of varying size: what a list is


class OcrUnavailable(Exception):
    """Tesseract (or its English or Hindi model) is not installed: `make tesseract`."""


class OcrTimeout(Exception):
    """Tesseract did not finish within the time it was given."""


Box = tuple[int, int, int, int]  # left, top, width, height in the prepared image


@dataclass(frozen=True, slots=True)
class OcrWord:
    text: str
    confidence: float
    box: Box


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line as Tesseract read it: words joined by spaces, their mean confidence (0–1)
    and the line's box in the prepared image (left, top, width, height). `reread` is the
    line with its doubtful words read again by one script's model alone (see `reread`)."""

    text: str
    confidence: float
    box: Box
    words: tuple[OcrWord, ...] = ()
    reread: str | None = None


def available() -> str | None:
    """Why OCR cannot run here, or None when it can."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        return "tesseract is not installed (make tesseract)"
    try:
        have = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractError as e:
        return f"tesseract does not start: {e}"
    missing = [lang for lang in LANGUAGES.split("+") if lang not in have]
    return f"tesseract has no {', '.join(missing)} model (make tesseract)" if missing else None


def recognise(
    image: Image.Image,
    languages: str = LANGUAGES,
    psm: int = PAGE_SEGMENTATION,
    timeout: float = 10.0,
) -> list[OcrLine]:
    """The picture's text lines, top to bottom; empty when it holds no text."""
    config = f"--psm {psm} --oem 1 -c preserve_interword_spaces=0"
    started = time.monotonic()
    try:
        data = pytesseract.image_to_data(
            image,
            lang=languages,
            config=config,
            output_type=pytesseract.Output.DICT,
            timeout=max(timeout, 0.5),
        )
    except pytesseract.TesseractNotFoundError as e:
        raise OcrUnavailable(str(e)) from e
    except RuntimeError as e:  # pytesseract says a timeout with a bare RuntimeError
        if "timeout" in str(e).lower():
            raise OcrTimeout(f"tesseract ran over {timeout:.1f} s") from e
        raise
    except pytesseract.TesseractError as e:
        if time.monotonic() - started >= timeout:
            raise OcrTimeout(f"tesseract ran over {timeout:.1f} s") from e
        raise OcrUnavailable(str(e)) from e
    return lines_of(data)


STRIP_GAP = 0.6  # of the tallest word: white between the words stacked for a re-read
STRIP_PAD = 4  # pixels of the page kept around each word


def reread(image: Image.Image, boxes: list[Box], languages: str, timeout: float) -> list[str]:
    """The words in `boxes` read again with `languages`, in one run of Tesseract: each is
    cut out and stacked on a strip of its own row, so one child process (and one load of
    the model) reads them all. A word read as nothing gives ""."""
    if not boxes:
        return []
    crops = [
        image.crop(
            (
                max(0, x - STRIP_PAD),
                max(0, y - STRIP_PAD),
                min(image.width, x + w + STRIP_PAD),
                min(image.height, y + h + STRIP_PAD),
            )
        )
        for x, y, w, h in boxes
    ]
    gap = max(12, int(max(c.height for c in crops) * STRIP_GAP))
    width = max(c.width for c in crops) + 2 * gap
    height = sum(c.height for c in crops) + gap * (len(crops) + 1)
    strip = Image.new("L", (width, height), 255)
    rows: list[tuple[int, int]] = []
    y = gap
    for crop in crops:
        strip.paste(crop.convert("L"), (gap, y))
        rows.append((y, y + crop.height))
        y += crop.height + gap
    try:
        data = pytesseract.image_to_data(
            strip,
            lang=languages,
            config="--psm 6 --oem 1",
            output_type=pytesseract.Output.DICT,
            timeout=max(timeout, 0.5),
        )
    except RuntimeError as e:
        raise OcrTimeout(f"tesseract ran over {timeout:.1f} s re-reading") from e
    found: list[list[str]] = [[] for _ in crops]
    for i, word in enumerate(data["text"]):
        if float(str(data["conf"][i])) < 0 or not str(word).strip():
            continue
        middle = int(str(data["top"][i])) + int(str(data["height"][i])) // 2
        for k, (top, bottom) in enumerate(rows):
            if top - gap // 2 <= middle < bottom + gap // 2:
                found[k].append(str(word).strip())
                break
    return [" ".join(words) for words in found]


def lines_of(data: dict[str, list[object]]) -> list[OcrLine]:
    """Tesseract's word table grouped into lines (block, paragraph, line), in reading order;
    words it gave no confidence (layout rows, conf -1) and empty lines left out."""
    grouped: dict[tuple[int, int, int], list[int]] = {}
    for i, word in enumerate(data["text"]):
        conf = float(str(data["conf"][i]))
        if conf < 0 or not str(word).strip():
            continue
        key = (
            int(str(data["block_num"][i])),
            int(str(data["par_num"][i])),
            int(str(data["line_num"][i])),
        )
        grouped.setdefault(key, []).append(i)
    out = []
    for indexes in grouped.values():
        words = [str(data["text"][i]).strip() for i in indexes]
        confs = [float(str(data["conf"][i])) / 100 for i in indexes]
        lefts = [int(str(data["left"][i])) for i in indexes]
        tops = [int(str(data["top"][i])) for i in indexes]
        rights = [lefts[k] + int(str(data["width"][i])) for k, i in enumerate(indexes)]
        bottoms = [tops[k] + int(str(data["height"][i])) for k, i in enumerate(indexes)]
        box = (min(lefts), min(tops), max(rights) - min(lefts), max(bottoms) - min(tops))
        # weigh each word's confidence by its length: a confident "1." beside an unsure
        # "atta" should not make the line look read
        weights = [max(1, len(w)) for w in words]
        confidence = sum(c * w for c, w in zip(confs, weights, strict=True)) / sum(weights)
        boxes = [
            (lefts[k], tops[k], rights[k] - lefts[k], bottoms[k] - tops[k])
            for k in range(len(indexes))
        ]
        own = tuple(OcrWord(w, c, b) for w, c, b in zip(words, confs, boxes, strict=True))
        out.append(OcrLine(" ".join(words), round(confidence, 3), box, own))
    out.sort(key=lambda line: (line.box[1], line.box[0]))
    return out
