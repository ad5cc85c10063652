"""`chatcart model` as the data team runs it, on a registry of real files, and once against the
real Rasa engine, whose model is swapped over its HTTP API."""

from __future__ import annotations

import io
import json
import shutil
import socket
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from bot.evaluation.messages import file_digest
from bot.models.registry import ModelMeta, Registry
from bot.models.serving import EngineAPI, EngineRefused
from bot.settings import PROJECT_ROOT, get_settings
from cli import app
from cli.engine import effective_config, registry, training_fingerprint
from cli.evaluate import ITEMS_DEV_SET, NLU_TEST_SET
from tests.shop import free_port

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


def outward_address() -> str | None:
    """This host's address on its network (none sent: a UDP socket only picks the route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address


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


# ---------------------------------------------------------------- the real engine


@pytest.fixture(scope="module")
def real_model() -> Path:
    """A trained model already on disk (production, else the newest); trains one only on a
    checkout that has none."""
    reg = registry()
    model = reg.production() or reg.latest()
    if model is None:
        from cli.engine import train

        return train().path
    return reg.path(model.name)


def test_promote_and_rollback_swap_the_running_engines_model(
    real_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.stack import assistant_services, start_all, stop_all

    reg = Registry(tmp_path / "models")
    a = add_model(reg, "a", "2026-01-01T00:00:00+00:00", measured(0.90, 0.88), real_model)
    b = add_model(reg, "b", "2026-01-02T00:00:00+00:00", measured(0.91, 0.88), real_model)
    add_model(reg, "c", "2026-01-03T00:00:00+00:00", measured(0.80, 0.88), real_model)
    monkeypatch.setenv("RASA_TOKEN", TOKEN)
    get_settings.cache_clear()
    try:
        engine = assistant_services(
            f"sqlite:///{tmp_path / 'chatcart.db'}",
            free_port(),
            free_port(),
            model=a,
            prefix="test-promote-",
        )[1]
    finally:
        get_settings.cache_clear()
    assert engine.cmd[-2:] == ["--auth-token", TOKEN]
    assert engine.cmd[engine.cmd.index("--interface") + 1] == "127.0.0.1"
    engine.timeout = 600  # loading a model takes minutes when the two cores are busy
    running = start_all([engine])
    url = engine.health.rstrip("/")
    api = EngineAPI(url, TOKEN)
    try:
        assert api.status()["model_file"] == "a.tar.gz"
        assert httpx.get(f"{url}/status", timeout=10).status_code == 401
        if (address := outward_address()) is not None:  # loopback only: not on the host's own
            with pytest.raises(httpx.ConnectError):
                httpx.get(url.replace("127.0.0.1", address), timeout=10)
        with pytest.raises(EngineRefused, match="RASA_TOKEN must be the token"):
            EngineAPI(url, "wrong").status()

        proc = chatcart("promote", "c", models=reg.root, engine_url=url, token=TOKEN)
        assert proc.returncode == 1 and "Refused: c" in proc.stderr
        assert api.status()["model_file"] == "a.tar.gz"

        proc = chatcart("promote", "b", models=reg.root, engine_url=url, token=TOKEN)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert api.status()["model_file"] == "b.tar.gz"
        assert reg.state().production == "b" and reg.state().previous == "a"
        assert reg.state().history[-1]["engine"] == "loaded"
        parsed = httpx.post(
            f"{url}/model/parse",
            params={"token": TOKEN},
            json={"text": "2 kg atta aur doodh"},
            timeout=60,
        ).json()
        assert parsed["intent"]["name"] == "add_items"

        proc = chatcart("rollback", models=reg.root, engine_url=url, token=TOKEN)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert api.status()["model_file"] == "a.tar.gz"
        assert (reg.state().production, reg.state().previous) == ("a", "b")

        b.write_bytes(b"not a model")  # the engine refuses it: nothing is recorded
        proc = chatcart("promote", "b", models=reg.root, engine_url=url, token=TOKEN)
        assert proc.returncode == 1 and "Not promoted" in proc.stderr
        assert api.status()["model_file"] == "a.tar.gz" and reg.state().production == "a"
    finally:
        stop_all(running)
