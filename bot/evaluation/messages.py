"""Labelled NLU messages read from Rasa's YAML format without importing Rasa: the fixed test
set (data/eval/nlu.yml, whose blocks carry `metadata: {language: …}`) and the training data
(data/nlu), so the app can check that the two never overlap and label results by language."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# [text](entity), [text](entity:value) or [text]{"entity": …}: Rasa's entity markup.
MARKUP = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]*\}))")


@dataclass(frozen=True, slots=True)
class Span:
    entity: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class LabelledMessage:
    text: str
    intent: str
    language: str | None
    entities: tuple[Span, ...]


def parse_markup(example: str) -> tuple[str, tuple[Span, ...]]:
    """Plain text and entity spans of one annotated example, offsets in the plain text."""
    plain: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    for m in MARKUP.finditer(example):
        before = example[pos : m.start()]
        plain.append(before)
        length += len(before)
        text = m["text"]
        if m["short"]:
            entity = m["short"].split(":", 1)[0].strip()
        else:
            entity = str(json.loads(m["json"]).get("entity", ""))
        spans.append(Span(entity, length, length + len(text), text))
        plain.append(text)
        length += len(text)
        pos = m.end()
    plain.append(example[pos:])
    return "".join(plain), tuple(spans)


def _examples(block: dict[str, Any]) -> list[str]:
    raw = block.get("examples") or ""
    if isinstance(raw, list):
        return [str(e["text"] if isinstance(e, dict) else e).strip() for e in raw]
    return [
        line.strip()[2:].strip() for line in str(raw).splitlines() if line.strip().startswith("- ")
    ]


def read_nlu_file(path: Path) -> list[LabelledMessage]:
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    out = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue  # regex, synonym and lookup blocks label no message
        language = (block.get("metadata") or {}).get("language")
        for example in _examples(block):
            text, spans = parse_markup(example)
            out.append(LabelledMessage(text, str(block["intent"]), language, spans))
    return out


def read_nlu(path: Path) -> list[LabelledMessage]:
    """One file, or every .yml/.yaml file under a directory."""
    files = (
        sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml"))
        if path.is_dir()
        else [path]
    )
    return [m for f in files for m in read_nlu_file(f)]


def comparable(text: str) -> str:
    """The form two messages are compared in: case and spacing do not make a new message."""
    return " ".join(text.casefold().split())


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
