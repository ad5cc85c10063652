"""The model registry: models/<name>.tar.gz with models/<name>.meta.json beside it (data hash,
config, Rasa version, training time, metrics once evaluated), and models/registry.json saying
which model is production and which was before it, with every change kept in a history.

Models are never overwritten: a retrained model is a new candidate until it is promoted, so
"the model in production" stays the one that passed the gate. A model file found without a
meta (trained before the registry existed) is adopted, not ignored."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MODEL_SUFFIX = ".tar.gz"
META_SUFFIX = ".meta.json"
STATE_FILE = "registry.json"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class RegistryError(Exception):
    """A request the registry cannot honour; the message says why and what to do."""


def check_name(name: str) -> str:
    if not NAME.match(name) or name.endswith((MODEL_SUFFIX, ".tar")):
        raise RegistryError(
            f"{name!r} is not a model name: use letters, digits, '.', '_' or '-' "
            f"(without {MODEL_SUFFIX})"
        )
    return name


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class ModelMeta:
    name: str
    fingerprint: str | None = None  # hash of the training inputs (data, domain, effective config)
    trained_at: str | None = None
    train_seconds: float | None = None
    rasa_version: str | None = None
    model_id: str | None = None  # Rasa's id for the model, also reported by the engine's /status
    sha256: str | None = None
    config: str | None = None  # the exact pipeline and policies the model was trained with
    epochs: int | None = None  # epoch override (quick candidates); None: config.yml's own
    git_commit: str | None = None
    source: str = "trained"  # or "adopted": found without a meta
    metrics: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # keys written by newer code, kept

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelMeta:
        known = {f.name for f in fields(cls)} - {"extra"}
        return cls(
            **{k: v for k, v in data.items() if k in known},
            extra={k: v for k, v in data.items() if k not in known},
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {**data.pop("extra"), **data}


@dataclass
class State:
    production: str | None = None
    previous: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)


class Registry:
    def __init__(self, root: Path) -> None:
        self.root = root

    # ------------------------------------------------------------------ files
    def path(self, name: str) -> Path:
        return self.root / f"{check_name(name)}{MODEL_SUFFIX}"

    def meta_path(self, name: str) -> Path:
        return self.root / f"{check_name(name)}{META_SUFFIX}"

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        found = (p.name.removesuffix(MODEL_SUFFIX) for p in self.root.glob(f"*{MODEL_SUFFIX}"))
        return sorted(n for n in found if NAME.match(n))

    def get(self, name: str) -> ModelMeta:
        if not self.exists(name):
            known = ", ".join(self.names()) or "none"
            raise RegistryError(f"no model {name!r} in {self.root} (models: {known})")
        meta_path = self.meta_path(name)
        if meta_path.is_file():
            return ModelMeta.from_dict(json.loads(meta_path.read_text("utf-8")))
        return self._adopt(name)

    def models(self) -> list[ModelMeta]:
        """Every model, oldest first."""
        metas = [self.get(n) for n in self.names()]
        return sorted(metas, key=lambda m: (m.trained_at or "", m.name))

    def save_meta(self, meta: ModelMeta) -> None:
        _write_json(self.meta_path(meta.name), meta.as_dict())

    def _adopt(self, name: str) -> ModelMeta:
        """A model without a meta: what its archive says, and the fingerprint file the trainer
        before the registry wrote beside it."""
        path = self.path(name)
        meta = ModelMeta(name, source="adopted", sha256=file_sha256(path))
        info = archive_metadata(path)
        meta.rasa_version = info.get("rasa_open_source_version")
        meta.model_id = info.get("model_id")
        # Rasa's own trained_at has no time zone; the file's time does.
        meta.trained_at = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(
            timespec="seconds"
        )
        legacy = self.root / f"{name}.fingerprint"
        if legacy.is_file():
            meta.fingerprint = legacy.read_text().strip() or None
        self.save_meta(meta)
        return meta

    # ------------------------------------------------------------------ state
    def state(self) -> State:
        path = self.root / STATE_FILE
        if not path.is_file():
            return State()
        data = json.loads(path.read_text("utf-8"))
        return State(data.get("production"), data.get("previous"), list(data.get("history") or []))

    @contextmanager
    def _changing(self) -> Iterator[State]:
        """Read-modify-write of registry.json under a file lock: two promotions at once
        cannot lose one another's record."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".registry.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self.state()
            yield state
            _write_json(self.root / STATE_FILE, asdict(state))

    def production(self) -> ModelMeta | None:
        """The production model; with none recorded, the newest model becomes production (a
        fresh checkout's first model, or models trained before the registry existed)."""
        state = self.state()
        if state.production is None:
            names = self.names()
            if not names:
                return None
            newest = self.models()[-1]
            with self._changing() as s:
                if s.production is None:
                    s.production = newest.name
                    s.history.append({"at": now(), "action": "first model", "model": newest.name})
            state = self.state()
        assert state.production is not None
        return self.get(state.production) if self.exists(state.production) else None

    def previous(self) -> ModelMeta | None:
        prev = self.state().previous
        return self.get(prev) if prev and self.exists(prev) else None

    def matching(self, fingerprint: str) -> ModelMeta | None:
        """The newest model trained on exactly these inputs."""
        same = [m for m in self.models() if m.fingerprint == fingerprint]
        return same[-1] if same else None

    def latest(self) -> ModelMeta | None:
        models = self.models()
        return models[-1] if models else None

    def register(self, meta: ModelMeta) -> bool:
        """Record a newly trained model; True if it became production (there was none)."""
        self.save_meta(meta)
        return self.production() is not None and self.state().production == meta.name

    def promote(self, name: str, **record: Any) -> State:
        self.get(name)
        with self._changing() as s:
            if s.production == name:
                raise RegistryError(f"{name} is already production")
            s.previous, s.production = s.production, name
            s.history.append(
                {"at": now(), "action": "promote", "model": name, "replaced": s.previous, **record}
            )
        return self.state()

    def rollback(self, **record: Any) -> State:
        """Production goes back to the previous model; the one rolled back from becomes
        previous, so a second rollback undoes the first."""
        with self._changing() as s:
            if not s.previous:
                raise RegistryError("there is no previous model to roll back to")
            if not self.exists(s.previous):
                raise RegistryError(
                    f"the previous model {s.previous} is missing: {self.path(s.previous)}"
                )
            s.previous, s.production = s.production, s.previous
            s.history.append(
                {
                    "at": now(),
                    "action": "rollback",
                    "model": s.production,
                    "replaced": s.previous,
                    **record,
                }
            )
        return self.state()


def archive_metadata(path: Path) -> dict[str, Any]:
    """metadata.json inside a Rasa model archive; empty when it cannot be read."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar.getmembers():
                if member.name.rsplit("/", 1)[-1] == "metadata.json":
                    f = tar.extractfile(member)
                    if f is not None:
                        metadata = json.loads(f.read())
                        # A metadata.json that is not an object is as unreadable as a broken one.
                        return metadata if isinstance(metadata, dict) else {}
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError):
        pass
    return {}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    os.replace(tmp, path)
