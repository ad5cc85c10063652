"""The real assistant, started once per test run and shared: a trained model, the Rasa engine
and the action server as processes on loopback ports, on a database of their own. Tests keep
out of each other's way by shopper id (every conversation is its own tracker), and the ones
that use these processes share one pytest-xdist worker (`xdist_group("engine")`), so a run
starts one engine however many workers it has. Registered from tests/conftest.py."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.settings import get_settings
from cli.engine import RASA, train
from cli.stack import assistant_services, start_all, stop_all
from tests.conftest import TEST_DATABASE_URL, for_this_worker, fresh_postgres
from tests.shop import free_port, load_shop

ENGINE_GROUP = pytest.mark.xdist_group("engine")
# A shop that takes WhatsApp Pay (tests/api/whatsapp/test_whatsapp_pay_conversation.py): the
# shared action server knows its payment configuration, and it sends WhatsApp's address form;
# no other shop does either.
WHATSAPP_PAY_SHOP = "pays-in-whatsapp"
WHATSAPP_PAY_CONFIGURATION = "pays-in-whatsapp-razorpay"
WHATSAPP_PAY = json.dumps(
    {WHATSAPP_PAY_SHOP: {"gateway": "razorpay", "configuration_name": WHATSAPP_PAY_CONFIGURATION}}
)
"""For the modules that use the shared engine: one worker runs them all, one at a time."""
MODELS_GROUP = pytest.mark.xdist_group("models")
"""For the learning loop, which trains a candidate and promotes it into an engine of its own: the
longest test of the suite, handed out first (below) so that it runs beside the shared engine's
chain, never after it."""
STORIES_GROUP = pytest.mark.xdist_group("stories")
"""For tests that share one `rasa test` run (a module fixture): on one worker, it runs once."""
HANDED_OUT_FIRST = ("engine", "models", "cluster")
"""The longest chains, in the order the scheduler hands them out (`make test` keeps the
collection's order, `--no-loadscope-reorder`): the first two to one worker each at the start,
while the tests that start processes and then the unit tests fill in around them. Handed out
late, a chain of minutes ends the run alone on one worker while the other idles. The learning
loop ("models") runs on the SQLite pass of CI and the cluster on the PostgreSQL pass."""


@pytest.fixture(scope="session")
def trained_model() -> str:
    """The model trained on the checkout's own data (trained now only when none matches its
    data hash): the tests check this code and data, whichever model is in production."""
    if not RASA.exists():
        pytest.fail("the Rasa engine environment is missing: run `make install`")
    return str(train().path)


@dataclass
class Assistant:
    url: str
    database_url: str

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        r = httpx.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        r.raise_for_status()
        replies: list[dict[str, Any]] = r.json()
        return replies


@pytest.fixture(scope="session")
def assistant(trained_model: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The engine and the action server on a database of their own, for the whole run."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        db = fresh_postgres(for_this_worker(os.environ["TEST_DATABASE_URL"], "assistant"))
    else:
        db = f"sqlite:///{tmp_path_factory.mktemp('assistant') / 'chatcart.db'}"
    load_shop(db)
    services = assistant_services(
        db,
        free_port(),
        free_port(),
        model=Path(trained_model),
        prefix="test-",
        extra_env={
            "WHATSAPP_PAY": WHATSAPP_PAY,
            "WHATSAPP_ADDRESS_FORM": json.dumps([WHATSAPP_PAY_SHOP]),
        },
    )
    running = start_all(services)
    try:
        yield Assistant(services[1].health.rstrip("/"), db)
    finally:
        stop_all(running)


@pytest.fixture
def on_assistant_database(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Assistant]:
    """The assistant, with `get_settings()` pointing at its database for the test."""
    monkeypatch.setenv("DATABASE_URL", assistant.database_url)
    get_settings.cache_clear()
    yield assistant
    get_settings.cache_clear()
