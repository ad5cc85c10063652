"""Loading a shopper's picture and preparing it for Tesseract.

Phone photos of paper lists are what this is for: uneven light, a shadow across the page, the
page at a slight angle, text that is small in a large picture or large in a small one.
Tesseract binarises with one global (Otsu) threshold, which a shadow defeats, and its LSTM
models read best at a text height of some 30–40 pixels. Each step below answers one of
those, and `Preprocess` switches them one at a time, so `chatcart evaluate lists` can measure
what each is worth rather than assume it (README: *A photo of a shopping list*).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

MAX_PIXELS = 50_000_000  # a 12-megapixel phone photo is 12 M; more is a bomb, not a list
SMALL_LINE_PX = 20  # a band of text (a line's rows of ink) lower than this is upscaled …
TARGET_LINE_PX = 28  # … to this; larger text is left alone: upscaling it measured worse
MAX_SIDE = 2600  # never work on more than this: time grows with the pixels
Gray = npt.NDArray[np.float32]


class UnreadableImage(Exception):
    """The bytes are not a picture we can open (or one too large to be a list)."""


@dataclass(frozen=True, slots=True)
class Preprocess:
    """Which preparation steps run; the defaults are the ones the evaluation chose
    (`chatcart evaluate lists --compare`: finding the sheet and warping it flat took the
    photo-like images from 61.9 % of lines right to 79.3 %; flattening and deskewing each
    paid off on the photo-like images; upscaling text that was already 25–40 pixels high cost accuracy,
    so only small text is upscaled; binarising here, Otsu or Sauvola, did not help)."""

    page: bool = True  # find the sheet on the table and warp it flat (perspective, rotation)
    flatten: bool = True  # divide by the blurred page: shadows and uneven light out
    threshold: Literal["none", "otsu", "sauvola"] = (
        "none"  # binarise here, or leave it to Tesseract
    )
    deskew: bool = True  # straighten text lines tilted by up to MAX_SKEW degrees
    rescale: bool = True  # upscale small text (lines under SMALL_LINE_PX) to TARGET_LINE_PX

    @classmethod
    def raw(cls) -> Preprocess:
        """Grayscale only: the baseline every step is measured against."""
        return cls(page=False, flatten=False, threshold="none", deskew=False, rescale=False)


def load(data: bytes) -> Image.Image:
    """The picture as 8-bit grayscale, turned upright as the phone recorded (EXIF)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            if opened.width * opened.height > MAX_PIXELS:
                raise UnreadableImage(f"{opened.width}×{opened.height} pixels is too large")
            opened.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning, ValueError) as e:
        raise UnreadableImage(str(e)) from e
    image: Image.Image = ImageOps.exif_transpose(opened) or opened
    if image.mode in ("RGBA", "LA", "P"):  # transparent screenshots: on white, not on black
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return image.convert("L")


def prepare(image: Image.Image, options: Preprocess | None = None) -> Image.Image:
    """The grayscale picture made easy for Tesseract, as `options` say."""
    options = options or Preprocess()
    if max(image.size) > MAX_SIDE:
        image = _scaled(image, MAX_SIDE / max(image.size))
    gray = np.asarray(image, dtype=np.float32)
    if options.page:
        quad = page_corners(gray)
        if quad is not None:
            gray = unwarp(gray, quad)
    if options.flatten:
        gray = flatten(gray)
    if options.deskew:
        angle = skew_angle(gray)
        if abs(angle) >= 0.3:
            gray = _rotate(gray, angle)
    if options.rescale:
        height = line_height(gray)
        if height and height < SMALL_LINE_PX:
            factor = min(3.0, TARGET_LINE_PX / height, MAX_SIDE / max(gray.shape))
            if factor > 1.15:
                gray = _resize(gray, factor)
    if options.threshold == "otsu":
        gray = np.where(gray > otsu(gray), 255.0, 0.0).astype(np.float32)
    elif options.threshold == "sauvola":
        gray = sauvola(gray)
    return Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8))


def flatten(gray: Gray) -> Gray:
    """The page's own brightness divided out: a shadow or a lamp's falloff becomes the same
    white as the rest of the paper, so one threshold fits the whole page again. The page is
    estimated by a blur much wider than a stroke (ink is thin, paper is everywhere)."""
    image = Image.fromarray(gray.astype(np.uint8))
    radius = max(8.0, max(gray.shape) / 40)
    # the maximum filter first lifts the paper over the strokes, so ink does not darken it
    background = image.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(radius))
    page = np.asarray(background, dtype=np.float32)
    out: Gray = np.clip(gray / np.maximum(page, 1.0) * 255.0, 0, 255).astype(np.float32)
    return out


def otsu(gray: Gray) -> float:
    """Otsu's threshold: the gray level that best separates ink from paper."""
    hist = np.bincount(np.clip(gray, 0, 255).astype(np.uint8).ravel(), minlength=256)
    total = hist.sum()
    levels = np.arange(256, dtype=np.float64)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1.0)
    return float(np.argmax(between))


def sauvola(gray: Gray, window: int = 41, k: float = 0.2) -> Gray:
    """Sauvola's local threshold (mean and deviation in a window, via integral images)."""
    pad = window // 2
    padded = np.pad(gray.astype(np.float64), pad + 1, mode="reflect")
    s1 = padded.cumsum(0).cumsum(1)
    s2 = (padded**2).cumsum(0).cumsum(1)
    h, w = gray.shape

    def box(s: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        a = s[window : window + h, window : window + w]
        b = s[0:h, window : window + w]
        c = s[window : window + h, 0:w]
        d = s[0:h, 0:w]
        return a - b - c + d

    n = window * window
    mean = box(s1) / n
    std = np.sqrt(np.maximum(box(s2) / n - mean**2, 0.0))
    limit = mean * (1 + k * (std / 128.0 - 1))
    out: Gray = np.where(gray > limit, 255.0, 0.0).astype(np.float32)
    return out


MAX_SKEW = 8.0
PAGE_WORK_PX = 400  # the page's edges are found on a copy this large: they are long and sharp
PAGE_EDGE_STEP = 18.0  # gray levels over two pixels: a sheet's edge on a table, not noise
Point = tuple[float, float]
Line = tuple[float, float]  # across = slope * along + offset


def page_corners(gray: Gray) -> tuple[Point, Point, Point, Point] | None:
    """The sheet's four corners (top left, top right, bottom right, bottom left) when the
    picture shows it lying on something darker; None for a scan or a screenshot.

    Tesseract's layout analysis takes the table around a photographed sheet, or the halo
    flattening leaves there, for a picture and drops every line beside it (a printed list
    read as nothing at all). Each side of the sheet is found where, coming from the
    picture's edge inward, the first strong step in brightness goes from dark to bright:
    coming from outside, ink is met as bright to dark, so a scan's text is never taken for
    an edge. A side with too few such steps on one straight line is the picture's border."""
    h, w = gray.shape
    scale = PAGE_WORK_PX / max(h, w)
    small = Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8)).resize(
        (max(3, round(w * scale)), max(3, round(h * scale))), Image.Resampling.BOX
    )
    a = np.asarray(small.filter(ImageFilter.GaussianBlur(1.0)), dtype=np.float64)
    sh, sw = a.shape
    sides = (
        _side(*_steps(a, reverse=False), sh),
        _side(*_steps(a, reverse=True), sh),
        _side(*_steps(a.T, reverse=False), sw),
        _side(*_steps(a.T, reverse=True), sw),
    )
    if all(side is None for side in sides):
        return None
    left = sides[0] or (0.0, 0.0)
    right = sides[1] or (0.0, sw - 1.0)
    top = sides[2] or (0.0, 0.0)
    bottom = sides[3] or (0.0, sh - 1.0)

    def meet(upright: Line, level: Line) -> Point:
        y = (level[0] * upright[1] + level[1]) / (1 - upright[0] * level[0])
        return (upright[0] * y + upright[1]) / scale, y / scale

    quad = (meet(left, top), meet(right, top), meet(right, bottom), meet(left, bottom))
    if _area(quad) < 0.25 * w * h:
        return None
    return quad


def _steps(
    a: npt.NDArray[np.float64], reverse: bool
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """For each row, where the first strong step from the row's start (or end) lies, for
    the rows where that step goes from dark to bright."""
    step = a[:, 2:] - a[:, :-2]
    if reverse:
        step = -step[:, ::-1]
    strong = np.abs(step) > PAGE_EDGE_STEP
    strong[:, int(a.shape[1] * 0.4) :] = False
    first = strong.argmax(axis=1)
    rows = np.arange(len(step))
    good = strong.any(axis=1) & (step[rows, first] > 0)
    where = first + 1.0
    if reverse:
        where = a.shape[1] - 1 - where
    return rows[good].astype(np.float64), where[good]


def _side(
    along: npt.NDArray[np.float64], across: npt.NDArray[np.float64], span: int
) -> Line | None:
    """A straight edge through the steps (Theil–Sen, then least squares on its inliers), when
    enough of them lie on it and it is no steeper than a held phone makes it."""
    if len(along) < 0.3 * span:
        return None
    sample = np.linspace(0, len(along) - 1, min(len(along), 120)).astype(int)
    da = along[sample, None] - along[None, sample]
    dc = across[sample, None] - across[None, sample]
    apart = np.abs(da) > 5
    if not apart.any():
        return None
    slope = float(np.median(dc[apart] / da[apart]))
    offset = float(np.median(across - slope * along))
    inliers = np.abs(across - (slope * along + offset)) < 2.5
    if inliers.sum() < 0.3 * span or abs(slope) > 0.3:
        return None
    fitted = np.polyfit(along[inliers], across[inliers], 1)
    return float(fitted[0]), float(fitted[1])


def _area(quad: tuple[Point, ...]) -> float:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return 0.5 * abs(sum(xs[i] * ys[i - 1] - xs[i - 1] * ys[i] for i in range(len(quad))))


PAGE_INSET = 0.012  # of the sheet's size: its very edge (and its shadow) is left out


def unwarp(gray: Gray, quad: tuple[Point, Point, Point, Point]) -> Gray:
    """The sheet inside `quad` as if photographed square on: rotation and perspective out,
    the table gone."""
    cx = sum(p[0] for p in quad) / 4
    cy = sum(p[1] for p in quad) / 4
    inset = [(x + (cx - x) * PAGE_INSET * 2, y + (cy - y) * PAGE_INSET * 2) for x, y in quad]
    tl, tr, br, bl = inset
    width = round(max(_distance(tl, tr), _distance(bl, br)))
    height = round(max(_distance(tl, bl), _distance(tr, br)))
    target = [(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)]
    image = Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8))
    flat = image.transform(
        (width, height),
        Image.Transform.PERSPECTIVE,
        _perspective(target, inset),
        Image.Resampling.BICUBIC,
        fillcolor=255,
    )
    return np.asarray(flat, dtype=np.float32)


def _distance(a: Point, b: Point) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))


def _perspective(target: list[Point], source: list[Point]) -> tuple[float, ...]:
    """PIL's eight coefficients that map each point of the output to the input."""
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solved = np.linalg.solve(np.array(rows, np.float64), np.array([c for p in source for c in p]))
    return tuple(float(c) for c in solved)


def central(gray: Gray) -> Gray:
    """The middle of the picture, where a photographed list's text is: the page's edges, the
    table and the phone's vignette lie outside it, and their long straight edges would
    outweigh the text in a projection profile."""
    h, w = gray.shape
    return gray[h // 6 : h - h // 6, w // 8 : w - w // 8]


def ink_mask(gray: Gray) -> npt.NDArray[np.bool_]:
    """Where the strokes are. Otsu alone splits a photo's page from its table, or a
    flattened page from the grey halo at its edge; ink is also far darker than the paper
    (the median pixel), which both of those are not."""
    limit = min(otsu(gray), 0.65 * float(np.median(gray)))
    mask: npt.NDArray[np.bool_] = gray < limit
    return mask


def skew_angle(gray: Gray) -> float:
    """The rotation that makes text rows most distinct: each candidate angle's row profile of
    ink is scored by how sharply it alternates between lines and gaps (projection profile).
    Worked on a small copy: a skew shows at 600 pixels as well as at 3000."""
    gray = central(gray)
    scale = min(1.0, 600 / max(gray.shape))
    small = Image.fromarray(gray.astype(np.uint8))
    if scale < 1:
        small = small.resize(
            (max(1, int(small.width * scale)), max(1, int(small.height * scale))),
            Image.Resampling.BILINEAR,
        )
    ink = Image.fromarray(
        np.where(
            np.asarray(small, dtype=np.float32) < otsu(np.asarray(small, np.float32)), 255, 0
        ).astype(np.uint8)
    )

    def score(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST), np.float64)
        profile = rows.sum(axis=1)
        return float(((profile[1:] - profile[:-1]) ** 2).sum())

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 1.0), key=score)
    fine = max(np.arange(coarse - 1.0, coarse + 1.01, 0.25), key=score)
    return float(fine)


def line_height(gray: Gray) -> float | None:
    """The median height of the bands of rows that hold ink: how tall a line of text is."""
    rows = ink_mask(central(gray)).mean(axis=1)
    busy = rows > max(0.004, float(rows.max()) * 0.08)
    heights, run = [], 0
    for b in busy:
        if b:
            run += 1
        elif run:
            heights.append(run)
            run = 0
    heights = [h for h in heights if h >= 4]
    if not heights:
        return None
    return float(np.median(heights))


def _scaled(image: Image.Image, factor: float) -> Image.Image:
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _resize(gray: Gray, factor: float) -> Gray:
    image = _scaled(Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8)), factor)
    return np.asarray(image, dtype=np.float32)


def _rotate(gray: Gray, angle: float) -> Gray:
    image = Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8))
    rotated = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return np.asarray(rotated, dtype=np.float32)
