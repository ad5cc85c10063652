"""The fake Graph API every WhatsApp test talks to, one per test (the conversation module keeps
one for the session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.whatsapp.support import FakeGraph


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    server = FakeGraph()
    yield server
    server.close()
