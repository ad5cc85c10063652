"""Line accuracy of the item engine on the labelled dev set (data/eval/items.yml).

A line is right when the product is right (its kind, and brand or SKU when the label names
them; or no product when the label says the item is not sold) and quantity and unit are exact.
For catalogs without kinds (BigBasket) the product is judged by words its name must contain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.catalog.model import CatalogProduct
from bot.engine import ParsedLine, ParsedMessage


@dataclass(frozen=True, slots=True)
class Expected:
    kind: str | None
    brand: str | None
    skus: tuple[str, ...]
    name_words: tuple[str, ...]
    sold: bool
    quantity: float | None
    unit: str | None

    @classmethod
    def from_yaml(cls, d: dict[str, Any]) -> Expected:
        sku = d.get("sku") or ()
        words = d.get("name_words") or ([d["kind"].split()[-1]] if d.get("kind") else [])
        return cls(
            kind=d.get("kind"),
            brand=d.get("brand"),
            skus=tuple([sku] if isinstance(sku, str) else sku),
            name_words=tuple(w.lower() for w in words),
            sold=d.get("sold", True),
            quantity=d.get("quantity"),
            unit=d.get("unit"),
        )


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    language: str
    lines: tuple[Expected, ...]


def load_dev_set(path: Path) -> list[Example]:
    data = yaml.safe_load(path.read_text("utf-8"))
    return [
        Example(
            str(e["text"]),
            e["language"],
            tuple(Expected.from_yaml(line) for line in e.get("lines", [])),
        )
        for e in data
    ]


Judge = Callable[[CatalogProduct, Expected], bool]


def judge_by_kind(p: CatalogProduct, e: Expected) -> bool:
    if e.skus:
        return p.sku in e.skus
    if e.kind and p.kind != e.kind:
        return False
    return not e.brand or p.brand.lower() == e.brand.lower()


def judge_by_name(p: CatalogProduct, e: Expected) -> bool:
    """For catalogs without kinds: the name must hold one of the label's words (and brand).
    Apostrophes are ignored: BigBasket writes "Haldirams" and "Kelloggs" for Haldiram's and
    Kellogg's."""
    name = _no_apostrophes(f"{p.brand} {p.name}")
    if e.brand and _no_apostrophes(e.brand) not in name:
        return False
    return any(_no_apostrophes(w) in name for w in e.name_words)


def _no_apostrophes(text: str) -> str:
    return text.lower().replace("'", "").replace("’", "")


def line_ok(actual: ParsedLine | None, e: Expected, judge: Judge) -> tuple[bool, str]:
    if actual is None:
        return (not e.sold, "line missing")
    product = actual.resolution.product
    if not e.sold:
        return (product is None, "" if product is None else f"matched {product.name}, not sold")
    if product is None:
        return False, "unmatched"
    if not judge(product, e):
        return False, f"wrong product {product.sku} {product.name}"
    q, wanted = actual.quantity, e.quantity
    if q is None or wanted is None:
        quantity_wrong = (q is None) != (wanted is None)
    else:
        quantity_wrong = abs(q - wanted) > 1e-6
    if quantity_wrong:
        return False, f"quantity {q} != {e.quantity}"
    if e.quantity is not None and actual.unit != e.unit:
        return False, f"unit {actual.unit} != {e.unit}"
    return True, ""


@dataclass
class Report:
    lines: int = 0
    correct: int = 0
    by_language: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.lines if self.lines else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "correct": self.correct,
            "line_accuracy": round(self.accuracy, 4),
            "by_language": {
                lang: {"lines": n, "correct": c, "line_accuracy": round(c / n, 4) if n else 0.0}
                for lang, (c, n) in sorted(self.by_language.items())
            },
            "failures": self.failures,
        }


def evaluate(
    examples: list[Example], parse: Callable[[str], ParsedMessage], judge: Judge = judge_by_kind
) -> Report:
    report = Report()
    for ex in examples:
        result = parse(ex.text)
        for i, expected in enumerate(ex.lines):
            actual = result.lines[i] if i < len(result.lines) else None
            ok, why = line_ok(actual, expected, judge)
            report.lines += 1
            report.correct += ok
            stats = report.by_language[ex.language]
            stats[0] += ok
            stats[1] += 1
            if not ok:
                report.failures.append(
                    {"text": ex.text, "language": ex.language, "line": i, "why": why}
                )
        if len(result.lines) > len(ex.lines):
            extra = len(result.lines) - len(ex.lines)
            report.lines += extra
            report.by_language[ex.language][1] += extra
            report.failures.append(
                {
                    "text": ex.text,
                    "language": ex.language,
                    "line": len(ex.lines),
                    "why": f"{extra} extra line(s)",
                }
            )
    return report
