"""The registry on real files: archives with Rasa's metadata.json, metas, registry.json."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from bot.models.registry import ModelMeta, Registry, RegistryError, archive_metadata


def make_archive(path: Path, model_id: str, version: str = "3.6.21") -> Path:
    """A tar.gz shaped like a Rasa model: a metadata.json among component files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, data in (
            ("components/x/vocabularies.json", b"{}"),
            (
                "metadata.json",
                json.dumps({"model_id": model_id, "rasa_open_source_version": version}).encode(),
            ),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def trained(reg: Registry, name: str, at: str, fingerprint: str = "f0") -> ModelMeta:
    make_archive(reg.path(name), f"id-{name}")
    meta = ModelMeta(name, fingerprint=fingerprint, trained_at=at, config="pipeline: []\n")
    reg.register(meta)
    return meta


def test_an_empty_directory_has_no_production(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "models")
    assert reg.names() == [] and reg.production() is None and reg.latest() is None
    with pytest.raises(RegistryError, match="no previous model"):
        reg.rollback()


def test_the_first_model_becomes_production_and_later_ones_are_candidates(tmp_path: Path) -> None:
    reg = Registry(tmp_path)
    first = trained(reg, "m1", "2026-01-01T00:00:00+00:00")
    assert reg.register(first) is True
    second = trained(reg, "m2", "2026-01-02T00:00:00+00:00")
    assert reg.register(second) is False
    assert reg.production().name == "m1"
    assert reg.latest().name == "m2"
    state = reg.state()
    assert state.previous is None
    assert [h["action"] for h in state.history] == ["first model"]
    assert json.loads((tmp_path / "m2.meta.json").read_text())["config"] == "pipeline: []\n"


def test_promote_keeps_the_previous_and_rollback_swaps_back(tmp_path: Path) -> None:
    reg = Registry(tmp_path)
    trained(reg, "m1", "2026-01-01T00:00:00+00:00")
    trained(reg, "m2", "2026-01-02T00:00:00+00:00")
    state = reg.promote("m2", engine="loaded")
    assert (state.production, state.previous) == ("m2", "m1")
    assert state.history[-1] == {
        **state.history[-1],
        "action": "promote",
        "model": "m2",
        "replaced": "m1",
        "engine": "loaded",
    }
    with pytest.raises(RegistryError, match="already production"):
        reg.promote("m2")
    state = reg.rollback(engine="not running")
    assert (state.production, state.previous) == ("m1", "m2")
    state = reg.rollback()
    assert (state.production, state.previous) == ("m2", "m1")
    assert [h["action"] for h in state.history] == [
        "first model",
        "promote",
        "rollback",
        "rollback",
    ]
    # registry.json on disk is what another process reads
    assert Registry(tmp_path).state().production == "m2"


def test_rollback_refuses_when_the_previous_file_is_gone(tmp_path: Path) -> None:
    reg = Registry(tmp_path)
    trained(reg, "m1", "2026-01-01T00:00:00+00:00")
    trained(reg, "m2", "2026-01-02T00:00:00+00:00")
    reg.promote("m2")
    reg.path("m1").unlink()
    with pytest.raises(RegistryError, match="m1 is missing"):
        reg.rollback()
    assert reg.state().production == "m2"


def test_unknown_and_malformed_names_are_refused(tmp_path: Path) -> None:
    reg = Registry(tmp_path)
    trained(reg, "m1", "2026-01-01T00:00:00+00:00")
    with pytest.raises(RegistryError, match=r"no model 'nope'.*m1"):
        reg.get("nope")
    for bad in ("../escape", "m1.tar.gz", "", "-dash", "a b"):
        with pytest.raises(RegistryError, match="not a model name"):
            reg.path(bad)


def test_a_model_without_meta_is_adopted_with_its_fingerprint_file(tmp_path: Path) -> None:
    """models/chatcart.tar.gz and chatcart.fingerprint, as the trainer before the registry left them."""
    make_archive(tmp_path / "chatcart.tar.gz", "abc123", "3.6.21")
    (tmp_path / "chatcart.fingerprint").write_text("deadbeef\n")
    reg = Registry(tmp_path)
    prod = reg.production()
    assert prod is not None and prod.name == "chatcart"
    assert (prod.source, prod.fingerprint, prod.model_id, prod.rasa_version) == (
        "adopted",
        "deadbeef",
        "abc123",
        "3.6.21",
    )
    assert prod.trained_at and prod.trained_at.endswith("+00:00")
    assert (tmp_path / "chatcart.meta.json").is_file()
    assert reg.matching("deadbeef").name == "chatcart"


def test_matching_finds_the_newest_model_on_the_same_inputs(tmp_path: Path) -> None:
    reg = Registry(tmp_path)
    trained(reg, "old", "2026-01-01T00:00:00+00:00", "same")
    trained(reg, "new", "2026-01-03T00:00:00+00:00", "same")
    trained(reg, "other", "2026-01-02T00:00:00+00:00", "different")
    assert reg.matching("same").name == "new"
    assert reg.matching("unknown") is None


def test_meta_keeps_keys_it_does_not_know(tmp_path: Path) -> None:
    reg = Registry(tmp_path)
    make_archive(reg.path("m1"), "x")
    reg.meta_path("m1").write_text(json.dumps({"name": "m1", "written_by_newer_code": [1, 2]}))
    meta = reg.get("m1")
    meta.metrics = {"items": {"line_accuracy": 0.9}}
    reg.save_meta(meta)
    saved = json.loads(reg.meta_path("m1").read_text())
    assert (
        saved["written_by_newer_code"] == [1, 2]
        and saved["metrics"]["items"]["line_accuracy"] == 0.9
    )


def test_an_unreadable_archive_has_no_metadata(tmp_path: Path) -> None:
    broken = tmp_path / "half.tar.gz"
    broken.write_bytes(b"\x1f\x8b not really gzip")
    assert archive_metadata(broken) == {}
