"""The Rasa engine as the app sees it from outside: its interpreter, training into the model
registry (models/), testing a model on labelled messages. The engine runs in .venv-rasa;
nothing here imports Rasa."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, overload

import yaml
from sqlalchemy import make_url

from bot.models.registry import ModelMeta, Registry, archive_metadata, check_name, file_sha256
from bot.settings import PROJECT_ROOT, get_settings

RASA_VENV = PROJECT_ROOT / ".venv-rasa"
RASA = RASA_VENV / "bin" / "rasa"
# `rasa run` as the stack starts it: the same CLI, with rasa_engine's fixes applied first.
RASA_RUN = (str(RASA_VENV / "bin" / "python"), "-m", "rasa_engine", "run")
CONFIG = PROJECT_ROOT / "config.yml"
# What a model is trained on, passed to `rasa train` explicitly: data/eval/ is Rasa-readable
# too and must never be trained on.
TRAINING_DATA = ("data/nlu", "data/rules.yml", "data/stories.yml")
# Everything a trained model depends on.
# The code of the pipeline's own components: Rasa's training cache knows their names and
# settings, not their code, so the cache lives in a directory of its own per version of it.
COMPONENT_CODE = ("nlu_components", "bot/text/normalize.py", "bot/text/phonetic.py")
TRAINING_INPUTS = ("config.yml", "domain.yml", *TRAINING_DATA, *COMPONENT_CODE)
TRAINING_CACHES = PROJECT_ROOT / ".rasa"
# Components whose training length `--epochs` overrides.
EPOCH_COMPONENTS = ("DIETClassifier", "TEDPolicy", "ResponseSelector", "UnexpecTEDIntentPolicy")


def registry() -> Registry:
    return Registry(get_settings().models_dir)


def training_fingerprint(config_text: str | None = None, extra_data: Sequence[Path] = ()) -> str:
    """Hash of the training inputs; `config_text` stands in for config.yml (an epoch override
    is a different model), `extra_data` are NLU files trained on besides data/."""
    return _digest((*TRAINING_INPUTS, *extra_data), config_text)


def training_cache() -> Path:
    """Rasa's cache of trained components for this version of the components' code: a
    retraining on changed NLU data restores the dialogue policies and whatever else did not
    change (a candidate in seconds instead of a minute). Caches of other versions are removed."""
    current = TRAINING_CACHES / f"cache-{_digest(COMPONENT_CODE)[:16]}"
    for old in TRAINING_CACHES.glob("cache*"):
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    return current


def _digest(inputs: Sequence[str | Path], config_text: str | None = None) -> str:
    digest = hashlib.sha256()
    for entry in inputs:
        path = PROJECT_ROOT / entry
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if (
                f.is_file()
                and f.suffix in (".yml", ".yaml", ".py")
                and "__pycache__" not in f.parts
            ):
                digest.update(
                    str(
                        f.relative_to(PROJECT_ROOT) if f.is_relative_to(PROJECT_ROOT) else f
                    ).encode()
                )
                if f == CONFIG and config_text is not None:
                    digest.update(config_text.encode())
                else:
                    digest.update(f.read_bytes())
    return digest.hexdigest()


def effective_config(epochs: int | None = None) -> str:
    """config.yml as it is, or with every epoch count set to `epochs` (quick candidates)."""
    text = CONFIG.read_text("utf-8")
    if epochs is None:
        return text
    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    config = yaml.safe_load(text)
    for part in ("pipeline", "policies"):
        for component in config.get(part) or []:
            if component.get("name") in EPOCH_COMPONENTS or "epochs" in component:
                component["epochs"] = epochs
    dumped = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    return f"# config.yml with epochs overridden to {epochs}\n{dumped}"


def current_model() -> ModelMeta | None:
    """The newest model trained on the current data and config.yml, if any."""
    return registry().matching(training_fingerprint())


@overload
def production_model(required: Literal[True] = True) -> ModelMeta: ...
@overload
def production_model(required: bool) -> ModelMeta | None: ...
def production_model(required: bool = True) -> ModelMeta | None:
    reg = registry()
    prod = reg.production()
    if prod is None and required:
        recorded = reg.state().production
        if recorded:
            raise RuntimeError(
                f"the production model {recorded} is missing ({reg.path(recorded)}): "
                "`chatcart model rollback`, or `chatcart model promote` another"
            )
        raise RuntimeError("there is no model in production: `make train` trains the first one")
    return prod


def production_path() -> Path:
    return registry().path(production_model().name)


def engine_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for every engine command: offline, the project importable (for
    nlu_components), endpoints filled from the app's settings."""
    settings = get_settings()
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONPATH": str(PROJECT_ROOT),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{settings.action_server_port}/webhook",
        "ACTION_SERVER_SECRET": settings.action_server_secret.get_secret_value(),
        "RASA_TOKEN": settings.rasa_token.get_secret_value(),  # credentials.yml's channel token
    }
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
        return {
            "TRACKER_DIALECT": "sqlite",
            "TRACKER_URL": f"sqlite:///{tracker}",
            "TRACKER_DB": str(tracker),
        }
    pg = url.set(drivername="postgresql")
    return {
        "TRACKER_DIALECT": "postgresql",
        "TRACKER_URL": pg.render_as_string(hide_password=False),
        "TRACKER_DB": url.database or "",
    }


@dataclass(frozen=True, slots=True)
class Trained:
    model: ModelMeta
    path: Path
    trained: bool  # False: a model trained on the same inputs already existed
    production: bool  # it is the production model


def default_name() -> str:
    return f"chatcart-{datetime.now(UTC):%Y%m%d-%H%M%S}"


def train(
    force: bool = False,
    *,
    name: str | None = None,
    epochs: int | None = None,
    extra_args: list[str] | None = None,
    extra_data: Sequence[Path] = (),
) -> Trained:
    """A model for the current training data: the newest one already trained on exactly these
    inputs, or a new one (forced, or when the data, config or `epochs` differ). The first model
    ever becomes production; later ones are candidates until promoted. `extra_data` adds NLU
    files from outside data/ (an export not yet merged, as the learning-loop test trains on)."""
    extra_data = [Path(p).resolve() for p in extra_data]
    missing = [str(p) for p in extra_data if not p.exists()]
    if missing:
        raise ValueError(f"no such training data: {', '.join(missing)}")
    reg = registry()
    config_text = effective_config(epochs)
    fingerprint = training_fingerprint(config_text, extra_data)
    if not force and name is None and (found := reg.matching(fingerprint)) is not None:
        prod = reg.production()
        return Trained(
            found, reg.path(found.name), False, prod is not None and prod.name == found.name
        )
    name = check_name(name or default_name())
    if reg.exists(name):
        raise ValueError(
            f"a model named {name} exists already ({reg.path(name)}): choose another name"
        )
    # Rasa writes the archive in a directory of its own; it joins the registry complete, meta first.
    work = reg.root / ".training" / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    config_file = work / "config.yml"
    config_file.write_text(config_text, "utf-8")
    print(
        f"==> training {name}{f' ({epochs} epochs)' if epochs else ''}: Rasa's progress follows",
        flush=True,
    )
    started = time.monotonic()
    try:
        rasa(
            "train",
            "--config",
            str(config_file),
            "--domain",
            "domain.yml",
            "--data",
            *TRAINING_DATA,
            *map(str, extra_data),
            "--fixed-model-name",
            name,
            "--out",
            str(work),
            *(extra_args or []),
            env={"RASA_CACHE_DIRECTORY": str(training_cache())},
        )
        seconds = round(time.monotonic() - started, 1)
        built = work / f"{name}.tar.gz"
        info = archive_metadata(built)
        meta = ModelMeta(
            name=name,
            fingerprint=fingerprint,
            trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
            train_seconds=seconds,
            rasa_version=info.get("rasa_open_source_version"),
            model_id=info.get("model_id"),
            sha256=file_sha256(built),
            config=config_text,
            epochs=epochs,
            git_commit=git_commit(),
        )
        reg.save_meta(meta)
        os.replace(built, reg.path(name))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(OSError):
            work.parent.rmdir()  # only when no other training is under way
    path = reg.path(name)
    production = reg.register(meta)
    print(
        f"==> trained {name} in {seconds:.0f} s{' (production: the first model)' if production else ''}",
        flush=True,
    )
    return Trained(meta, path, True, production)


def git_commit() -> str | None:
    """HEAD, marked `-dirty` when the working tree has changes: which code trained a model."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}-dirty" if dirty else head


def rasa(
    *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    if not RASA.exists():
        sys.exit("The Rasa engine is not installed: run `make install`.")
    return subprocess.run([str(RASA), *args], cwd=PROJECT_ROOT, env=engine_env(env), check=check)


def test_nlu(model: Path, nlu: Path, out: Path) -> Path:
    """`rasa test nlu` of a trained model on labelled messages; every prediction is written
    to `out` (intent and entity successes and errors)."""
    if out.exists():
        shutil.rmtree(out)  # a file left from an earlier run would be read as this one's
    rasa(
        "test",
        "nlu",
        "--model",
        str(model),
        "--nlu",
        str(nlu),
        "--out",
        str(out),
        "--successes",
        "--no-plot",
    )
    return out


HOLDOUT_SEED = 2026


def nlu_holdout(
    config: Path, training_fraction: float, out: Path, work: Path | None = None
) -> dict[str, Any]:
    """Split data/nlu per intent (fixed seed), train NLU on one part, test on the other."""
    import json

    from bot.evaluation.nlu import markdown, results_report

    work = work or PROJECT_ROOT / "var" / "nlu-eval"
    split = work / "split"
    rasa(
        "data",
        "split",
        "nlu",
        "--nlu",
        "data/nlu",
        "--training-fraction",
        str(training_fraction),
        "--random-seed",
        str(HOLDOUT_SEED),
        "--out",
        str(split),
    )
    rasa(
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        str(split / "training_data.yml"),
        "--out",
        str(work),
        "--fixed-model-name",
        "holdout",
    )
    results = test_nlu(work / "holdout.tar.gz", split / "test_data.yml", work / "results")
    data = {"training_fraction": training_fraction, "seed": HOLDOUT_SEED, **results_report(results)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "nlu.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    (out / "nlu.md").write_text(markdown(data) + "\n", "utf-8")
    return data
