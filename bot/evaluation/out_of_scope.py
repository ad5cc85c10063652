"""What the model does with real requests that are not for a grocery shop.

Every other measure of `chatcart evaluate model` runs on text written here: the fixed test set
(data/eval/nlu.yml), a split of our own training data (data/nlu) and the item dev set. The
people who wrote the training data wrote those too, so a model can score well on them and still
act on what real shoppers type. This is the only measure on real Hinglish nobody here wrote:
the code-switched test split of the Hinglish TOP dataset (`cs_query`, ~6.5k requests to a phone
assistant: alarms, timers, weather, navigation, messaging, music, reminders, events), in the
register shoppers use on WhatsApp. None of it is a grocery request, so for the shop every
message is out of scope, and the one harmful outcome is acting on it: a confident in-domain
intent (adding to the cart, checking out, cancelling an order …).

Each message ends in exactly one of three outcomes, so the shares add up to 1:
- `fallback`: the top confidence is below the FallbackClassifier's threshold (the bot asks again);
- `out_of_scope`: `out_of_scope` predicted at or above it (the bot says what it can do);
- `acted_on`: some other intent at or above it (the bot acts on a request it cannot serve).
`rasa test nlu` undoes the FallbackClassifier's prediction to show the intent beneath it, so
the fallback is read from the confidence here. Its `ambiguity_threshold` (top two intents too
close) cannot be seen in Rasa's result files, which keep only the top intent: `acted_on` is an
upper bound by the messages that rule would still catch.

data/nlu/out_of_scope.yml seeds some lines from the dataset's train split, and a few requests
occur in both splits: any evaluated message that occurs in data/nlu (compared as
`bot.evaluation.messages.comparable`) is dropped and counted, so the model is never scored on
what it was trained on. Rasa's result files are read as plain JSON: no Rasa import here.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.evaluation.messages import MARKUP, comparable, file_digest, read_nlu
from bot.settings import PROJECT_ROOT

# Where the dataset lives under the shared data directory (`Settings.shared_data_dir`).
SOURCE = Path("nlu") / "hinglish_top" / "test.tsv"
TRAINING_NLU = PROJECT_ROOT / "data" / "nlu"
TestNlu = Callable[[Path, Path, Path], Path]
"""`rasa test nlu` of (model, labelled messages, output folder): the results folder."""
INTENT = "out_of_scope"
FALLBACK_INTENT = "nlu_fallback"
# Rasa's default when the FallbackClassifier is configured without a threshold.
RASA_DEFAULT_THRESHOLD = 0.3
# `rasa test nlu` evaluates intents only when the test data has at least two labels: one line
# with another label goes in beside the real messages and is left out of every count.
SENTINEL_TEXT = "chatcart out of scope evaluation sentinel"
SENTINEL_INTENT = "in_scope_sentinel"
OUTCOMES = ("out_of_scope", "fallback", "acted_on")
TOP_INTENTS = 5
EXAMPLES = 10
SAMPLE_SEED = 2026
# The dataset writes a few characters as escapes ("weekend \u2019 s party"); Rasa's YAML reader
# would decode them in an all-ASCII file and report text that matches nothing read here.
ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True, slots=True)
class RealMessage:
    text: str
    domain: str


@dataclass(frozen=True, slots=True)
class Loaded:
    """The messages to evaluate and what reading them left out."""

    messages: tuple[RealMessage, ...]
    rows: int  # data rows in the file
    skipped: int  # empty, or with text Rasa would read as entity markup
    duplicates: int  # the same message again (as `comparable`)
    dropped_in_training: int  # occur in data/nlu

    @property
    def digest(self) -> str:
        """Which messages were evaluated: two models are compared only on the same ones."""
        return messages_digest(self.messages)


def messages_digest(messages: Iterable[RealMessage]) -> str:
    digest = hashlib.sha256()
    for m in messages:
        digest.update(f"{comparable(m.text)}\t{m.domain}\n".encode())
    return digest.hexdigest()


def read_tsv(path: Path) -> tuple[list[RealMessage], int, int, int]:
    """The `cs_query` of every row with its `domain`, once each (the first spelling met):
    (messages, rows, skipped, duplicates). Fields are tab-separated and never quoted; `\\uXXXX`
    escapes become the characters they stand for."""
    messages: list[RealMessage] = []
    seen: set[str] = set()
    rows = skipped = duplicates = 0
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"cs_query", "domain"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: no column {', '.join(sorted(missing))}")
        for row in reader:
            rows += 1
            text = " ".join(
                ESCAPE.sub(lambda m: chr(int(m[1], 16)), row.get("cs_query") or "").split()
            )
            if not text or MARKUP.search(text):
                skipped += 1
                continue
            key = comparable(text)
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            messages.append(RealMessage(text, (row.get("domain") or "").strip() or "unknown"))
    return messages, rows, skipped, duplicates


def training_texts(training: Path = TRAINING_NLU) -> set[str]:
    return {comparable(m.text) for m in read_nlu(training)}


def without_training(
    messages: Sequence[RealMessage], trained: set[str]
) -> tuple[list[RealMessage], int]:
    """The messages that do not occur in the training data, and how many did."""
    kept = [m for m in messages if comparable(m.text) not in trained]
    return kept, len(messages) - len(kept)


def load(source: Path, training: Path = TRAINING_NLU) -> Loaded:
    messages, rows, skipped, duplicates = read_tsv(source)
    kept, dropped = without_training(messages, training_texts(training))
    return Loaded(tuple(kept), rows, skipped, duplicates, dropped)


def sample(loaded: Loaded, size: int, seed: int = SAMPLE_SEED) -> Loaded:
    """A fixed random `size` of the messages, in file order (a quick run)."""
    if size >= len(loaded.messages):
        return loaded
    chosen = sorted(random.Random(seed).sample(range(len(loaded.messages)), size))
    return Loaded(
        tuple(loaded.messages[i] for i in chosen),
        loaded.rows,
        loaded.skipped,
        loaded.duplicates,
        loaded.dropped_in_training,
    )


def write_nlu(messages: Sequence[RealMessage], path: Path) -> Path:
    """Rasa NLU YAML: every message an `out_of_scope` example, plus the sentinel."""
    if any(comparable(m.text) == comparable(SENTINEL_TEXT) for m in messages):
        raise ValueError(f"the sentinel {SENTINEL_TEXT!r} is among the messages")
    data = {
        "version": "3.1",
        "nlu": [
            {"intent": INTENT, "examples": "".join(f"- {m.text}\n" for m in messages)},
            {"intent": SENTINEL_INTENT, "examples": f"- {SENTINEL_TEXT}\n"},
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.dump(data, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=10_000),
        "utf-8",
    )
    return path


class _LiteralDumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks, the way Rasa's own files list examples."""


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    )


_LiteralDumper.add_representer(str, _literal)


def fallback_threshold(config_text: str) -> float:
    """The FallbackClassifier's `threshold` in a pipeline config; 0 when there is none (then
    no message is sent to the fallback for low confidence)."""
    config = yaml.safe_load(config_text) or {}
    for component in config.get("pipeline") or []:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", RASA_DEFAULT_THRESHOLD))
    return 0.0


@dataclass(frozen=True, slots=True)
class Outcome:
    text: str
    domain: str
    intent: str
    confidence: float
    outcome: str


def outcome_of(intent: str, confidence: float, threshold: float) -> str:
    if intent in ("", FALLBACK_INTENT) or confidence < threshold:
        return "fallback"
    return "out_of_scope" if intent == INTENT else "acted_on"


def read_outcomes(
    results: Path, messages: Sequence[RealMessage], threshold: float
) -> list[Outcome]:
    """One outcome per evaluated message from Rasa's intent_successes.json (predicted
    `out_of_scope`) and intent_errors.json (anything else); the sentinel is left out. A text
    that is none of the messages means Rasa read the file otherwise than it was meant: refused."""
    domains = {comparable(m.text): m.domain for m in messages}
    out: list[Outcome] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = results / name
        if not path.exists():
            continue
        for row in json.loads(path.read_text("utf-8")):
            text = str(row["text"])
            if row.get("intent") == SENTINEL_INTENT or comparable(text) == comparable(
                SENTINEL_TEXT
            ):
                continue
            key = comparable(text)
            if key not in domains:
                raise ValueError(
                    f"Rasa reports a prediction for {text!r}, which is none of the messages sent"
                )
            predicted = row.get("intent_prediction") or {}
            intent = str(predicted.get("name") or "")
            confidence = float(predicted.get("confidence") or 0.0)
            out.append(
                Outcome(
                    text,
                    domains[key],
                    intent,
                    confidence,
                    outcome_of(intent, confidence, threshold),
                )
            )
    return out


def _shares(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    counts = Counter(o.outcome for o in outcomes)
    n = len(outcomes)
    return {
        "n": n,
        **{k: round(counts[k] / n, 4) if n else 0.0 for k in OUTCOMES},
        "counts": {k: counts[k] for k in OUTCOMES},
    }


def summarise(outcomes: Sequence[Outcome], threshold: float) -> dict[str, Any]:
    """Shares of the three outcomes, overall and per domain; the intents acted on (top
    `TOP_INTENTS`) and the `EXAMPLES` most confident messages acted on."""
    acted = [o for o in outcomes if o.outcome == "acted_on"]
    n = len(outcomes)
    by_domain: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_domain[o.domain].append(o)
    top = Counter(o.intent for o in acted).most_common(TOP_INTENTS)
    examples = sorted(acted, key=lambda o: (-o.confidence, o.text))[:EXAMPLES]
    return {
        "threshold": threshold,
        **_shares(outcomes),
        "acted_on_by_intent": [{"intent": i, "count": c, "share": round(c / n, 4)} for i, c in top],
        "by_domain": {d: _shares(os) for d, os in sorted(by_domain.items())},
        "acted_on_examples": [
            {
                "text": o.text,
                "domain": o.domain,
                "intent": o.intent,
                "confidence": round(o.confidence, 3),
            }
            for o in examples
        ],
    }


def measure(
    model: Path,
    loaded: Loaded,
    work: Path,
    threshold: float,
    *,
    test_nlu: TestNlu,
    source: str,
    source_sha256: str,
    training: Path = TRAINING_NLU,
) -> dict[str, Any]:
    """Run the model on the messages and summarise. `test_nlu` runs `rasa test nlu` in
    .venv-rasa (it loads the model, a minute or so, then a few milliseconds a message); the
    caller passes it in because starting the engine's environment is not the core's business."""
    trained = training_texts(training)
    if overlap := [m.text for m in loaded.messages if comparable(m.text) in trained]:
        raise ValueError(
            f"{len(overlap)} messages to evaluate are in the training data, e.g. {overlap[0]!r}: "
            "`load` drops them"
        )
    nlu_file = write_nlu(loaded.messages, work / "out_of_scope_real.yml")
    results = test_nlu(model, nlu_file, work / "results")
    outcomes = read_outcomes(results, loaded.messages, threshold)
    if len(outcomes) != len(loaded.messages):
        raise ValueError(
            f"Rasa reported {len(outcomes)} predictions for {len(loaded.messages)} messages"
        )
    return {
        "source": source,
        "sha256": source_sha256,
        "messages_sha256": loaded.digest,
        "rows": loaded.rows,
        "skipped": loaded.skipped,
        "duplicates": loaded.duplicates,
        "dropped_in_training": loaded.dropped_in_training,
        **summarise(outcomes, threshold),
    }


def measure_file(
    model: Path,
    source: Path,
    work: Path,
    threshold: float,
    *,
    test_nlu: TestNlu,
    shown_as: str,
    training: Path = TRAINING_NLU,
    sample_size: int | None = None,
) -> dict[str, Any]:
    """`measure` on a TSV file, all of it or a fixed sample."""
    loaded = load(source, training)
    if sample_size is not None:
        loaded = sample(loaded, sample_size)
    return measure(
        model,
        loaded,
        work,
        threshold,
        test_nlu=test_nlu,
        source=shown_as,
        source_sha256=file_digest(source),
        training=training,
    )
