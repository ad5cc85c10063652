"""The promotion gate's decision on measured metrics."""

from __future__ import annotations

from typing import Any

from bot.models.gate import decide


def metrics(
    accuracy: float | None = 0.9,
    macro_f1: float | None = 0.88,
    items: float | None = 0.95,
    test_set: str = "t1",
    dev_set: str = "d1",
) -> dict[str, Any]:
    overall = {k: v for k, v in (("accuracy", accuracy), ("macro_f1", macro_f1)) if v is not None}
    out: dict[str, Any] = {
        "test_set": {"sha256": test_set, "overall": overall},
        "items": {"sha256": dev_set},
    }
    if items is not None:
        out["items"]["line_accuracy"] = items
    return out


def test_without_production_a_measured_candidate_passes() -> None:
    decision = decide(metrics(), None)
    assert decision.passed
    assert [c.production for c in decision.checks] == [None, None, None]


def test_a_candidate_never_measured_is_refused_even_without_production() -> None:
    decision = decide({}, None)
    assert not decision.passed
    assert len(decision.problems) == 3 and "has not been measured" in decision.problems[0]


def test_equal_and_better_pass() -> None:
    assert decide(metrics(), metrics()).passed
    assert decide(metrics(0.95, 0.9, 0.96), metrics()).passed


def test_worse_on_any_gate_metric_is_refused_and_says_which() -> None:
    decision = decide(metrics(accuracy=0.89), metrics(accuracy=0.9))
    assert not decision.passed
    assert decision.problems == (
        "intent accuracy (NLU test set): 89.0% is worse than production's 90.0% (-1.0 pp)",
    )
    assert [c.ok for c in decision.checks] == [False, True, True]
    assert not decide(metrics(items=0.94), metrics(items=0.95)).passed
    assert not decide(metrics(macro_f1=0.87), metrics(macro_f1=0.88)).passed


def test_tolerance_allows_a_small_drop_only() -> None:
    assert decide(metrics(accuracy=0.895), metrics(accuracy=0.9), tolerance=0.01).passed
    assert not decide(metrics(accuracy=0.88), metrics(accuracy=0.9), tolerance=0.01).passed


def test_numbers_from_different_test_sets_are_not_compared() -> None:
    decision = decide(metrics(test_set="new"), metrics(test_set="old"))
    assert not decision.passed
    assert "test set changed" in decision.problems[0]
    assert not decide(metrics(dev_set="new"), metrics(dev_set="old")).passed


def test_the_table_shows_both_sides_and_the_difference() -> None:
    table = decide(metrics(accuracy=0.92), metrics(accuracy=0.9)).table()
    assert "| intent accuracy (NLU test set) | 92.0% | 90.0% | +2.0 pp | ✓ |" in table
