"""Tables of the WhatsApp gateway (api/whatsapp): the durable inbox, every message sent, and
the delivery statuses Meta reports for them.

- `whatsapp_inbox`: one row per inbound message, status or payment update, written before the
  webhook is acknowledged. `key` (the WhatsApp id, plus the status for statuses) is unique, so
  Meta's retries of a delivery find their row and add nothing. Rows of one shopper are handled
  in `id` order; `state` records how far handling got, so a restart resumes where it stopped:
  `pending` → `forwarding` (sent to the engine) → `replied` (replies rendered, being sent) →
  `done` | `failed`.
- `whatsapp_outgoing`: every message the gateway sends (replies, notifications, mark-as-read
  is not stored), rendered before it is sent, with the WhatsApp message id once Meta has it,
  and the latest delivery status. `options` maps interactive ids back to the payloads offered.
- `whatsapp_statuses`: each status webhook once (sent, delivered, read, failed…).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base


def _now() -> datetime:
    return datetime.now(UTC)


INBOX_STATES = ("pending", "forwarding", "replied", "done", "failed")
OUTGOING_STATES = ("pending", "sent", "failed")


class WhatsAppInbox(Base):
    __tablename__ = "whatsapp_inbox"
    __table_args__ = (
        UniqueConstraint("key"),
        CheckConstraint(
            "state IN ('pending', 'forwarding', 'replied', 'done', 'failed')", name="state_valid"
        ),
        CheckConstraint("kind IN ('message', 'status', 'payment')", name="kind_valid"),
        Index("ix_whatsapp_inbox_wa_id_state", "wa_id", "state"),
        Index("ix_whatsapp_inbox_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))
    type: Mapped[str] = mapped_column(String(40))
    wa_id: Mapped[str] = mapped_column(String(64))
    phone_number_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    outcome: Mapped[str | None] = mapped_column(String(60))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    forwarded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WhatsAppOutgoing(Base):
    __tablename__ = "whatsapp_outgoing"
    __table_args__ = (
        UniqueConstraint("wamid"),
        UniqueConstraint("outbox_id"),
        CheckConstraint("state IN ('pending', 'sent', 'failed')", name="state_valid"),
        Index("ix_whatsapp_outgoing_inbox_id_seq", "inbox_id", "seq"),
        Index("ix_whatsapp_outgoing_wa_id_id", "wa_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("whatsapp_inbox.id", ondelete="SET NULL")
    )
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    seq: Mapped[int] = mapped_column(Integer, default=0)
    wa_id: Mapped[str] = mapped_column(String(64))
    phone_number_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(20))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    wamid: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str | None] = mapped_column(String(20))
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WhatsAppStatus(Base):
    __tablename__ = "whatsapp_statuses"
    __table_args__ = (UniqueConstraint("wamid", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wamid: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20))
    recipient_id: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    outgoing_id: Mapped[int | None] = mapped_column(
        ForeignKey("whatsapp_outgoing.id", ondelete="SET NULL"), index=True
    )
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
