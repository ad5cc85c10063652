"""Real out-of-scope Hinglish: reading the TSV, leaving out what data/nlu trains on, the three
outcomes from files in the shape `rasa test nlu --successes` writes, the report's section, the
hook in `chatcart evaluate model`, and one run of the production model on a sample."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.evaluation.messages import comparable, read_nlu, read_nlu_file
from bot.evaluation.out_of_scope import (
    INTENT,
    OUTCOMES,
    SENTINEL_INTENT,
    SENTINEL_TEXT,
    SOURCE,
    TRAINING_NLU,
    Loaded,
    RealMessage,
    fallback_threshold,
    load,
    measure,
    measure_file,
    read_outcomes,
    read_tsv,
    sample,
    summarise,
    write_nlu,
)
from bot.evaluation.report import markdown
from bot.models.gate import decide
from bot.models.registry import ModelMeta, Registry
from bot.settings import get_settings
from cli.engine import CONFIG, RASA, production_model, registry
from cli.engine import test_nlu as rasa_test_nlu
from cli.evaluate import out_of_scope_metrics

HEADER = "en_query\tcs_query\ten_parse\tcs_parse\tdomain\n"


def tsv(path: Path, rows: list[tuple[str, str]]) -> Path:
    """A file shaped like hinglish_top's: (cs_query, domain) rows, the other columns filled."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        HEADER + "".join(f"q\t{cs}\t[IN:X q ]\t[IN:X {cs} ]\t{domain}\n" for cs, domain in rows),
        "utf-8",
    )
    return path


def write(results: Path, name: str, rows: list[dict[str, Any]]) -> None:
    results.mkdir(parents=True, exist_ok=True)
    (results / name).write_text(json.dumps(rows, ensure_ascii=False), "utf-8")


def row(text: str, predicted: str, confidence: float, expected: str = INTENT) -> dict[str, Any]:
    return {
        "text": text,
        "intent": expected,
        "intent_prediction": {"name": predicted, "confidence": confidence},
    }


def test_the_tsv_gives_each_request_once_with_its_domain(tmp_path: Path) -> None:
    path = tsv(
        tmp_path / "test.tsv",
        [
            ("mere timer ko roko", "timer"),
            ("Mere  Timer ko roko ", "timer"),  # the same message: case and spacing
            ("", "alarm"),
            ("   ", "alarm"),
            ("[alarm](x) lagao", "alarm"),  # Rasa would read entity markup
            ('kal "barish" hogi?', "weather"),  # a quote is text: the file is never quoted
            ("gaana bajao", ""),
            (
                "weekend \\u2019 s party ka message",
                "messaging",
            ),  # the dataset's escapes, as in the file
        ],
    )
    messages, rows, skipped, duplicates = read_tsv(path)
    assert messages == [
        RealMessage("mere timer ko roko", "timer"),
        RealMessage('kal "barish" hogi?', "weather"),
        RealMessage("gaana bajao", "unknown"),
        RealMessage("weekend ’ s party ka message", "messaging"),
    ]
    assert (rows, skipped, duplicates) == (8, 3, 1)


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.tsv"
    path.write_text("text\tlabel\nhi\tgreet\n", "utf-8")
    with pytest.raises(ValueError, match="no column cs_query, domain"):
        read_tsv(path)


def test_what_data_nlu_trains_on_is_left_out_and_counted(tmp_path: Path) -> None:
    """data/nlu/out_of_scope.yml seeds lines from the dataset's train split, and some requests
    occur in both splits: those are dropped, whatever their case and spacing."""
    trained = [m.text for m in read_nlu(TRAINING_NLU) if m.intent == INTENT][:2]
    assert len(trained) == 2, "data/nlu has out_of_scope examples"
    path = tsv(
        tmp_path / "test.tsv",
        [
            (trained[0].upper(), "alarm"),
            (f"  {trained[1]}", "music"),
            ("zzq kal ka mausam qqz", "weather"),
        ],
    )
    loaded = load(path)
    assert loaded.messages == (RealMessage("zzq kal ka mausam qqz", "weather"),)
    assert loaded.dropped_in_training == 2 and loaded.rows == 3

    # and a run is refused, before Rasa starts, when such a message got through anyway
    leaked = Loaded((RealMessage(trained[0], "alarm"),), 1, 0, 0, 0)
    with pytest.raises(ValueError, match="1 messages to evaluate are in the training data"):
        measure(
            tmp_path / "no-model.tar.gz",
            leaked,
            tmp_path / "work",
            0.55,
            test_nlu=rasa_test_nlu,
            source="t",
            source_sha256="x",
        )


def test_a_sample_is_fixed_and_in_file_order() -> None:
    loaded = Loaded(tuple(RealMessage(f"m{i}", "alarm") for i in range(50)), 50, 0, 0, 0)
    a, b = sample(loaded, 10), sample(loaded, 10)
    assert a == b and len(a.messages) == 10
    assert [int(m.text[1:]) for m in a.messages] == sorted(int(m.text[1:]) for m in a.messages)
    assert sample(loaded, 100) is loaded
    assert a.digest != loaded.digest


def test_the_nlu_file_reads_back_as_out_of_scope_examples(tmp_path: Path) -> None:
    messages = [
        RealMessage('kal "barish" hogi?', "weather"),
        RealMessage("# 5 baje: alarm - snooze", "alarm"),
        RealMessage("पापा को message भेजो", "messaging"),
    ]
    read = read_nlu_file(write_nlu(messages, tmp_path / "oos.yml"))
    assert [(m.text, m.intent) for m in read] == [
        *((m.text, INTENT) for m in messages),
        (SENTINEL_TEXT, SENTINEL_INTENT),
    ]
    with pytest.raises(ValueError, match="sentinel"):
        write_nlu([RealMessage(SENTINEL_TEXT.upper(), "alarm")], tmp_path / "bad.yml")


def test_the_fallback_threshold_comes_from_the_pipeline() -> None:
    config = "pipeline:\n  - name: LinearIntentClassifier\n  - name: FallbackClassifier\n    threshold: 0.42\n"
    assert fallback_threshold(config) == 0.42
    assert fallback_threshold("pipeline:\n  - name: FallbackClassifier\n") == 0.3  # Rasa's default
    assert fallback_threshold("pipeline:\n  - name: DIETClassifier\n") == 0.0
    assert 0.0 < fallback_threshold(CONFIG.read_text("utf-8")) < 1.0


MESSAGES = [
    RealMessage("alarm lagao", "alarm"),
    RealMessage("alarm hatao", "alarm"),
    RealMessage("timer roko", "timer"),
    RealMessage("mausam batao", "weather"),
    RealMessage("gaana bajao", "music"),
    RealMessage("papa ko message bhejo", "messaging"),
    RealMessage("kal ka event", "event"),
    RealMessage("reminder hatao", "reminder"),
]


def results(tmp_path: Path) -> Path:
    """Eight messages: 2 out of scope, 3 to the fallback, 3 acted on (0.55 is the threshold)."""
    r = tmp_path / "results"
    write(
        r,
        "intent_successes.json",
        [
            row("alarm lagao", "out_of_scope", 0.97),
            row("mausam batao", "out_of_scope", 0.55),  # at the threshold: answered as out of scope
            row(
                "kal ka event", "out_of_scope", 0.54
            ),  # below it: the fallback, whatever the intent
        ],
    )
    write(
        r,
        "intent_errors.json",
        [
            row("alarm hatao", "remove_items", 0.91),
            row("reminder hatao", "remove_items", 0.60),
            row("timer roko", "cancel_order", 0.55),
            row("gaana bajao", "add_items", 0.30),
            row("papa ko message bhejo", "nlu_fallback", 1.0),  # Rasa could not undo the fallback
            row(SENTINEL_TEXT, "greet", 0.9, expected=SENTINEL_INTENT),
        ],
    )
    return r


def test_three_outcomes_that_add_up(tmp_path: Path) -> None:
    outcomes = read_outcomes(results(tmp_path), MESSAGES, 0.55)
    assert len(outcomes) == 8 and SENTINEL_TEXT not in {o.text for o in outcomes}
    data = summarise(outcomes, 0.55)

    assert data["n"] == 8 and data["threshold"] == 0.55
    assert data["counts"] == {"out_of_scope": 2, "fallback": 3, "acted_on": 3}
    assert (data["out_of_scope"], data["fallback"], data["acted_on"]) == (0.25, 0.375, 0.375)
    assert data["acted_on_by_intent"] == [
        {"intent": "remove_items", "count": 2, "share": 0.25},
        {"intent": "cancel_order", "count": 1, "share": 0.125},
    ]
    assert data["by_domain"]["alarm"] == {
        "n": 2,
        "out_of_scope": 0.5,
        "fallback": 0.0,
        "acted_on": 0.5,
        "counts": {"out_of_scope": 1, "fallback": 0, "acted_on": 1},
    }
    assert data["by_domain"]["event"]["fallback"] == 1.0
    assert sum(d["n"] for d in data["by_domain"].values()) == 8
    # most confident first
    assert [e["text"] for e in data["acted_on_examples"]] == [
        "alarm hatao",
        "reminder hatao",
        "timer roko",
    ]
    assert data["acted_on_examples"][0] == {
        "text": "alarm hatao",
        "domain": "alarm",
        "intent": "remove_items",
        "confidence": 0.91,
    }


def test_a_text_rasa_read_otherwise_is_refused(tmp_path: Path) -> None:
    r = tmp_path / "results"
    write(r, "intent_errors.json", [row("weekend \\u2019 s party", "inform", 0.9)])
    with pytest.raises(ValueError, match="none of the messages sent"):
        read_outcomes(r, [RealMessage("weekend ’ s party", "messaging")], 0.55)


def test_no_result_files_no_messages(tmp_path: Path) -> None:
    data = summarise(read_outcomes(tmp_path / "none", MESSAGES, 0.55), 0.55)
    assert (
        data["n"] == 0 and all(data[k] == 0.0 for k in OUTCOMES) and data["acted_on_examples"] == []
    )


def measured(tmp_path: Path, sha: str = "m1") -> dict[str, Any]:
    data = summarise(read_outcomes(results(tmp_path), MESSAGES, 0.55), 0.55)
    return {
        "source": str(SOURCE),
        "sha256": "f",
        "messages_sha256": sha,
        "rows": 9,
        "skipped": 0,
        "duplicates": 1,
        "dropped_in_training": 0,
        **data,
    }


def test_the_report_shows_it_beside_production_and_the_gate_ignores_it(tmp_path: Path) -> None:
    mine = measured(tmp_path)
    theirs = {
        **mine,
        "acted_on": 0.5,
        "by_domain": {
            **mine["by_domain"],
            "alarm": {**mine["by_domain"]["alarm"], "acted_on": 1.0},
        },
    }
    evaluation = {
        "model": {"name": "cand"},
        "production": {"name": "prod"},
        "metrics": {"out_of_scope_real": mine},
        "production_metrics": {"out_of_scope_real": theirs},
    }
    md = markdown(evaluation)
    assert (
        "## Real out-of-scope Hinglish (`nlu/hinglish_top/test.tsv` of the shared data; informational"
        in md
    )
    assert (
        "| **acted on** (another intent at or above it: the harmful case) | 37.5% | -12.5 pp |"
        in md
    )
    assert "| sent to the fallback (top confidence below it) | 37.5% | +0.0 pp |" in md
    assert "| remove_items | 2 | 25.0% |" in md
    assert "| alarm | 2 | 50.0% | 0.0% | 50.0% | -50.0 pp |" in md
    assert "- [alarm] 'alarm hatao' → remove_items (0.91)" in md
    assert "most confident messages acted on" not in markdown(evaluation, errors=False)

    # other messages (data/nlu or the file changed): no Δ
    evaluation["production_metrics"] = {"out_of_scope_real": {**theirs, "messages_sha256": "m2"}}
    assert (
        "| **acted on** (another intent at or above it: the harmful case) | 37.5% | — |"
        in markdown(evaluation)
    )

    decision = decide({"out_of_scope_real": mine}, {"out_of_scope_real": theirs})
    assert "scope" not in decision.table() and not any("scope" in p for p in decision.problems)


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SHARED_DATA_DIR", str(tmp_path / "shared"))
    get_settings.cache_clear()
    yield tmp_path / "shared"
    get_settings.cache_clear()


def test_evaluate_skips_it_without_the_shared_data(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg, meta = (
        Registry(tmp_path / "models"),
        ModelMeta("m", metrics={"items": {"line_accuracy": 1.0}}),
    )
    out_of_scope_metrics(reg, meta)
    assert (
        f"m: real out-of-scope Hinglish skipped: {shared / SOURCE} is absent"
        in capsys.readouterr().out
    )
    assert "out_of_scope_real" not in meta.metrics


def test_evaluate_measures_a_model_once(shared: Path, tmp_path: Path) -> None:
    """The meta holds the figures for these very messages: Rasa is not started (the model file
    does not even exist here)."""
    tsv(shared / SOURCE, [("zzq alarm lagao qqz", "alarm")])
    held = {"messages_sha256": load(shared / SOURCE).digest, "acted_on": 0.1}
    reg, meta = Registry(tmp_path / "models"), ModelMeta("m", metrics={"out_of_scope_real": held})
    out_of_scope_metrics(reg, meta)
    assert meta.metrics["out_of_scope_real"] is held


@pytest.mark.processes
def test_the_production_model_on_a_sample_of_the_real_requests(tmp_path: Path) -> None:
    """Structure only: what the model scores is for `make evaluate` to show, not a test's threshold."""
    source = get_settings().shared_data_dir / SOURCE
    if not source.exists():
        pytest.skip(f"{source} is absent: the shared real-data sets are not beside the project")
    if not RASA.exists():
        pytest.skip("the Rasa engine environment is missing: run `make install`")
    prod = production_model(required=False)
    if prod is None:
        pytest.skip("no trained model in production (make train)")
    threshold = fallback_threshold(prod.config or CONFIG.read_text("utf-8"))
    data = measure_file(
        registry().path(prod.name),
        source,
        tmp_path,
        threshold,
        test_nlu=rasa_test_nlu,
        shown_as=str(SOURCE),
        sample_size=300,
    )

    assert data["n"] == 300 and data["threshold"] == threshold
    assert sum(data["counts"].values()) == 300
    assert sum(data[k] for k in OUTCOMES) == pytest.approx(1.0, abs=1e-3)
    assert sum(d["n"] for d in data["by_domain"].values()) == 300
    assert set(data["by_domain"]) <= {
        "alarm",
        "event",
        "messaging",
        "music",
        "navigation",
        "reminder",
        "timer",
        "weather",
    }
    for d in data["by_domain"].values():
        assert sum(d["counts"].values()) == d["n"]
    assert sum(t["count"] for t in data["acted_on_by_intent"]) <= data["counts"]["acted_on"]
    assert all(t["intent"] not in (INTENT, "nlu_fallback") for t in data["acted_on_by_intent"])
    assert len(data["acted_on_examples"]) == min(10, data["counts"]["acted_on"])
    assert all(e["confidence"] >= round(threshold, 3) for e in data["acted_on_examples"])
    trained = {comparable(m.text) for m in read_nlu(TRAINING_NLU)}
    assert not any(comparable(e["text"]) in trained for e in data["acted_on_examples"])
