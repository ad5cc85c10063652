"""The Rasa engine as the app sees it from outside: its interpreter, its model and whether
the model still matches the training data. The engine runs in .venv-rasa; nothing here
imports Rasa."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import make_url

from bot.settings import PROJECT_ROOT, get_settings

RASA_VENV = PROJECT_ROOT / ".venv-rasa"
RASA = RASA_VENV / "bin" / "rasa"
MODELS = PROJECT_ROOT / "models"
MODEL = MODELS / "chatcart.tar.gz"
FINGERPRINT = MODELS / "chatcart.fingerprint"
# Everything a trained model depends on.
TRAINING_INPUTS = ("config.yml", "domain.yml", "data/nlu", "data/rules.yml", "data/stories.yml",
                   "nlu_components", "bot/text/normalize.py", "bot/text/phonetic.py")


def training_fingerprint() -> str:
    digest = hashlib.sha256()
    for entry in TRAINING_INPUTS:
        path = PROJECT_ROOT / entry
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file() and f.suffix in (".yml", ".yaml", ".py") and "__pycache__" not in f.parts:
                digest.update(str(f.relative_to(PROJECT_ROOT)).encode())
                digest.update(f.read_bytes())
    return digest.hexdigest()


def model_is_current() -> bool:
    return MODEL.exists() and FINGERPRINT.exists() and FINGERPRINT.read_text().strip() == training_fingerprint()


def engine_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for every engine command: offline, the project importable (for
    nlu_components), endpoints filled from the app's settings."""
    settings = get_settings()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           "PYTHONPATH": str(PROJECT_ROOT), "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{settings.action_server_port}/webhook"}
    env.update(tracker_env(settings.database_url))
    env.update(extra or {})
    return env


def tracker_env(database_url: str) -> dict[str, str]:
    """Rasa's SQL tracker store on the same database engine as the app: a sibling SQLite file,
    or the same PostgreSQL database (Rasa's own psycopg2 driver)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        db = Path(url.database or "chatcart.db")
        tracker = db.with_name(f"{db.stem}-conversations.db")
        return {"TRACKER_DIALECT": "sqlite", "TRACKER_URL": f"sqlite:///{tracker}", "TRACKER_DB": str(tracker)}
    pg = url.set(drivername="postgresql")
    return {"TRACKER_DIALECT": "postgresql", "TRACKER_URL": pg.render_as_string(hide_password=False),
            "TRACKER_DB": url.database or ""}


def train(force: bool = False, extra_args: list[str] | None = None) -> bool:
    """Train when the data changed since the last model (or when forced); True if trained."""
    if not force and model_is_current():
        return False
    MODELS.mkdir(exist_ok=True)
    fingerprint = training_fingerprint()
    rasa("train", "--fixed-model-name", "chatcart", "--out", str(MODELS), "--force", *(extra_args or []))
    FINGERPRINT.write_text(fingerprint)
    return True


def rasa(*args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    if not RASA.exists():
        sys.exit("The Rasa engine is not installed: run `make install`.")
    return subprocess.run([str(RASA), *args], cwd=PROJECT_ROOT, env=engine_env(), check=check)


def nlu_holdout(config: Path, training_fraction: float, out: Path) -> dict:
    """Split data/nlu per intent (fixed seed), train NLU on one part, test on the other."""
    import json

    from bot.evaluation.nlu import markdown, read_predictions, report

    work = PROJECT_ROOT / "var" / "nlu-eval"
    split = work / "split"
    rasa("data", "split", "nlu", "--nlu", "data/nlu", "--training-fraction", str(training_fraction),
         "--random-seed", "2026", "--out", str(split))
    rasa("train", "nlu", "--config", str(config), "--nlu", str(split / "training_data.yml"),
         "--out", str(work), "--fixed-model-name", "holdout")
    results = work / "results"
    rasa("test", "nlu", "--model", str(work / "holdout.tar.gz"), "--nlu", str(split / "test_data.yml"),
         "--out", str(results), "--successes", "--no-plot")
    data = report(read_predictions(results))
    out.mkdir(parents=True, exist_ok=True)
    (out / "nlu.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    (out / "nlu.md").write_text(markdown(data) + "\n", "utf-8")
    return data
