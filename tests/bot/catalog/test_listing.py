"""The console's search index: a big catalog's is built in the background, and an index one
edit old answers meanwhile (rows always come fresh from the database)."""

from __future__ import annotations

import time

from sqlalchemy import select, update

from bot.catalog.listing import Rank, Rankers, find
from bot.db.models import Shop
from bot.db.session import session_scope


def ranker(rankers: Rankers, shop_id: int) -> Rank | None:
    with session_scope() as s:
        return rankers.get(s, shop_id)


def wait_for(rankers: Rankers, shop_id: int, version: int) -> Rank:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        key = next(iter(rankers._built), None)
        if key is not None and rankers._built[key][0] == version:
            found = ranker(rankers, shop_id)
            assert found is not None
            return found
        time.sleep(0.05)
    raise AssertionError("the index was not built")


def version() -> int:
    with session_scope() as s:
        return s.scalar(select(Shop.catalog_version)) or 0


def test_a_small_catalog_is_searched_at_once(shop_id: int) -> None:
    rank = ranker(Rankers(), shop_id)
    assert rank is not None and "STP-0001" in rank("ashirvaad aata")


def test_a_big_catalogs_index_is_built_aside_and_a_stale_one_answers_meanwhile(
    shop_id: int,
) -> None:
    rankers = Rankers(build_inline_up_to=0)
    assert ranker(rankers, shop_id) is None  # nothing yet: the page shows plain matches
    with session_scope() as s:
        plain = find(s, shop_id, query="ashirvaad aata", rank=None)
    assert plain.total == 0
    first = wait_for(rankers, shop_id, version())
    with session_scope() as s:
        ranked = find(s, shop_id, query="ashirvaad aata", rank=first)
    assert ranked.rows[0].sku.startswith("STP-") and "STP-0001" in [r.sku for r in ranked.rows]
    with session_scope() as s:
        s.execute(update(Shop).values(catalog_version=Shop.catalog_version + 1))
    stale = ranker(rankers, shop_id)
    assert stale is not None and "STP-0001" in stale("ashirvaad aata")
    wait_for(rankers, shop_id, version())
