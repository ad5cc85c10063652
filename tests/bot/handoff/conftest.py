"""Two shops with a merchant each, and a fake Rasa tracker API on a real port."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.catalog.store import ensure_shop
from bot.db.session import session_scope
from bot.merchants.users import create_user
from bot.review.service import record
from tests.bot.handoff.fake_engine import FakeEngine


@dataclass(frozen=True)
class Shops:
    shop_id: int
    user_id: int
    other_shop_id: int
    other_user_id: int


@pytest.fixture
def shops(database_url: str) -> Shops:
    with session_scope() as s:
        shop, other = ensure_shop(s, "default", "ChatCart Kirana"), ensure_shop(s, "other", "Other")
        return Shops(
            shop.id,
            create_user(s, shop.id, "asha", "a long passphrase", "Asha Rao").id,
            other.id,
            create_user(s, other.id, "ravi", "a long passphrase").id,
        )


@pytest.fixture
def fake_engine() -> Iterator[FakeEngine]:
    engine = FakeEngine()
    yield engine
    engine.close()


def ask_for_a_person(shop_id: int, wa_id: str, *texts: str, language: str = "hinglish") -> None:
    """What action_human_handoff and action_handoff_hold record."""
    with session_scope() as s:
        for i, text in enumerate(texts):
            record(
                s,
                shop_id,
                kind="handoff",
                text=text,
                language=language,
                prediction="human_handoff",
                conversation_id=wa_id,
                details={"during_handoff": True} if i else None,
            )
