"""Conversation text is kept `CONVERSATION_RETENTION_DAYS` days, then deleted.

Orders, amounts and statuses stay (they are the shop's records); what goes is what was said:
the gateway's stored messages in and out, the review queue's texts, the shop's handoff replies,
the `user`/`bot` events of the engine's tracker store and the whole tracker of a conversation
idle that long (its slots hold what was said). The WhatsApp worker runs `purge_old`
when it starts and every `PRIVACY_PURGE_EVERY_HOURS`; `chatcart shopper purge-old` runs it by
hand. Running it twice purges nothing more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Text, cast, update
from sqlalchemy.orm import Session

from bot.db import models as db
from bot.db.review_models import HandoffEvent
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing
from bot.privacy import tracker
from bot.privacy.erasure import finish_erasures, rehash_old_keys
from bot.privacy.rows import affected
from bot.settings import Settings, get_settings

PURGED: dict[str, bool] = {"purged": True}  # what an old message's stored content becomes
_PURGED_TEXT = json.dumps(PURGED)  # as both SQLite and PostgreSQL's JSON keep it


@dataclass(frozen=True, slots=True)
class Purge:
    cutoff: datetime | None  # None: retention is off (0 days)
    messages: int = 0
    review_items: int = 0
    handoff_replies: int = 0
    tracker_events: int = 0
    erasures_finished: int = 0


def purge_records(session: Session, cutoff: datetime) -> tuple[int, int, int]:
    """The app database's conversation text from before `cutoff`, in the caller's transaction:
    (messages, review items, handoff replies) purged."""
    inbound = session.execute(
        update(WhatsAppInbox)
        .where(
            WhatsAppInbox.state.in_(("done", "failed")),
            WhatsAppInbox.received_at < cutoff,
            cast(WhatsAppInbox.payload, Text) != _PURGED_TEXT,
        )
        .values(payload=PURGED, last_error=None)
    )
    outbound = session.execute(
        update(WhatsAppOutgoing)
        .where(
            WhatsAppOutgoing.state.in_(("sent", "failed")),
            WhatsAppOutgoing.created_at < cutoff,
            cast(WhatsAppOutgoing.body, Text) != _PURGED_TEXT,
        )
        .values(body=PURGED, options={}, error=None)
    )
    review = session.execute(
        update(db.ReviewItem)
        .where(db.ReviewItem.created_at < cutoff, db.ReviewItem.text != "")
        .values(text="", normalized="", details=None)
    )
    handoff = session.execute(
        update(HandoffEvent)
        .where(HandoffEvent.created_at < cutoff, HandoffEvent.text.is_not(None))
        .values(text=None)
    )
    return (
        affected(inbound) + affected(outbound),
        affected(review),
        affected(handoff),
    )


def purge_old(settings: Settings | None = None, *, now: datetime | None = None) -> Purge:
    """Delete conversation text older than the retention period (and finish the erasures whose
    last answer has been sent since)."""
    settings = settings or get_settings()
    now = now or datetime.now(UTC)
    secret = settings.privacy_hash_secret.get_secret_value()
    with session_scope(settings.database_url, write=True) as s:
        finished = finish_erasures(s, secret)
        rehash_old_keys(s, secret, now)
        if settings.conversation_retention_days <= 0:
            return Purge(None, erasures_finished=finished)
        cutoff = now - timedelta(days=settings.conversation_retention_days)
        messages, review, handoff = purge_records(s, cutoff)
    events = tracker.purge_text_before(tracker.tracker_url(settings.database_url), cutoff)
    return Purge(cutoff, messages, review, handoff, events, finished)
