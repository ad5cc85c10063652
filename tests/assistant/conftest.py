"""The real assistant: a trained model, the Rasa engine and the action server as processes on
loopback ports, talking to a fresh database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.settings import get_settings
from cli.engine import RASA, train
from cli.stack import assistant_services, start_all, stop_all
from tests.shop import free_port


@pytest.fixture(scope="session")
def trained_model() -> str:
    """The model trained on the checkout's own data (trained now if there is none): the tests
    check this code and data, whichever model is in production."""
    if not RASA.exists():
        pytest.fail("the Rasa engine environment is missing: run `make install`")
    return str(train().path)


@dataclass
class Assistant:
    url: str
    database_url: str

    def say(self, sender: str, text: str) -> list[dict]:
        r = httpx.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        r.raise_for_status()
        return r.json()


@pytest.fixture(scope="module")
def assistant(trained_model: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    from tests.conftest import TEST_DATABASE_URL, _fresh_postgres

    if TEST_DATABASE_URL.startswith("postgresql"):
        db = _fresh_postgres(TEST_DATABASE_URL)
    else:
        db = f"sqlite:///{tmp_path_factory.mktemp('assistant') / 'chatcart.db'}"
    services = assistant_services(
        db, free_port(), free_port(), model=Path(trained_model), prefix="test-"
    )
    running = start_all(services)
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = db
    get_settings.cache_clear()
    try:
        yield Assistant(services[1].health.rstrip("/"), db)
    finally:
        stop_all(running)
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old
        get_settings.cache_clear()
