"""Intent accuracy and F1 of the NLU model on a held-out split, overall and per language.

Rasa's `rasa test nlu --successes --errors` writes every prediction; this module only reads
those files, so it runs in the app's environment without importing Rasa.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.text.language import detect_language

LANGUAGE_GROUPS = {"en": "en", "hinglish": "hinglish", "hi": "hi", "mixed": "hi"}


@dataclass(frozen=True, slots=True)
class Prediction:
    text: str
    expected: str
    predicted: str
    confidence: float

    @property
    def language(self) -> str:
        return LANGUAGE_GROUPS[detect_language(self.text)]


def read_predictions(results: Path) -> list[Prediction]:
    out = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = results / name
        if not path.exists():
            continue
        for row in json.loads(path.read_text("utf-8")):
            predicted = row.get("intent_prediction") or {}
            out.append(Prediction(row["text"], row["intent"], predicted.get("name") or "",
                                  float(predicted.get("confidence") or 0.0)))
    return out


def scores(predictions: list[Prediction]) -> dict[str, Any]:
    """Accuracy and macro/weighted F1 over intents."""
    if not predictions:
        return {"examples": 0, "accuracy": 0.0, "macro_f1": 0.0, "weighted_f1": 0.0}
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    support: Counter[str] = Counter()
    for p in predictions:
        support[p.expected] += 1
        if p.expected == p.predicted:
            tp[p.expected] += 1
        else:
            fn[p.expected] += 1
            fp[p.predicted] += 1
    f1 = {}
    for intent in support:
        precision = tp[intent] / (tp[intent] + fp[intent]) if tp[intent] + fp[intent] else 0.0
        recall = tp[intent] / support[intent]
        f1[intent] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(predictions)
    return {
        "examples": n,
        "accuracy": round(sum(tp.values()) / n, 4),
        "macro_f1": round(sum(f1.values()) / len(f1), 4),
        "weighted_f1": round(sum(f1[i] * support[i] for i in f1) / n, 4),
        "per_intent_f1": {i: round(v, 4) for i, v in sorted(f1.items())},
    }


def report(predictions: list[Prediction]) -> dict[str, Any]:
    by_language: dict[str, list[Prediction]] = defaultdict(list)
    for p in predictions:
        by_language[p.language].append(p)
    return {
        "overall": scores(predictions),
        "by_language": {lang: scores(ps) for lang, ps in sorted(by_language.items())},
        "errors": [
            {"text": p.text, "language": p.language, "expected": p.expected,
             "predicted": p.predicted, "confidence": round(p.confidence, 3)}
            for p in predictions if p.expected != p.predicted
        ],
    }


def markdown(data: dict[str, Any]) -> str:
    rows = ["| language | examples | accuracy | macro F1 |", "|---|---:|---:|---:|"]
    for lang, s in data["by_language"].items():
        rows.append(f"| {lang} | {s['examples']} | {s['accuracy']:.1%} | {s['macro_f1']:.3f} |")
    o = data["overall"]
    rows.append(f"| **all** | {o['examples']} | {o['accuracy']:.1%} | {o['macro_f1']:.3f} |")
    return "\n".join(rows)
