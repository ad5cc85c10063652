"""Keep a shop's Meta catalog in step with its products, sending only what changed.

A sync compares each product's item data (bot/meta_catalog/items) with the fingerprint of what
Meta last accepted: a product never sent is a CREATE, a changed one an UPDATE, a product gone
from the shop (or made inactive) that Meta holds a DELETE; the rest is not sent. Each item's
outcome is recorded, so a refused item is sent again next time and its reason stays visible
until then. The database is not held open while Meta works: each batch is recorded as sent
before it goes (`PENDING`), and its outcome written after, each in a transaction of its own. A
sync cut off in between leaves its items pending: they go again as UPDATEs, which Meta applies
whether or not the first attempt had created the item (`allow_upsert`). A product edited during
a sync differs from the recorded fingerprint and goes in the next one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, noload

from bot.db.base import utcnow
from bot.db.meta_catalog_models import MetaCatalogItem, MetaCatalogLink
from bot.db.models import Product
from bot.db.session import session_scope
from bot.errors import InvalidRequest
from bot.meta_catalog.graph import BatchResult, CatalogError
from bot.meta_catalog.items import fingerprint, item_data

Method = Literal["CREATE", "UPDATE", "DELETE"]
BATCH_SIZE = 1000  # Meta takes 5,000 and advises under 3,000 for speed
CATALOG_ID = r"^[0-9]{1,64}$"
PENDING = "sent; Meta's answer was not received"


@dataclass(frozen=True)
class Change:
    method: Method
    retailer_id: str
    data: dict[str, Any]
    new: bool = False  # not yet in the catalog, as far as we know: a success creates it

    @property
    def request(self) -> dict[str, Any]:
        return {"method": self.method, "data": self.data}


@dataclass(frozen=True)
class Plan:
    changes: list[Change]
    forget: list[str]  # refused items whose product is gone: Meta holds nothing to delete
    unchanged: int


@dataclass(frozen=True)
class ItemFailure:
    retailer_id: str
    method: Method
    reason: str


@dataclass
class SyncReport:
    catalog_id: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failures: list[ItemFailure] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return self.created + self.updated + self.deleted + len(self.failures)


Apply = Callable[[str, list[dict[str, Any]]], BatchResult]


def link(session: Session, shop_id: int, catalog_id: str) -> MetaCatalogLink:
    """Link the shop to a catalog; a different catalog than before starts from nothing (what
    the old one held says nothing about the new one), and a first sync is due."""
    if not re.fullmatch(CATALOG_ID, catalog_id):
        raise InvalidRequest(f"{catalog_id!r} is not a Meta catalog id (its digits)")
    row = session.scalar(select(MetaCatalogLink).where(MetaCatalogLink.shop_id == shop_id))
    if row is None:
        row = MetaCatalogLink(shop_id=shop_id, catalog_id=catalog_id)
        session.add(row)
    elif row.catalog_id != catalog_id:
        for item in session.scalars(
            select(MetaCatalogItem).where(MetaCatalogItem.shop_id == shop_id)
        ):
            session.delete(item)
        row.catalog_id, row.synced_at = catalog_id, None
    row.sync_requested_at = utcnow()
    session.flush()
    return row


def linked_catalog(session: Session, shop_id: int) -> MetaCatalogLink | None:
    return session.scalar(select(MetaCatalogLink).where(MetaCatalogLink.shop_id == shop_id))


def request_sync(session: Session, shop_id: int) -> bool:
    """Mark the shop's catalog as due for a sync (a price or stock changed); False when the
    shop has no Meta catalog."""
    row = linked_catalog(session, shop_id)
    if row is None:
        return False
    row.sync_requested_at = utcnow()
    return True


def due_shops(session: Session) -> list[int]:
    """Shops whose catalog waits for a sync."""
    return list(
        session.scalars(
            select(MetaCatalogLink.shop_id)
            .where(MetaCatalogLink.sync_requested_at.is_not(None))
            .order_by(MetaCatalogLink.sync_requested_at)
        )
    )


def plan(session: Session, shop_id: int, currency: str, full: bool = False) -> Plan:
    """What to send for the shop's catalog to match its products (`full`: every product,
    whatever Meta is recorded to hold). A refused item is sent again whatever changed."""
    held = {
        i.retailer_id: i
        for i in session.scalars(select(MetaCatalogItem).where(MetaCatalogItem.shop_id == shop_id))
    }
    changes: list[Change] = []
    selling: set[str] = set()
    unchanged = 0
    for product in session.scalars(
        select(Product)
        .options(noload(Product.aliases), noload(Product.category))  # not item fields
        .where(Product.shop_id == shop_id, Product.active.is_(True))
        .order_by(Product.sku)
    ):
        selling.add(product.sku)
        data = item_data(product, currency)
        known = held.get(product.sku)
        if known is None:
            changes.append(Change("CREATE", product.sku, data, new=True))
        elif not known.fingerprint:
            changes.append(Change("UPDATE", product.sku, data, new=True))
        elif full or known.error or known.fingerprint != fingerprint(data):
            changes.append(Change("UPDATE", product.sku, data))
        else:
            unchanged += 1
    forget = []
    for retailer_id, known in sorted(held.items()):
        if retailer_id in selling:
            continue
        if known.fingerprint or known.error == PENDING:
            changes.append(Change("DELETE", retailer_id, {"id": retailer_id}))
        else:
            forget.append(retailer_id)
    return Plan(changes, forget, unchanged)


def _batches(changes: list[Change], size: int) -> Iterable[list[Change]]:
    for start in range(0, len(changes), size):
        yield changes[start : start + size]


def sync(
    shop_id: int,
    apply: Apply,
    currency: str,
    *,
    full: bool = False,
    database_url: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> SyncReport:
    """Push the shop's changes to its catalog through `apply` (CatalogClient.apply) and record
    every item's outcome. Raises InvalidRequest when the shop has no catalog; a batch that
    fails as a whole (CatalogError) propagates after it and the batches before it are
    recorded, and the sync stays due."""
    with session_scope(database_url) as session:
        row = linked_catalog(session, shop_id)
        if row is None:
            raise InvalidRequest("this shop has no Meta catalog: link one first")
        catalog_id, requested = row.catalog_id, row.sync_requested_at
        todo = plan(session, shop_id, currency, full=full)
    report = SyncReport(catalog_id, unchanged=todo.unchanged)
    for batch in _batches(todo.changes, batch_size):
        _record(shop_id, batch, None, report, database_url)
        try:
            result = apply(catalog_id, [c.request for c in batch])
        except CatalogError as e:
            if not e.sent:  # Meta applied nothing: each item says why
                refused = BatchResult({c.retailer_id: str(e) for c in batch})
                _record(shop_id, batch, refused, SyncReport(catalog_id), database_url)
            raise
        _record(shop_id, batch, result, report, database_url)
    with session_scope(database_url, write=True) as session:
        row = linked_catalog(session, shop_id)
        if row is not None and row.catalog_id == catalog_id:
            row.synced_at = utcnow()
            if _same_time(row.sync_requested_at, requested):
                row.sync_requested_at = None  # none asked for since this sync read the shop
        if todo.forget:
            for item in session.scalars(
                select(MetaCatalogItem).where(
                    MetaCatalogItem.shop_id == shop_id,
                    MetaCatalogItem.retailer_id.in_(todo.forget),
                    MetaCatalogItem.fingerprint == "",
                )
            ):
                session.delete(item)
    return report


def _same_time(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.replace(tzinfo=None) == b.replace(tzinfo=None)


def _record(
    shop_id: int,
    batch: list[Change],
    result: BatchResult | None,
    report: SyncReport,
    database_url: str | None,
) -> None:
    """The batch as sent (`result` None: every item pending), or as Meta answered it."""
    now = utcnow()
    with session_scope(database_url, write=True) as session:
        held = {
            i.retailer_id: i
            for i in session.scalars(
                select(MetaCatalogItem).where(
                    MetaCatalogItem.shop_id == shop_id,
                    MetaCatalogItem.retailer_id.in_([c.retailer_id for c in batch]),
                )
            )
        }
        for change in batch:
            item = held.get(change.retailer_id)
            if item is None:
                item = MetaCatalogItem(shop_id=shop_id, retailer_id=change.retailer_id)
                session.add(item)
            item.method, item.attempted_at = change.method, now
            if result is None:
                item.error = PENDING
                continue
            reason = result.failed.get(change.retailer_id)
            if reason is not None:
                item.error = reason[:2000]
                report.failures.append(ItemFailure(change.retailer_id, change.method, reason))
                continue
            item.error, item.synced_at = "", now
            if change.method == "DELETE":
                session.delete(item)
                report.deleted += 1
            else:
                item.fingerprint = fingerprint(change.data)
                if change.new:
                    report.created += 1
                else:
                    report.updated += 1
