"""Merchants' labelled examples as Rasa NLU training data, for the data team to review in a
pull request: one `<intent>.yml` per intent under `data/nlu/reviewed/`.

- Rasa 3.x format (`version: "3.1"`), each example with its language as example metadata.
- De-duplicated by normalised text (the form the review queue groups by, entity annotations
  removed): among the shops' labels, and against every example already in `data/nlu`. A text
  the data already has under the same intent adds nothing; one it has under another intent,
  or that two shops labelled differently, is a disagreement for a person: it is skipped and
  reported, never written.
- Deterministic: the same labels give byte-identical files (sorted, no dates), so a pull
  request shows only what changed; files whose content did not change are not rewritten, and
  files this export wrote before for intents that have no examples any more are removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.review_models import TrainingExample
from bot.review.text import normalized_text

MARK = "# Written by `chatcart nlu export`"
HEADER = (
    f"{MARK} from the merchants' review queue: regenerate it rather than editing it.\n"
    "# Each example keeps the language it was written in as metadata.\n"
)
# Rasa reads "[text](entity)", "[text]{...}" and "[text][...]" in an example as an entity.
_ANNOTATION = re.compile(r"\[([^\]]+?)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
# What YAML may hold (YAML 1.1 printable set); anything else is dropped from a shopper's text.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class Labelled:
    text: str
    normalized: str
    intent: str
    language: str


@dataclass(frozen=True, slots=True)
class Skipped:
    text: str
    intent: str
    reason: str


@dataclass(frozen=True, slots=True)
class ExportReport:
    written: tuple[tuple[Path, int], ...]
    unchanged: tuple[tuple[Path, int], ...]
    removed: tuple[Path, ...]
    skipped: tuple[Skipped, ...]


def plain_text(example: str) -> str:
    """An example without its entity annotations: "[2](quantity) kg" → "2 kg"."""
    return _ANNOTATION.sub(r"\1", example)


def example_text(text: str) -> str:
    """A shopper's message made safe as one example: one line, YAML-printable, and no brackets
    that Rasa would read as an entity annotation."""
    text = _NOT_PRINTABLE.sub("", text).replace("[", "(").replace("]", ")")
    return " ".join(text.split())


def labelled_examples(session: Session, shop_id: int | None = None) -> list[Labelled]:
    query = select(TrainingExample).order_by(
        TrainingExample.normalized, TrainingExample.text, TrainingExample.id
    )
    if shop_id is not None:
        query = query.where(TrainingExample.shop_id == shop_id)
    out = []
    for row in session.scalars(query):
        text = example_text(row.text)
        if text:
            out.append(Labelled(text, normalized_text(plain_text(text)), row.intent, row.language))
    return out


def existing_examples(nlu_dir: Path) -> dict[str, tuple[str, Path]]:
    """Normalised text → (intent, file) of every example in the NLU data, except this export's own."""
    found: dict[str, tuple[str, Path]] = {}
    for path in sorted(nlu_dir.rglob("*.yml")) + sorted(nlu_dir.rglob("*.yaml")):
        raw = path.read_text(encoding="utf-8")
        if raw.startswith(MARK):
            continue
        data = yaml.safe_load(raw) or {}
        for entry in data.get("nlu") or []:
            if not isinstance(entry, dict) or "intent" not in entry:
                continue
            for example in _examples(entry.get("examples")):
                found.setdefault(normalized_text(plain_text(example)), (str(entry["intent"]), path))
    return found


def _examples(value: object) -> Iterable[str]:
    if isinstance(value, str):  # the block form: "- example" lines
        for raw in value.splitlines():
            line = raw.strip()
            if line.startswith("- "):
                yield line[2:]
    elif isinstance(value, list):  # the list form: {"text": ..., "metadata": ...}
        for item in value:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                yield item["text"].strip()


def plan(
    examples: list[Labelled], existing: dict[str, tuple[str, Path]], root: Path | None = None
) -> tuple[dict[str, list[Labelled]], list[Skipped]]:
    """Which examples go into which intent's file, and which are left out and why."""
    by_text: dict[str, list[Labelled]] = {}
    for e in examples:
        by_text.setdefault(e.normalized, []).append(e)
    files: dict[str, list[Labelled]] = {}
    skipped: list[Skipped] = []
    for normalized in sorted(by_text):
        same = by_text[normalized]
        first = same[0]
        intents = sorted({e.intent for e in same})
        if len(intents) > 1:
            skipped.append(
                Skipped(
                    first.text,
                    " / ".join(intents),
                    f"labelled differently by different shops: {', '.join(intents)}",
                )
            )
            continue
        if normalized in existing:
            intent, path = existing[normalized]
            where = _shown(path, root)
            reason = (
                f"already in {where}"
                if intent == first.intent
                else f"{where} has it as {intent!r}: a person should decide"
            )
            skipped.append(Skipped(first.text, first.intent, reason))
            continue
        files.setdefault(first.intent, []).append(first)
    return files, skipped


def render(intent: str, examples: list[Labelled]) -> str:
    lines = [HEADER + 'version: "3.1"', "nlu:", f"- intent: {intent}", "  examples:"]
    for e in sorted(examples, key=lambda e: (e.normalized, e.text)):
        lines += ["  - text: |", f"      {e.text}"]
        if e.language:
            lines += ["    metadata:", f"      language: {e.language}"]
    return "\n".join(lines) + "\n"


def export(
    session: Session,
    out_dir: Path,
    nlu_dir: Path,
    shop_id: int | None = None,
    root: Path | None = None,
) -> ExportReport:
    files, skipped = plan(labelled_examples(session, shop_id), existing_examples(nlu_dir), root)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, unchanged = [], []
    for intent in sorted(files):
        path = out_dir / f"{intent}.yml"
        content = render(intent, files[intent])
        if path.exists() and path.read_text(encoding="utf-8") == content:
            unchanged.append((path, len(files[intent])))
            continue
        tmp = path.with_suffix(".yml.tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
        written.append((path, len(files[intent])))
    removed = []
    for path in sorted(out_dir.glob("*.yml")):
        if path.stem not in files and path.read_text(encoding="utf-8").startswith(MARK):
            path.unlink()
            removed.append(path)
    return ExportReport(tuple(written), tuple(unchanged), tuple(removed), tuple(skipped))


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)
