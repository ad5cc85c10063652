"""The simulator's app, for the tests of its pages and of its Graph API stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.settings import get_settings

SIMULATOR_TOKEN = "simulator-test-token"
"""The access token the stand-in checks, as Meta checks the business's token."""


@pytest.fixture
def simulator(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The whole app in development with no WhatsApp credentials of Meta's, the simulator on,
    no worker processing the inbox."""
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", SIMULATOR_TOKEN)
    monkeypatch.setenv("WHATSAPP_WORKERS", "false")
    monkeypatch.setenv("EXPIRE_UNPAID_EVERY_SECONDS", "0")
    get_settings.cache_clear()
    from api.main import create_app

    with TestClient(create_app()) as c:
        yield c
    get_settings.cache_clear()
