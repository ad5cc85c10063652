"""Generate `data/eval/lists/`: photos of shopping lists with their gold lines, for
`chatcart evaluate lists`.

Real photos of real lists are what shoppers send, but none can be taken on this machine, so
the set is drawn: printed and handwriting-style fonts, Latin (English and Hinglish),
Devanagari and mixed lists, numbered, bulleted or bare, each drawn once clean (a scan or a
screenshot) and once as a phone photo would show it (paper on a table, perspective, a slight
rotation, a shadow, uneven light, blur, sensor noise and JPEG compression). Everything is
decided by a seeded random generator, so running the script again gives the same set.

    .venv/bin/python scripts/make_list_images.py [--out data/eval/lists]

The fonts come from Debian packages (`make tesseract` installs them with Tesseract):
fonts-noto-core, fonts-dejavu, fonts-liberation (printed), fonts-comic-neue,
fonts-dkg-handwriting, fonts-humor-sans (Latin handwriting-style), fonts-lohit-deva,
fonts-deva-extra, fonts-aksharyogini2 (Devanagari).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = Path("/usr/share/fonts")
PRINTED_LATIN = [
    "truetype/dejavu/DejaVuSans.ttf",
    "truetype/liberation/LiberationSerif-Regular.ttf",
    "truetype/noto/NotoSans-Regular.ttf",
    "truetype/liberation/LiberationSans-Regular.ttf",
]
HAND_LATIN = [
    "opentype/comic-neue/ComicNeue-Regular.otf",
    "truetype/fifthhorseman/dkg.ttf",
    "truetype/humor-sans/Humor-Sans.ttf",
]
PRINTED_DEVANAGARI = [
    "truetype/noto/NotoSansDevanagari-Regular.ttf",
    "truetype/lohit-devanagari/Lohit-Devanagari.ttf",
    "truetype/noto/NotoSerifDevanagari-Regular.ttf",
]
HAND_DEVANAGARI = [
    "truetype/fonts-aksharyogini2/Aksharyogini2Normal.ttf",
    "truetype/fonts-deva-extra/samanata.ttf",
    "truetype/fonts-deva-extra/kalimati.ttf",
]

# Items as a shopper writes them: every one resolves in the shop's catalog when typed.
LATIN = [
    "atta 5 kg", "sugar 2 kg", "toor dal 1 kg", "milk 2 litre", "tata salt 1 kg",
    "maggi 4 packet", "surf excel 1 kg", "besan 500 g", "mustard oil 1 litre", "eggs 1 dozen",
    "bread 1", "paneer 200 g", "dahi 400 g", "haldi 200 g", "chai patti 500 g", "onion 2 kg",
    "potato 3 kg", "tomato 1 kg", "basmati rice 5 kg", "ghee 1 litre", "moong dal 500 g",
    "poha 1 kg", "sooji 500 g", "rajma 1 kg", "chana dal 1 kg", "jeera 100 g",
    "dhaniya powder 200 g", "biscuit 3 packet", "lux soap 4", "vim bar 2", "coffee 200 g",
    "butter 500 g", "maida 1 kg", "gud 1 kg",
]  # fmt: skip
DEVANAGARI = [
    "आटा 5 किलो", "चीनी 2 किलो", "तूर दाल 1 किलो", "दूध 2 लीटर", "नमक 1 किलो",
    "मैगी 4 पैकेट", "बेसन 500 ग्राम", "सरसों तेल 1 लीटर", "अंडे 1 दर्जन", "पनीर 200 ग्राम",
    "दही 400 ग्राम", "हल्दी 200 ग्राम", "चाय पत्ती 500 ग्राम", "प्याज 2 किलो", "आलू 3 किलो",
    "टमाटर 1 किलो", "चावल 5 किलो", "घी 1 लीटर", "मूंग दाल 500 ग्राम", "पोहा 1 किलो",
    "सूजी 500 ग्राम", "राजमा 1 किलो", "चना दाल 1 किलो", "जीरा 100 ग्राम",
    "धनिया पाउडर 200 ग्राम", "बिस्किट 3 पैकेट", "मक्खन 500 ग्राम", "मैदा 1 किलो", "ब्रेड 1",
]  # fmt: skip
# A line of one script with a word of the other: how many families write.
MIXED_ONLY = ["2 kg चीनी", "आटा 5 kg", "दूध 1 litre", "maggi 4 पैकेट", "तेल 1 litre"]
MARKERS = ["", "{n}. ", "{n}) ", "- ", "• ", "* "]
DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")
SCRIPTS = ("latin", "devanagari", "mixed")
HANDS = ("printed", "handwriting")
PER_KIND = 6  # images per script × hand × clean/photo: 72 in all


@dataclass(frozen=True)
class Sheet:
    name: str
    script: str
    hand: str
    lines: list[str]


def is_devanagari(ch: str) -> bool:
    return "\u0900" <= ch <= "\u097f"


def runs(text: str) -> list[tuple[str, bool]]:
    """The line cut where the script changes (spaces stay with the run before), so each run
    is drawn with a font that has its glyphs."""
    out: list[tuple[str, bool]] = []
    for ch in text:
        deva = is_devanagari(ch) if ch.strip() and ch not in "0123456789" else None
        if out and (deva is None or deva == out[-1][1]):
            out[-1] = (out[-1][0] + ch, out[-1][1])
        else:
            out.append((ch, bool(deva)))
    return out


def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    full = FONTS / path
    if not full.exists():
        sys.exit(f"missing font {full}: run `make tesseract` (it installs the fonts too)")
    return ImageFont.truetype(str(full), size, layout_engine=ImageFont.Layout.RAQM)


def choose_lines(rng: random.Random, script: str) -> list[str]:
    count = rng.randint(5, 8)
    if script == "latin":
        items = rng.sample(LATIN, count)
    elif script == "devanagari":
        items = rng.sample(DEVANAGARI, count)
    else:
        half = count // 2
        items = rng.sample(LATIN, half) + rng.sample(DEVANAGARI, count - half - 1)
        items.append(rng.choice(MIXED_ONLY))
        rng.shuffle(items)
    marker = rng.choice(MARKERS)
    hindi_digits = script == "devanagari" and rng.random() < 0.3
    lines = []
    for n, item in enumerate(items, start=1):
        line = marker.format(n=n) + item
        lines.append(line.translate(DEVANAGARI_DIGITS) if hindi_digits else line)
    return lines


def draw_sheet(rng: random.Random, sheet: Sheet) -> Image.Image:
    """The list on paper, as a scan would show it."""
    width, height = 1000, 1400
    paper = (rng.randint(238, 255), rng.randint(236, 252), rng.randint(225, 245))
    image = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(image)
    hand = sheet.hand == "handwriting"
    size = rng.randint(44, 58) if hand else rng.randint(36, 50)
    gap = int(size * rng.uniform(1.7, 2.1))
    if hand and rng.random() < 0.6:  # a ruled notebook page
        for y in range(160, height, gap):
            draw.line(
                [(0, y + int(size * 0.35)), (width, y + int(size * 0.35))], (170, 190, 225), 2
            )
        draw.line([(90, 0), (90, height)], (225, 140, 140), 2)
    latin = font(rng.choice(HAND_LATIN if hand else PRINTED_LATIN), size)
    deva = font(rng.choice(HAND_DEVANAGARI if hand else PRINTED_DEVANAGARI), size)
    ink = rng.choice([(20, 20, 30), (20, 30, 110), (60, 60, 60)]) if hand else (15, 15, 15)
    if rng.random() < 0.5:
        title = "सामान की लिस्ट" if sheet.script == "devanagari" else "Saman list"
        draw.text((120, 60), title, font=deva if sheet.script == "devanagari" else latin, fill=ink)
    y = 160
    for line in sheet.lines:
        x = 120 + (rng.randint(-12, 18) if hand else 0)
        layer = Image.new("L", (width, gap + size), 0)
        ld = ImageDraw.Draw(layer)
        lx = 0
        for text, is_deva in runs(line):
            f = deva if is_deva else latin
            ld.text((lx, size * 0.2), text, font=f, fill=255)
            lx += int(ld.textlength(text, font=f))
        if hand:  # a hand drifts: each line tilts a little
            layer = layer.rotate(rng.uniform(-2.0, 2.0), resample=Image.Resampling.BICUBIC)
        image.paste(Image.new("RGB", layer.size, ink), (x, y - int(size * 0.2)), layer)
        y += gap
    return image


def photograph(rng: random.Random, sheet: Image.Image) -> Image.Image:
    """The sheet as a phone sees it: on a table, at an angle, under uneven light."""
    w, h = sheet.size
    table = tuple(rng.randint(60, 140) for _ in range(3))
    canvas = Image.new("RGB", (int(w * 1.25), int(h * 1.2)), table)
    canvas.paste(sheet, ((canvas.width - w) // 2, (canvas.height - h) // 2))
    canvas = canvas.rotate(rng.uniform(-6, 6), resample=Image.Resampling.BICUBIC, fillcolor=table)
    # perspective: move each corner a little (the phone is not held parallel to the page)
    cw, ch = canvas.size
    j = 0.06
    src = [
        (rng.uniform(0, j) * cw, rng.uniform(0, j) * ch),
        (cw - rng.uniform(0, j) * cw, rng.uniform(0, j) * ch),
        (cw - rng.uniform(0, j) * cw, ch - rng.uniform(0, j) * ch),
        (rng.uniform(0, j) * cw, ch - rng.uniform(0, j) * ch),
    ]
    dst = [(0, 0), (cw, 0), (cw, ch), (0, ch)]
    canvas = canvas.transform(
        canvas.size,
        Image.Transform.PERSPECTIVE,
        _perspective(dst, src),
        Image.Resampling.BICUBIC,
        fillcolor=table,
    )
    pixels = np.asarray(canvas).astype(np.float32)
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    # light from one side, and the phone's (or a hand's) shadow across a corner
    angle = rng.uniform(0, 2 * np.pi)
    light = 1.0 - 0.25 * ((np.cos(angle) * xx / cw + np.sin(angle) * yy / ch + 1) / 2)
    cx, cy = rng.uniform(0, cw), rng.uniform(0, ch)
    shadow = 1.0 - rng.uniform(0.2, 0.45) / (1 + np.exp(((xx - cx) + (yy - cy)) / (0.04 * cw)))
    pixels *= (light * shadow)[..., None]
    warm = np.array([1.0, rng.uniform(0.93, 1.0), rng.uniform(0.82, 0.95)], np.float32)
    pixels *= warm
    out = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.6)))
    out = out.resize((int(cw * 0.72), int(ch * 0.72)), Image.Resampling.BILINEAR)
    noisy = np.asarray(out).astype(np.float32)
    noisy += np.random.default_rng(rng.randint(0, 2**32)).normal(0, rng.uniform(3, 9), noisy.shape)
    out = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    out.save(buffer, "JPEG", quality=rng.randint(35, 70))
    return Image.open(io.BytesIO(buffer.getvalue()))


def _perspective(
    dst: list[tuple[float, float]], src: list[tuple[float, float]]
) -> tuple[float, ...]:
    """PIL's eight perspective coefficients mapping output points `dst` to input `src`."""
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=np.float64)
    b = np.array([c for p in src for c in p], dtype=np.float64)
    return tuple(float(c) for c in np.linalg.solve(a, b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "eval" / "lists")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)
    gold = []
    for script in SCRIPTS:
        for hand in HANDS:
            for n in range(1, PER_KIND + 1):
                lines = choose_lines(rng, script)
                sheet = draw_sheet(rng, Sheet(f"{script}-{hand}-{n:02d}", script, hand, lines))
                for photo in (False, True):
                    name = f"{script}-{hand}-{n:02d}-{'photo' if photo else 'clean'}"
                    if photo:
                        file = f"{name}.jpg"
                        photograph(rng, sheet).save(out / file, quality=90)
                    else:
                        file = f"{name}.png"
                        sheet.convert("L").save(out / file, optimize=True)
                    gold.append(
                        {"image": file, "script": script, "hand": hand, "photo": photo,
                         "lines": lines}
                    )  # fmt: skip
    header = (
        "# Photos of shopping lists and the lines written on them, for `chatcart evaluate lists`.\n"
        "# Generated by scripts/make_list_images.py (seeded): run it again rather than edit.\n"
    )
    text = yaml.safe_dump(gold, allow_unicode=True, sort_keys=False, width=100)
    (out / "gold.yml").write_text(header + text, encoding="utf-8")
    print(f"{len(gold)} images in {out}")


if __name__ == "__main__":
    main()
