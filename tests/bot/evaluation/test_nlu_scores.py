"""Intent and entity scores read from files in the shape `rasa test nlu --successes` writes."""

from __future__ import annotations

import json
from pathlib import Path

from bot.evaluation.messages import comparable
from bot.evaluation.nlu import results_report


def write(results: Path, name: str, rows: list[dict]) -> None:
    results.mkdir(parents=True, exist_ok=True)
    (results / name).write_text(json.dumps(rows, ensure_ascii=False), "utf-8")


def intent(text: str, expected: str, predicted: str) -> dict:
    return {
        "text": text,
        "intent": expected,
        "intent_prediction": {"name": predicted, "confidence": 0.8},
    }


def ent(entity: str, start: int, end: int) -> dict:
    return {"entity": entity, "start": start, "end": end, "value": "x"}


def test_intents_and_entity_spans_per_language(tmp_path: Path) -> None:
    r = tmp_path / "results"
    write(
        r,
        "intent_successes.json",
        [
            intent("2 kg atta", "add_items", "add_items"),
            intent("do kilo aloo bhejo", "add_items", "add_items"),
            intent("hello", "greet", "greet"),
        ],
    )
    write(r, "intent_errors.json", [intent("दूध हटाओ", "remove_items", "nlu_fallback")])
    # "2 kg atta": all three right. "do kilo aloo bhejo": product right, "do" missed, "kilo" as product.
    write(
        r,
        "CRFEntityExtractor_successes.json",
        [
            {
                "text": "2 kg atta",
                "entities": [ent("quantity", 0, 1), ent("unit", 2, 4), ent("product", 5, 9)],
                "predicted_entities": [
                    ent("quantity", 0, 1),
                    ent("unit", 2, 4),
                    ent("product", 5, 9),
                ],
            },
            {
                "text": "do kilo aloo bhejo",
                "entities": [ent("quantity", 0, 2), ent("unit", 3, 7), ent("product", 8, 12)],
                "predicted_entities": [ent("product", 3, 7), ent("product", 8, 12)],
            },
        ],
    )
    write(
        r,
        "CRFEntityExtractor_errors.json",
        [
            {
                "text": "do kilo aloo bhejo",
                "entities": [ent("quantity", 0, 2), ent("unit", 3, 7), ent("product", 8, 12)],
                "predicted_entities": [ent("product", 3, 7), ent("product", 8, 12)],
            },
            {"text": "दूध हटाओ", "entities": [ent("product", 0, 3)], "predicted_entities": []},
        ],
    )
    labels = {comparable("do kilo aloo bhejo"): "hinglish"}
    data = results_report(r, labels)

    assert data["overall"]["examples"] == 4 and data["overall"]["accuracy"] == 0.75
    assert set(data["by_language"]) == {"en", "hinglish", "hi"}
    assert data["by_language"]["hi"]["accuracy"] == 0.0
    assert data["errors"] == [
        {
            "text": "दूध हटाओ",
            "language": "hi",
            "expected": "remove_items",
            "predicted": "nlu_fallback",
            "confidence": 0.8,
        }
    ]
    overall = data["entities"]["overall"]
    # product: 2 right of 3 predicted, 2 of 3 labelled; quantity and unit: 1 of 2 labelled, none wrong
    assert overall["product"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "support": 3}
    assert overall["quantity"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert overall["unit"] == overall["quantity"]
    assert data["entities"]["by_language"]["hinglish"]["quantity"]["recall"] == 0.0
    assert data["entities"]["by_language"]["en"]["product"]["f1"] == 1.0
    conf = data["confusion"]
    assert conf["rows"] == ["add_items", "greet", "remove_items"]
    assert conf["columns"] == ["add_items", "greet", "remove_items", "nlu_fallback"]
    assert conf["counts"][2] == [0, 0, 0, 1]


def test_a_stale_file_is_not_needed_when_absent(tmp_path: Path) -> None:
    """No entity files at all (no entity labelled or predicted): entity scores are empty."""
    r = tmp_path / "results"
    write(r, "intent_successes.json", [intent("hi", "greet", "greet")])
    data = results_report(r)
    assert data["entities"] == {"overall": {}, "by_language": {}}
    assert data["overall"]["macro_f1"] == 1.0
