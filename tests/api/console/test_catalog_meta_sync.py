"""A price or stock edit in the console queues a sync of the shop's Meta catalog (when it has
one); an edit that changes nothing does not."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.meta_catalog_models import MetaCatalogLink
from bot.db.session import session_scope
from bot.meta_catalog import sync as meta_sync
from tests.api.console.conftest import Console


def due(shop_id: int) -> bool:
    with session_scope() as s:
        return shop_id in meta_sync.due_shops(s)


def answered() -> None:
    with session_scope(write=True) as s:
        s.execute(update(MetaCatalogLink).values(sync_requested_at=None))


def edit(console: Console, price: str, stock: str, seen: tuple[int, int]) -> None:
    response = console.post(
        "/merchant/catalog/products/STP-0001",
        {"price": price, "stock": stock, "seen_price": seen[0], "seen_stock": seen[1]},
    )
    assert response.status_code == 303 and "error=" not in response.headers["location"]


def test_a_price_or_stock_edit_queues_a_sync(console: Console, shop_id: int) -> None:
    edit(console, "69.90", "20", (7000, 20))  # no catalog linked: the edit is only an edit
    assert not due(shop_id)
    with session_scope(write=True) as s:
        meta_sync.link(s, shop_id, "1234567890")
    answered()
    edit(console, "69.90", "20", (6990, 20))  # nothing changed
    assert not due(shop_id)
    edit(console, "69.50", "20", (6990, 20))
    assert due(shop_id)
    answered()
    edit(console, "69.50", "0", (6950, 20))
    assert due(shop_id)
