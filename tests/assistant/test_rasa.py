"""The assistant's dialogue, checked by Rasa itself: the end-to-end test stories in tests/e2e
pass, both on the predicted actions and (with --e2e) on the intents and entities the model reads
from the shoppers' words. `rasa data validate` runs once, on the training data together with a
review export, as the next training reads it (tests/cli/test_nlu.py): a clean run there is a
clean run of data/ alone, which an export only adds examples of existing intents to."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT
from cli.engine import RASA, engine_env
from tests.processes import STORIES_GROUP

E2E = PROJECT_ROOT / "tests" / "e2e"
# Used by Rasa's own two-stage fallback (action_two_stage_fallback), never by our rules.
TOLERATED_WARNINGS = {
    "The utterance 'utter_ask_rephrase' is not used in any story or rule.",
    "The utterance 'utter_default' is not used in any story or rule.",
    # sent by action_out_of_scope when the message is no shop question either
    "The utterance 'utter_out_of_scope' is not used in any story or rule.",
}


def rasa(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RASA), *args],
        cwd=PROJECT_ROOT,
        env=engine_env(),
        check=False,  # the return code is asserted with the output
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def rasa_warnings(output: str) -> set[str]:
    """Rasa's own warnings (UserWarning or WARNING log lines); library deprecations aside."""
    found = {m.strip() for m in re.findall(r"UserWarning: (.*)", output)}
    found |= {m.strip() for m in re.findall(r"\bWARNING\s+\S+\s+-\s+(.*)", output)}
    return found


def test_stories_cover_every_flow_in_three_languages() -> None:
    stories = [
        (f.stem, s["story"])
        for f in sorted(E2E.glob("test_*.yml"))
        for s in yaml.safe_load(f.read_text("utf-8"))["stories"]
    ]
    assert len(stories) >= 36
    for flow in {f for f, _ in stories}:
        languages = Counter(
            re.search(r"\((English|Hindi|Hinglish)\)$", name).group(1)
            for f, name in stories
            if f == flow
        )
        assert set(languages) == {"English", "Hindi", "Hinglish"}, flow


def _run_stories(out: Path, model: str, *extra: str) -> str:
    done = rasa(
        "test",
        "core",
        "--stories",
        str(E2E),
        "--model",
        model,
        "--fail-on-prediction-errors",
        "--out",
        str(out),
        *extra,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    failed = (out / "failed_test_stories.yml").read_text("utf-8")
    assert "None of the test stories failed" in failed, failed
    return output


@pytest.fixture(scope="module")
def e2e_run(trained_model: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """One `rasa test core --e2e` run (a minute: Rasa loads the model) for both tests below:
    with --e2e each user line is parsed by the model, and every action is predicted too."""
    out = tmp_path_factory.mktemp("e2e")
    return _run_stories(out, trained_model, "--e2e"), out


@STORIES_GROUP
def test_e2e_stories_predict_every_action(e2e_run: tuple[str, Path]) -> None:
    output, _ = e2e_run
    correct = re.search(r"Correct:\s+(\d+) / (\d+)", output)
    assert correct and correct.group(1) == correct.group(2), output[-3000:]


@STORIES_GROUP
def test_e2e_stories_understand_every_message(e2e_run: tuple[str, Path]) -> None:
    """Each user line's intent and entities, as the model parsed them, must be the story's."""
    import json

    _, out = e2e_run
    report = json.loads((out / "story_report.json").read_text("utf-8"))
    assert report["accuracy"] == pytest.approx(1.0)
    for intent in (
        "greet",
        "add_items",
        "choose_option",
        "checkout",
        "inform",
        "affirm",
        "deny",
        "human_handoff",
        "nlu_fallback",
    ):
        assert report[intent]["f1-score"] == pytest.approx(1.0), intent
