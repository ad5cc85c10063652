"""The evaluation report on disk: JSON, markdown with Δ vs production, confusion images."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.evaluation.nlu import EntityResult, Prediction, report
from bot.evaluation.report import write_report
from bot.models.gate import decide

PNG = b"\x89PNG\r\n\x1a\n"


def nlu_metrics(right: int, wrong: int, sha: str = "t1") -> dict[str, Any]:
    preds = [Prediction(f"add {i}", "add_items", "add_items", 0.9, "en") for i in range(right)]
    preds += [
        Prediction(f"namaste {i}", "greet", "add_items", 0.4, "hinglish") for i in range(wrong)
    ]
    preds += [Prediction("नमस्ते", "greet", "greet", 0.9, "hi")]
    entities = [
        EntityResult(
            "2 kg atta",
            "en",
            frozenset({("quantity", 0, 1), ("unit", 2, 4), ("product", 5, 9)}),
            frozenset({("quantity", 0, 1), ("unit", 2, 4), ("product", 5, 9)}),
        )
    ]
    return {"path": "data/eval/nlu.yml", "sha256": sha, **report(preds, entities)}


def items(correct: int) -> dict[str, Any]:
    return {
        "path": "data/eval/items.yml",
        "sha256": "d1",
        "lines": 10,
        "correct": correct,
        "line_accuracy": correct / 10,
        "by_language": {"en": {"lines": 10, "correct": correct, "line_accuracy": correct / 10}},
    }


def test_report_files_with_the_difference_from_production(tmp_path: Path) -> None:
    candidate = {
        "test_set": nlu_metrics(9, 1),
        "items": items(9),
        "holdout": {"training_fraction": 0.8, "seed": 2026, **nlu_metrics(8, 2)},
    }
    production = {"test_set": nlu_metrics(8, 2), "items": items(8)}
    decision = decide(candidate, production)
    evaluation = {
        "model": {
            "name": "cand",
            "trained_at": "2026-11-25T04:00:00+00:00",
            "fingerprint": "a" * 64,
            "epochs": 5,
            "rasa_version": "3.6.21",
        },
        "production": {
            "name": "prod",
            "trained_at": "2026-11-24T04:00:00+00:00",
            "fingerprint": "b" * 64,
            "epochs": None,
            "rasa_version": "3.6.21",
        },
        "metrics": candidate,
        "production_metrics": production,
        "gate": {
            "passed": decision.passed,
            "problems": list(decision.problems),
            "table": decision.table(),
        },
    }
    written = write_report(tmp_path / "reports", evaluation)

    names = sorted(p.name for p in written)
    assert names == [
        "evaluation.json",
        "evaluation.md",
        "intent_confusion_holdout.png",
        "intent_confusion_test_set.png",
    ]
    for png in ("intent_confusion_test_set.png", "intent_confusion_holdout.png"):
        data = (tmp_path / "reports" / png).read_bytes()
        assert data.startswith(PNG) and len(data) > 5000
    saved = json.loads((tmp_path / "reports" / "evaluation.json").read_text("utf-8"))
    assert saved["metrics"]["test_set"]["overall"]["accuracy"] == 0.9091
    assert saved["images"] == {
        "test_set": "intent_confusion_test_set.png",
        "holdout": "intent_confusion_holdout.png",
    }

    md = (tmp_path / "reports" / "evaluation.md").read_text("utf-8")
    assert md.startswith("# Evaluation of `cand`")
    assert "| epochs | 5 | config.yml |" in md
    # test set: 10/11 against 9/11 → +9.1 pp; hinglish 0/1 against 0/2 → +0.0 pp
    assert "| **all** | 11 | 90.9% | +9.1 pp |" in md
    assert "| hinglish | 1 | 0.0% | +0.0 pp |" in md
    # held-out: production has none, so no Δ
    assert "| **all** | 11 | 81.8% | — |" in md
    assert "| en | product | 100.0% | 100.0% | 1.000 | +0.000 | 1 |" in md
    assert "| **all** | 10 | 90.0% | +10.0 pp |" in md
    assert "![Intent confusion matrix, NLU test set](intent_confusion_test_set.png)" in md
    assert "1 misunderstood messages" in md and "'namaste 0': greet → add_items" in md
    assert "**Passes**" in md


def test_a_refused_gate_and_no_production(tmp_path: Path) -> None:
    worse = {"test_set": nlu_metrics(7, 3), "items": items(9)}
    better = {"test_set": nlu_metrics(9, 1), "items": items(9)}
    decision = decide(worse, better)
    md_path = write_report(
        tmp_path,
        {
            "model": {"name": "w"},
            "production": {"name": "p"},
            "metrics": worse,
            "production_metrics": better,
            "gate": {
                "passed": decision.passed,
                "problems": list(decision.problems),
                "table": decision.table(),
            },
        },
    )[1]
    md = md_path.read_text("utf-8")
    assert "**Refused**: intent accuracy (NLU test set)" in md
    assert "| intent accuracy (NLU test set) | 72.7% | 90.9% | -18.2 pp | ✗ |" in md

    md = write_report(
        tmp_path / "first",
        {
            "model": {"name": "only"},
            "production": None,
            "metrics": better,
            "production_metrics": None,
        },
    )[1].read_text("utf-8")
    assert "No model is in production yet" in md and "| **all** | 11 | 90.9% | — |" in md
