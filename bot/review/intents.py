"""The intents a merchant may label a message with: exactly those of the assistant's domain, so
that an exported example never names an intent the model does not know."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.errors import InvalidRequest
from bot.settings import PROJECT_ROOT

DOMAIN = PROJECT_ROOT / "domain.yml"


def domain_intents(path: Path = DOMAIN) -> tuple[str, ...]:
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read(path: Path, _mtime: int, _size: int) -> tuple[str, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    intents = []
    for entry in data.get("intents") or []:
        # An intent is a name, or a one-key mapping of its name to options.
        intents.append(entry if isinstance(entry, str) else next(iter(entry)))
    return tuple(intents)


def check_intent(intent: str, path: Path = DOMAIN) -> str:
    known = domain_intents(path)
    if intent not in known:
        raise InvalidRequest(
            f"{intent!r} is not an intent of the assistant; choose one of {', '.join(known)}"
        )
    return intent
