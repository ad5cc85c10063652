"""`chatcart model` as the data team runs it, on a registry of real files, and once against the
real Rasa engine, whose model is swapped over its HTTP API."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bot.evaluation.messages import file_digest
from bot.models.registry import ModelMeta, Registry
from bot.settings import PROJECT_ROOT, get_settings
from cli import app
from cli.engine import effective_config, training_fingerprint
from cli.evaluate import ITEMS_DEV_SET, NLU_TEST_SET

TOKEN = "test-engine-token"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def chatcart(
    *args: str, models: Path, engine_url: str = "http://127.0.0.1:9", token: str = ""
) -> Run:
    """`chatcart model …` in this process (the installed command takes seconds to import),
    with its settings from the environment as in a shell."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MODELS_DIR", str(models))
        mp.setenv("RASA_URL", engine_url)
        mp.setenv("RASA_TOKEN", token)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(app, ["model", *args])
        finally:
            get_settings.cache_clear()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def measured(accuracy: float, macro_f1: float, items: float = 0.95) -> dict[str, Any]:
    """Gate metrics as `chatcart evaluate model` records them, on today's test and dev sets."""
    return {
        "test_set": {
            "sha256": file_digest(NLU_TEST_SET),
            "overall": {"accuracy": accuracy, "macro_f1": macro_f1},
        },
        "items": {"sha256": file_digest(ITEMS_DEV_SET), "line_accuracy": items},
    }


def add_model(
    reg: Registry, name: str, at: str, metrics: dict[str, Any], source: Path | None = None
) -> Path:
    path = reg.path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        shutil.copyfile(source, path)
    else:  # an archive shaped like a Rasa model, for the tests that never load it
        with tarfile.open(path, "w:gz") as tar:
            data = json.dumps({"model_id": f"id-{name}"}).encode()
            info = tarfile.TarInfo("metadata.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    reg.register(ModelMeta(name, fingerprint="f", trained_at=at, metrics=metrics))
    return path


@pytest.fixture
def three_models(tmp_path: Path) -> Registry:
    """`old` in production; `better` and `worse` candidates."""
    reg = Registry(tmp_path / "models")
    add_model(reg, "old", "2026-01-01T00:00:00+00:00", measured(0.90, 0.88))
    add_model(reg, "better", "2026-01-02T00:00:00+00:00", measured(0.92, 0.90))
    add_model(reg, "worse", "2026-01-03T00:00:00+00:00", measured(0.85, 0.80))
    return reg


def test_a_worse_candidate_is_refused_and_production_is_unchanged(three_models: Registry) -> None:
    proc = chatcart("promote", "worse", models=three_models.root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Refused: worse is worse than production old" in proc.stderr
    assert (
        "intent accuracy (NLU test set): 85.0% is worse than production's 90.0% (-5.0 pp)"
        in proc.stderr
    )
    assert "| intent macro F1 (NLU test set) | 0.800 | 0.880 | -0.080 | ✗ |" in proc.stdout
    state = three_models.state()
    assert (state.production, state.previous) == ("old", None)


def test_promote_without_a_running_engine_records_it_for_the_next_start(
    three_models: Registry,
) -> None:
    """The newest candidate is `worse`, so `better` is named; --force then overrides the gate."""
    proc = chatcart("promote", "better", models=three_models.root)
    assert proc.returncode == 0, proc.stderr
    assert "is not running: it loads better at its next start" in proc.stdout
    state = three_models.state()
    assert (state.production, state.previous) == ("better", "old")
    assert state.history[-1]["engine"] == "not running" and state.history[-1]["forced"] is False

    proc = chatcart("promote", models=three_models.root)  # the newest candidate: worse
    assert proc.returncode == 1 and "Refused: worse" in proc.stderr
    proc = chatcart("promote", "--force", models=three_models.root)
    assert proc.returncode == 0, proc.stderr
    assert "promoting anyway (--force)" in proc.stdout
    state = three_models.state()
    assert (state.production, state.previous) == ("worse", "better")
    assert state.history[-1]["forced"] is True

    proc = chatcart("rollback", models=three_models.root)
    assert proc.returncode == 0, proc.stderr
    assert "better is production again; previous: worse" in proc.stdout

    listing = chatcart("list", models=three_models.root).stdout
    assert "| better | production |" in listing and "| worse | previous |" in listing
    assert "| old | candidate |" in listing and "| 92.0% | 0.900 | 95.0% |" in listing


def test_clear_refusals(three_models: Registry, tmp_path: Path) -> None:
    proc = chatcart("promote", "old", models=three_models.root)
    assert proc.returncode == 1 and "old is already production" in proc.stderr
    proc = chatcart("promote", "nope", models=three_models.root)
    assert proc.returncode == 2 and "no model 'nope'" in proc.stderr
    proc = chatcart("rollback", models=three_models.root)
    assert proc.returncode == 1 and "no previous model" in proc.stderr
    proc = chatcart("promote", models=tmp_path / "empty")
    assert proc.returncode == 2 and "no candidate model" in proc.stderr
    proc = chatcart("train", "--epochs", "0", models=tmp_path / "empty")
    assert proc.returncode == 2 and "--epochs" in proc.stderr


def test_an_epoch_override_is_a_different_model() -> None:
    config = yaml.safe_load(effective_config(3))
    epochs = {c["name"]: c.get("epochs") for c in config["pipeline"] + config["policies"]}
    assert epochs["TEDPolicy"] == 3
    ted = next(c for c in config["policies"] if c["name"] == "TEDPolicy")
    assert ted["random_seed"] == 2026  # the rest of config.yml is kept
    assert effective_config() == (PROJECT_ROOT / "config.yml").read_text("utf-8")
    assert (
        training_fingerprint(effective_config(3))
        != training_fingerprint()
        == training_fingerprint(effective_config())
    )
