"""The item engine a photo is read against: the shop's own catalog, as the bot's actions use.

The worker reads photos in its own process, so it keeps its own engine per shop, rebuilt when
the shop's catalog version moves (an alias a merchant mapped counts from the next photo), as
the action server's does; a database made afresh restarts versions, so its creation time is
part of the key.
"""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from bot.catalog.store import shop_catalog
from bot.db.models import Shop
from bot.engine import ItemEngine

_lock = threading.Lock()
_built: dict[tuple[str, int, object], tuple[int, ItemEngine]] = {}


def engine_for(session: Session, shop: Shop) -> ItemEngine:
    key = (str(session.get_bind().engine.url), shop.id, shop.created_at)
    with _lock:
        hit = _built.get(key)
        if hit is not None and hit[0] == shop.catalog_version:
            return hit[1]
        products, names = shop_catalog(session, shop.id)
        engine = ItemEngine(products, names)
        for old in [k for k in _built if k[:2] == key[:2]]:
            del _built[old]
        _built[key] = (shop.catalog_version, engine)
        return engine
