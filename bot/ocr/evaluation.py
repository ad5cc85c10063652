"""Scoring photos of lists against the lines written on them (`data/eval/lists/gold.yml`).

A gold line is **right** when the line read from the photo puts the same thing in the cart as
the gold line typed: the same products, quantities and units from the item engine. That is
what the shopper cares about ("suger 2 kg" read for "sugar 2 kg" is right; "sugar 7 kg" is
not), and it does not punish a bullet read as a dash. The stricter **text** measure (the
normalised words identical, marker aside) is reported beside it.

Lines are paired in order: each gold line with the most similar line read from the same
photo not yet paired (rapidfuzz ratio of the normalised text, at least `PAIRING_SIMILARITY`),
so a missed line counts once and does not shift every line after it. Read lines paired with
no gold line are counted as `extra` (noise that would reach the cart or the shopper).
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz

from bot.engine import ItemEngine
from bot.ocr.image import Preprocess, load
from bot.ocr.reading import ReadList, clean, read_lines, recognise_image
from bot.ocr.recognise import LANGUAGES, PAGE_SEGMENTATION
from bot.text.normalize import normalize

PAIRING_SIMILARITY = 50.0
CartKey = tuple[tuple[str | None, float | None, str | None], ...]


@dataclass(frozen=True, slots=True)
class GoldImage:
    image: Path
    script: str  # latin, devanagari, mixed
    hand: str  # printed, handwriting
    photo: bool
    lines: tuple[str, ...]

    @property
    def group(self) -> str:
        return f"{self.script}/{'photo' if self.photo else 'clean'}"


@dataclass(frozen=True, slots=True)
class Setting:
    """One way of reading: preparation steps, Tesseract's languages and segmentation mode."""

    name: str
    preprocess: Preprocess
    languages: str = LANGUAGES
    psm: int = PAGE_SEGMENTATION


def load_gold(folder: Path) -> list[GoldImage]:
    entries = yaml.safe_load((folder / "gold.yml").read_text(encoding="utf-8"))
    return [
        GoldImage(folder / e["image"], e["script"], e["hand"], bool(e["photo"]), tuple(e["lines"]))
        for e in entries
    ]


def cart_key(engine: ItemEngine, text: str) -> CartKey:
    """What the line puts in the cart: each item's product, quantity and unit."""
    parsed = engine.parse(text)
    return tuple(
        (
            line.resolution.product.sku if line.resolution.product else None,
            float(line.quantity) if line.quantity is not None else None,
            line.unit,
        )
        for line in parsed.lines
    )


def text_key(text: str) -> str:
    return normalize(clean(text)).replace(" ", "")


def pair(gold: list[str], read: list[str]) -> list[int | None]:
    """For each gold line the index of its read line, or None: the order-keeping pairing with
    the most similarity in all (dynamic programming over both lists, like a diff), pairs
    below `PAIRING_SIMILARITY` not allowed."""
    n, m = len(gold), len(read)
    sim = [[fuzz.ratio(g, r) for r in read] for g in gold]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= PAIRING_SIMILARITY else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out: list[int | None] = []
    i = j = 0
    while i < n:
        if (
            j < m
            and sim[i][j] >= PAIRING_SIMILARITY
            and best[i][j] == sim[i][j] + best[i + 1][j + 1]
        ):
            out.append(j)
            i, j = i + 1, j + 1
        elif j < m and best[i][j] == best[i][j + 1]:
            j += 1
        else:
            out.append(None)
            i += 1
    return out


def score_image(engine: ItemEngine, gold: GoldImage, read: ReadList) -> dict[str, Any]:
    """Per gold line: its read line, right (the same cart) and right (the same words)."""
    candidates = [line for line in read.lines if line.kind != "heading"]
    pairs = pair([normalize(clean(g)) for g in gold.lines], [normalize(c.text) for c in candidates])
    rows: list[dict[str, Any]] = []
    for expected, index in zip(gold.lines, pairs, strict=True):
        if index is None:
            rows.append({"gold": expected, "read": None, "right": False, "text_right": False})
            continue
        line = candidates[index]
        rows.append(
            {
                "gold": expected,
                "read": line.ocr.text,
                "kind": line.kind,
                "ocr_confidence": line.ocr.confidence,
                "right": line.kind == "item"
                and cart_key(engine, line.text) == cart_key(engine, expected),
                "unsure": line.unsure,
                "text_right": text_key(line.text) == text_key(expected),
            }
        )
    used = {i for i in pairs if i is not None}
    extra = [c.ocr.text for i, c in enumerate(candidates) if i not in used]
    return {"lines": rows, "extra": extra}


def evaluate(
    engine: ItemEngine,
    images: list[GoldImage],
    setting: Setting,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every image read with `setting`: line accuracy per script and clean/photo, seconds."""
    per_image = []
    for gold in images:
        started = time.monotonic()
        cpu = _cpu_seconds()
        ocr = recognise_image(
            load(gold.image.read_bytes()),
            setting.preprocess,
            setting.languages,
            setting.psm,
            timeout=60.0,
        )
        read = read_lines(engine, ocr)
        seconds = time.monotonic() - started
        cpu = _cpu_seconds() - cpu
        scored = score_image(engine, gold, read)
        per_image.append(
            {
                "image": gold.image.name,
                "group": gold.group,
                "script": gold.script,
                "hand": gold.hand,
                "photo": gold.photo,
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu, 3),
                **scored,
            }
        )
        if progress:
            right = sum(r["right"] for r in scored["lines"])
            progress(f"{gold.image.name}: {right}/{len(gold.lines)} in {seconds:.2f} s")
    return {"setting": describe(setting), "summary": summarise(per_image), "images": per_image}


def _cpu_seconds() -> float:
    """Processor time of this process and of the Tesseract children it has waited for: on a
    machine shared with other work, what the wall clock would be on an idle one."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def describe(setting: Setting) -> dict[str, Any]:
    p = setting.preprocess
    return {
        "name": setting.name,
        "languages": setting.languages,
        "psm": setting.psm,
        "preprocess": {
            "page": p.page,
            "flatten": p.flatten,
            "threshold": p.threshold,
            "deskew": p.deskew,
            "rescale": p.rescale,
        },
    }


def summarise(per_image: list[dict[str, Any]]) -> dict[str, Any]:
    def block(images: list[dict[str, Any]]) -> dict[str, Any]:
        lines = [r for im in images for r in im["lines"]]
        seconds = [im["seconds"] for im in images]
        cpu = [im["cpu_seconds"] for im in images]
        return {
            "images": len(images),
            "lines": len(lines),
            "line_accuracy": round(sum(r["right"] for r in lines) / len(lines), 4)
            if lines
            else None,
            "text_accuracy": round(sum(r["text_right"] for r in lines) / len(lines), 4)
            if lines
            else None,
            "extra_lines": sum(len(im["extra"]) for im in images),
            # what the shopper would be asked about, and what would reach the cart unasked
            # and wrong: the cost of asking set against the cost of not asking
            "unsure_lines": sum(bool(r.get("unsure")) for r in lines),
            "wrong_unasked": sum(
                r.get("kind") == "item" and not r["right"] and not r.get("unsure") for r in lines
            ),
            "right_asked": sum(bool(r["right"] and r.get("unsure")) for r in lines),
            "seconds_median": round(statistics.median(seconds), 3) if seconds else None,
            "seconds_max": round(max(seconds), 3) if seconds else None,
            "cpu_seconds_median": round(statistics.median(cpu), 3) if cpu else None,
        }

    groups: dict[str, list[dict[str, Any]]] = {}
    for im in per_image:
        kind = "photo" if im["photo"] else "clean"
        for key in ("all", kind, im["script"], f"{im['script']}/{kind}", f"{im['hand']}/{kind}"):
            groups.setdefault(key, []).append(im)
    return {key: block(images) for key, images in sorted(groups.items())}


# The ways of reading `chatcart evaluate lists --compare` measures; `chosen` is what the bot
# does (Preprocess() and recognise's defaults), each other one changes one thing.
SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("chosen", Preprocess()),
        Setting("raw", Preprocess.raw()),
        Setting("no-page", Preprocess(page=False)),
        Setting("no-flatten", Preprocess(flatten=False)),
        Setting("no-deskew", Preprocess(deskew=False)),
        Setting("no-rescale", Preprocess(rescale=False)),
        Setting("otsu", Preprocess(threshold="otsu")),
        Setting("sauvola", Preprocess(threshold="sauvola")),
        Setting("psm-6", Preprocess(), psm=6),
        Setting("psm-3", Preprocess(), psm=3),
        Setting("hin+eng", Preprocess(), languages="hin+eng"),
    )
}
