"""ENVIRONMENT is one of three words: a misspelling must stop the process, never run it as
development (the sandbox payment provider that approves without money, the simulator on)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ("development", "development"),
        ("test", "test"),
        ("production", "production"),
        ("Production", "production"),
        ("PRODUCTION", "production"),
        ("Test", "test"),
    ],
)
def test_the_three_environments_in_any_case(
    given: str, read: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVIRONMENT", given)
    settings = Settings()
    assert settings.environment == read
    assert settings.is_production == (read == "production")


@pytest.mark.parametrize("given", ["prod", "Prod", "staging", "dev", "", " production", "live"])
def test_anything_else_is_refused(given: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", given)
    with pytest.raises(ValidationError, match="environment"):
        Settings()
