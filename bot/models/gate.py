"""The promotion gate: a candidate replaces production only if it is no worse on the metrics
that matter to shoppers — intent accuracy and macro-F1 on the fixed NLU test set
(data/eval/nlu.yml, never trained on) and the item engine's line accuracy on its dev set.

Both models must have been measured on the same test set (its hash is part of the metrics);
numbers from different test sets are not compared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# (label, path into a model's metrics); F1 is a score, the others are rates.
GATE_METRICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("intent accuracy (NLU test set)", ("test_set", "overall", "accuracy")),
    ("intent macro F1 (NLU test set)", ("test_set", "overall", "macro_f1")),
    ("item-line accuracy (dev set)", ("items", "line_accuracy")),
)
EPSILON = 1e-9


def metric(metrics: dict[str, Any] | None, path: tuple[str, ...]) -> float | None:
    value: Any = metrics or {}
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True, slots=True)
class Check:
    label: str
    candidate: float | None
    production: float | None
    tolerance: float = 0.0

    @property
    def delta(self) -> float | None:
        if self.candidate is None or self.production is None:
            return None
        return self.candidate - self.production

    def show(self, value: float | None) -> str:
        if "F1" in self.label:
            return "—" if value is None else f"{value:.3f}"
        return percent(value)

    def show_delta(self) -> str:
        if "F1" in self.label:
            return "—" if self.delta is None else f"{self.delta:+.3f}"
        return points(self.delta)

    @property
    def ok(self) -> bool:
        if self.candidate is None:
            return False
        return (
            self.production is None or self.candidate >= self.production - self.tolerance - EPSILON
        )


@dataclass(frozen=True, slots=True)
class Decision:
    checks: tuple[Check, ...]
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    def table(self) -> str:
        rows = ["| gate metric | candidate | production | Δ | |", "|---|---:|---:|---:|---|"]
        for c in self.checks:
            rows.append(
                f"| {c.label} | {c.show(c.candidate)} | {c.show(c.production)} | "
                f"{c.show_delta()} | {'✓' if c.ok else '✗'} |"
            )
        return "\n".join(rows)


def decide(
    candidate: dict[str, Any], production: dict[str, Any] | None, tolerance: float = 0.0
) -> Decision:
    """No production model: anything evaluated passes. Otherwise every gate metric of the
    candidate must be at least production's (minus `tolerance`, a fraction: 0.01 = 1 point)."""
    problems: list[str] = []
    if production is not None:
        for part in ("test_set", "items"):
            mine, theirs = (
                (candidate.get(part) or {}).get("sha256"),
                (production.get(part) or {}).get("sha256"),
            )
            if mine and theirs and mine != theirs:
                problems.append(
                    f"the {part.replace('_', ' ')} changed between the two evaluations: "
                    "evaluate both models again"
                )
    checks = tuple(
        Check(
            label,
            metric(candidate, path),
            metric(production, path) if production else None,
            tolerance,
        )
        for label, path in GATE_METRICS
    )
    for c in checks:
        if c.candidate is None:
            problems.append(f"{c.label}: the candidate has not been measured")
        elif not c.ok:
            problems.append(
                f"{c.label}: {c.show(c.candidate)} is worse than production's "
                f"{c.show(c.production)} ({c.show_delta()})"
            )
    return Decision(checks, tuple(problems))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def points(delta: float | None) -> str:
    """A difference of two rates in percentage points, signed."""
    if delta is None:
        return "—"
    return f"{delta * 100:+.1f} pp"
