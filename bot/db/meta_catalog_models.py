"""Tables of a shop's link to a Meta (WhatsApp) commerce catalog (bot/meta_catalog).

- `meta_catalog_links`: the catalog a shop's products are pushed to, one per shop, and whether a
  push is due (`sync_requested_at`, set by a price or stock change in the console and cleared by
  the sync that follows it).
- `meta_catalog_items`: per product (retailer id = SKU), a fingerprint of what Meta holds —
  empty while Meta holds nothing — and the last attempt's method and error, so that a sync sends
  only what changed since and retries only what failed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow


class MetaCatalogLink(Base):
    __tablename__ = "meta_catalog_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), unique=True, index=True
    )
    catalog_id: Mapped[str] = mapped_column(String(64))
    sync_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MetaCatalogItem(Base):
    __tablename__ = "meta_catalog_items"
    __table_args__ = (UniqueConstraint("shop_id", "retailer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    retailer_id: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the item data Meta accepted last; "" while Meta holds nothing of ours.
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    method: Mapped[str] = mapped_column(String(10))  # of the last attempt: CREATE | UPDATE | DELETE
    error: Mapped[str] = mapped_column(Text, default="")  # of the last attempt; "" when it held
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
