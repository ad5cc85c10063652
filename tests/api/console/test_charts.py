"""The server-drawn SVG chart: readable axes, a mark for days without data, escaped labels."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from api.console.charts import Bar, bar_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (0.3, 0.5), (7, 10), (12.5, 20), (40, 50), (100, 100)]
)
def test_the_axis_ends_at_a_round_number(value: float, ceiling: float) -> None:
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_bars_scale_to_the_axis_and_missing_days_are_dots() -> None:
    svg = ET.fromstring(
        str(
            bar_chart(
                [Bar("1 Jan", 10.0, "a"), Bar("2 Jan", None, "b"), Bar("3 Jan", 20.0, "c")],
                title="Rate",
                unit="%",
            )
        )
    )
    rects = svg.findall(f".//{SVG}rect")
    assert len(rects) == 2 and len(svg.findall(f".//{SVG}circle")) == 1
    assert float(rects[1].get("height")) == pytest.approx(2 * float(rects[0].get("height")))
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert "20%" in labels and "0%" in labels and "3 Jan" in labels


def test_labels_and_tooltips_are_escaped() -> None:
    markup = str(bar_chart([Bar("<b>", 1.0, '"><script>alert(1)</script>')], title="<x>"))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    ET.fromstring(markup)  # still well-formed


def test_a_month_keeps_the_axis_readable() -> None:
    markup = str(bar_chart([Bar(f"{i} Jan", float(i), "") for i in range(1, 31)], title="t"))
    day_labels = re.findall(r">(\d+ Jan)<", markup)
    assert len(day_labels) <= 10 and day_labels[-1] == "30 Jan"
