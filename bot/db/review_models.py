"""Tables of the merchant's learning loop and of the human handoff, on the same metadata.

- `review_actions`: what a merchant did with a group of misunderstood messages (map the term to
  a product, label it with an intent, mark it out of scope, dismiss it), who did it, and — once
  undone — who undid it. An action keeps what it made (`alias_id`, and its training example
  points back at it) so that undoing removes exactly that and nothing else.
- `review_action_items`: the review items an action closed; undoing reopens these, not others
  that arrived since with the same text.
- `training_examples`: labelled shopper messages for the next model (`chatcart nlu export`).
  One per shop and normalised text (`digest`, a SHA-256 of it: the text itself is too long
  for a unique index on PostgreSQL).
- `handoff_events`: what the shop's people did in a handed-over conversation: replies (sent
  through the WhatsApp gateway's Graph API client) and hand-backs to the bot.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow
from bot.db.models import ReviewItem

REVIEW_ACTIONS = ("map_product", "label_intent", "out_of_scope", "dismiss")
HANDOFF_EVENTS = ("reply", "release")

# The queue reads open items of one shop; this keeps that a range scan as the table grows.
Index("ix_review_items_shop_id_status", ReviewItem.shop_id, ReviewItem.status)


class ReviewAction(Base):
    __tablename__ = "review_actions"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('map_product', 'label_intent', 'out_of_scope', 'dismiss')", name="kind_valid"
        ),
        Index("ix_review_actions_shop_id_created_at", "shop_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    normalized: Mapped[str] = mapped_column(Text)  # the group acted on
    term: Mapped[str | None] = mapped_column(String(200))  # the alias a mapping added
    intent: Mapped[str | None] = mapped_column(String(100))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    alias_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_aliases.id", ondelete="SET NULL")
    )
    merchant_user_id: Mapped[int] = mapped_column(ForeignKey("merchant_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("merchant_users.id"))


class ReviewActionItem(Base):
    __tablename__ = "review_action_items"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("review_actions.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("review_items.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TrainingExample(Base):
    __tablename__ = "training_examples"
    __table_args__ = (UniqueConstraint("shop_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    intent: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(10), default="")
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_actions.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("merchant_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HandoffEvent(Base):
    __tablename__ = "handoff_events"
    __table_args__ = (
        CheckConstraint("kind IN ('reply', 'release')", name="kind_valid"),
        Index("ix_handoff_events_shop_id_conversation_id", "shop_id", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(Text)
    # A reply's WhatsApp message: its delivery status comes back on that row.
    outgoing_id: Mapped[int | None] = mapped_column(
        ForeignKey("whatsapp_outgoing.id", ondelete="SET NULL")
    )
    merchant_user_id: Mapped[int] = mapped_column(ForeignKey("merchant_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
