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


def test_production_refuses_an_open_engine_and_action_server() -> None:
    """Their development values keep `make run` free of set-up; in production each one is a
    door: the engine's API and channel without RASA_TOKEN, the action server with a secret
    everyone can read in this repository."""
    problems = "\n".join(Settings(environment="production").production_problems())
    assert "RASA_TOKEN is not set" in problems
    assert "ACTION_SERVER_SECRET is not set" in problems
    chosen = Settings(
        environment="production", rasa_token="t" * 32, action_server_secret="s" * 32
    ).production_problems()
    assert not [p for p in chosen if "RASA_TOKEN" in p or "ACTION_SERVER_SECRET" in p]
