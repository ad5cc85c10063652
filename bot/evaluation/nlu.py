"""Intent and entity scores of an NLU model, overall and per language.

Rasa's `rasa test nlu --successes` writes every intent prediction and every message with an
entity labelled or predicted; this module only reads those files, so it runs in the app's
environment without importing Rasa. Entities are scored as spans: a predicted entity counts
only if its type, start and end are exactly the label's.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.evaluation.messages import comparable
from bot.text.language import detect_language

LANGUAGE_GROUPS = {"en": "en", "hinglish": "hinglish", "hi": "hi", "mixed": "hi"}
SHOWN_ENTITIES = ("product", "quantity", "unit")
# The pipeline's entity extractor, whichever of these it has: Rasa names its result files after it.
ENTITY_EXTRACTORS = ("CRFEntityExtractor", "DIETClassifier")


def language_of(text: str, languages: Mapping[str, str] | None = None) -> str:
    """The test set's own label when it has one, else the detected language."""
    if languages and (label := languages.get(comparable(text))):
        return label
    return LANGUAGE_GROUPS[detect_language(text)]


@dataclass(frozen=True, slots=True)
class Prediction:
    text: str
    expected: str
    predicted: str
    confidence: float
    language: str


@dataclass(frozen=True, slots=True)
class EntityResult:
    text: str
    language: str
    expected: frozenset[tuple[str, int, int]]
    predicted: frozenset[tuple[str, int, int]]


def read_predictions(results: Path, languages: Mapping[str, str] | None = None) -> list[Prediction]:
    out = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = results / name
        if not path.exists():
            continue
        for row in json.loads(path.read_text("utf-8")):
            predicted = row.get("intent_prediction") or {}
            out.append(
                Prediction(
                    row["text"],
                    row["intent"],
                    predicted.get("name") or "",
                    float(predicted.get("confidence") or 0.0),
                    language_of(row["text"], languages),
                )
            )
    return out


def read_entity_results(
    results: Path, languages: Mapping[str, str] | None = None
) -> list[EntityResult]:
    """Messages with an entity labelled or predicted (the others score nothing either way)."""
    seen: dict[str, EntityResult] = {}
    extractor = next(
        (
            e
            for e in ENTITY_EXTRACTORS
            if (results / f"{e}_errors.json").exists() or (results / f"{e}_successes.json").exists()
        ),
        ENTITY_EXTRACTORS[0],
    )
    for name in (f"{extractor}_successes.json", f"{extractor}_errors.json"):
        path = results / name
        if not path.exists():
            continue
        for row in json.loads(path.read_text("utf-8")):
            seen.setdefault(
                row["text"],
                EntityResult(
                    row["text"],
                    language_of(row["text"], languages),
                    _spans(row.get("entities")),
                    _spans(row.get("predicted_entities")),
                ),
            )
    return list(seen.values())


def _spans(entities: Iterable[dict[str, Any]] | None) -> frozenset[tuple[str, int, int]]:
    return frozenset((str(e["entity"]), int(e["start"]), int(e["end"])) for e in entities or ())


def scores(predictions: list[Prediction]) -> dict[str, Any]:
    """Accuracy and macro/weighted F1 over intents."""
    if not predictions:
        return {
            "examples": 0,
            "accuracy": 0.0,
            "macro_f1": 0.0,
            "weighted_f1": 0.0,
            "per_intent_f1": {},
        }
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


def entity_scores(results: list[EntityResult]) -> dict[str, dict[str, float | int]]:
    """Precision, recall and F1 per entity type (exact spans), with the labelled count."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for r in results:
        for e in r.predicted & r.expected:
            tp[e[0]] += 1
        for e in r.predicted - r.expected:
            fp[e[0]] += 1
        for e in r.expected - r.predicted:
            fn[e[0]] += 1
    out: dict[str, dict[str, float | int]] = {}
    for entity in sorted(set(tp) | set(fp) | set(fn)):
        precision = tp[entity] / (tp[entity] + fp[entity]) if tp[entity] + fp[entity] else 0.0
        recall = tp[entity] / (tp[entity] + fn[entity]) if tp[entity] + fn[entity] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[entity] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp[entity] + fn[entity],
        }
    return out


def report(
    predictions: list[Prediction], entity_results: list[EntityResult] | None = None
) -> dict[str, Any]:
    by_language: dict[str, list[Prediction]] = defaultdict(list)
    for p in predictions:
        by_language[p.language].append(p)
    entities_by_language: dict[str, list[EntityResult]] = defaultdict(list)
    for r in entity_results or []:
        entities_by_language[r.language].append(r)
    return {
        "overall": scores(predictions),
        "by_language": {lang: scores(ps) for lang, ps in sorted(by_language.items())},
        "entities": {
            "overall": entity_scores(entity_results or []),
            "by_language": {
                lang: entity_scores(rs) for lang, rs in sorted(entities_by_language.items())
            },
        },
        "confusion": confusion(predictions),
        "errors": [
            {
                "text": p.text,
                "language": p.language,
                "expected": p.expected,
                "predicted": p.predicted,
                "confidence": round(p.confidence, 3),
            }
            for p in predictions
            if p.expected != p.predicted
        ],
    }


def results_report(results: Path, languages: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The report of one `rasa test nlu --successes` output directory."""
    return report(read_predictions(results, languages), read_entity_results(results, languages))


def confusion(preds: list[Prediction]) -> dict[str, Any]:
    """Intent confusion counts: rows are the labelled intents, columns the predicted ones
    (labels sorted, `nlu_fallback` and other non-labels last)."""
    expected = sorted({p.expected for p in preds})
    extra = sorted({p.predicted for p in preds} - set(expected))
    labels = expected + extra
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in expected]
    for p in preds:
        matrix[index[p.expected]][index[p.predicted]] += 1
    return {"rows": expected, "columns": labels, "counts": matrix}


def markdown(data: dict[str, Any]) -> str:
    rows = ["| language | examples | accuracy | macro F1 |", "|---|---:|---:|---:|"]
    for lang, s in data["by_language"].items():
        rows.append(f"| {lang} | {s['examples']} | {s['accuracy']:.1%} | {s['macro_f1']:.3f} |")
    o = data["overall"]
    rows.append(f"| **all** | {o['examples']} | {o['accuracy']:.1%} | {o['macro_f1']:.3f} |")
    return "\n".join(rows)
