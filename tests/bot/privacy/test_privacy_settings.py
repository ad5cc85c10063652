"""The privacy settings: production refuses the development hash key; the tracker store is
found where `make run` tells the engine to keep it."""

from __future__ import annotations

import pytest

from bot.privacy.pseudonym import is_pseudonym, pseudonym
from bot.privacy.tracker import tracker_url
from bot.settings import Settings
from cli.engine import tracker_env


def test_production_refuses_the_development_hash_key() -> None:
    problems = "\n".join(Settings(environment="production").production_problems())
    assert "PRIVACY_HASH_SECRET is not set" in problems
    chosen = Settings(environment="production", privacy_hash_secret="k" * 32)
    assert not [p for p in chosen.production_problems() if "PRIVACY_HASH_SECRET" in p]


def test_the_pseudonym_is_keyed_and_fits_a_wa_id() -> None:
    one, other = pseudonym("919812345678", "key-1"), pseudonym("919812345678", "key-2")
    assert one != other and one == pseudonym("919812345678", "key-1")
    assert len(one) <= 64 and is_pseudonym(one) and "919812345678" not in one


@pytest.mark.parametrize(
    "url",
    ["sqlite:///var/chatcart.db", "sqlite:////tmp/x/shop.db", "postgresql+psycopg://u@h/chatcart"],
)
def test_the_tracker_store_is_where_the_engine_keeps_it(url: str) -> None:
    env = tracker_env(url)
    if env["TRACKER_DIALECT"] == "sqlite":
        assert tracker_url(url) == env["TRACKER_URL"]
    else:
        assert tracker_url(url) == url  # the same database, through the app's own driver
