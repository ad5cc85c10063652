"""Charts drawn on the server as inline SVG: no script, no library, no build step, and they
print and screenshot like the rest of the page. Every label is escaped."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # under the bar: "11 Jan"
    value: float | None  # None: nothing to show that day (drawn as a dot on the axis)
    title: str  # the tooltip: the figures behind the bar


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at or above `value`: a y axis a person can read."""
    if value <= 0:
        return 1.0
    power: float = 10 ** math.floor(math.log10(value))  # a fraction for values under 1
    for step in (1, 2, 5, 10):
        if value <= step * power * (1 + 1e-9):
            return step * power
    return 10 * power


def _number(value: float, unit: str) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return f"{text}{unit}"


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str = "",
    width: int = 760,
    height: int = 240,
    ceiling: float | None = None,
) -> Markup:
    left, right, top, bottom = 48, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((b.value for b in bars if b.value is not None), default=0.0)
    y_max = ceiling if ceiling is not None else nice_ceiling(peak)
    slot = plot_w / max(len(bars), 1)
    every = max(1, math.ceil(len(bars) / 10))  # at most ten labels under the axis
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i in range(5):
        value = y_max * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e9edef" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#667781">{escape(_number(value, unit))}</text>'
        )
    for i, bar in enumerate(bars):
        x = left + i * slot
        centre = x + slot / 2
        parts.append(f'<g class="bar"><title>{escape(bar.title)}</title>')
        if bar.value is None:
            parts.append(
                f'<circle cx="{centre:.1f}" cy="{top + plot_h:.1f}" r="2.5" fill="#c3cbd0"/>'
            )
        else:
            h = plot_h * min(bar.value, y_max) / y_max if y_max else 0
            parts.append(
                f'<rect x="{x + slot * 0.15:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{slot * 0.7:.1f}" height="{max(h, 0.5):.1f}" rx="2" fill="#00a884"/>'
            )
        parts.append("</g>")
        if (len(bars) - 1 - i) % every == 0:  # counted back from the latest, which is labelled
            parts.append(
                f'<text x="{centre:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'font-size="11" fill="#667781">{escape(bar.label)}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="#667781" stroke-width="1"/></svg>'
    )
    return Markup("".join(parts))
