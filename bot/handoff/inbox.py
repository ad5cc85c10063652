"""The handoff inbox: conversations where a shopper asked for a person, until the shop hands
them back to the bot.

A conversation is flagged while it has open `handoff` review items: the one recorded when the
shopper asked (action_human_handoff) and one per message they sent while the bot kept quiet
(action_handoff_hold). Handing back sets the engine's `handoff` slot to false and closes those
items; the shopper asking again flags the conversation again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.db.base import as_utc
from bot.db.models import Customer, MerchantUser, ReviewItem
from bot.db.review_models import HandoffEvent
from bot.db.session import begin_write
from bot.db.whatsapp_models import WhatsAppOutgoing
from bot.errors import Conflict, InvalidRequest, NotFound
from bot.rasa_api import (
    HANDOFF_SLOT,
    EngineClient,
    EngineError,
    EngineRefused,
    EngineUnreachable,
)

MAX_REPLY = 4096  # one WhatsApp text message
SERVICE_WINDOW = timedelta(
    hours=24
)  # WhatsApp delivers free-form text this long after the shopper wrote


@dataclass(frozen=True, slots=True)
class Flagged:
    conversation_id: str
    name: str
    language: str
    flagged_at: datetime
    last_at: datetime
    messages: int  # the shopper's messages since the flag, the request included
    last_text: str


@dataclass(frozen=True, slots=True)
class Message:
    at: datetime
    sender: Literal["shopper", "bot", "shop"]
    text: str
    by: str = ""  # the merchant, for the shop's replies
    status: str = ""  # the WhatsApp delivery status, for the shop's replies


@dataclass(frozen=True, slots=True)
class Conversation:
    conversation_id: str
    name: str
    flagged: bool
    bot_quiet: bool | None  # the engine's `handoff` slot; None when the engine did not answer
    messages: tuple[Message, ...]  # oldest first
    engine_error: str | None
    released: tuple[tuple[datetime, str], ...]  # earlier hand-backs: when, by whom


def flagged(session: Session, shop_id: int) -> list[Flagged]:
    """Conversations waiting for the shop, the most recently active first."""
    grouped = session.execute(
        select(
            ReviewItem.conversation_id,
            func.min(ReviewItem.created_at),
            func.max(ReviewItem.created_at),
            func.count(ReviewItem.id),
        )
        .where(
            ReviewItem.shop_id == shop_id,
            ReviewItem.kind == "handoff",
            ReviewItem.status == "open",
            ReviewItem.conversation_id.is_not(None),
        )
        .group_by(ReviewItem.conversation_id)
        .order_by(func.max(ReviewItem.created_at).desc())
    ).tuples()
    # The query leaves out rows without a conversation; this says so to the type checker.
    rows = [(cid, first, last, count) for cid, first, last, count in grouped if cid is not None]
    if not rows:
        return []
    ids = [r[0] for r in rows]
    latest: dict[str, ReviewItem] = {}
    for item in session.scalars(
        select(ReviewItem)
        .where(
            ReviewItem.shop_id == shop_id,
            ReviewItem.kind == "handoff",
            ReviewItem.status == "open",
            ReviewItem.conversation_id.in_(ids),
        )
        .order_by(ReviewItem.id)
    ):
        latest[item.conversation_id or ""] = item
    names = _names(session, shop_id, ids)
    return [
        Flagged(
            cid,
            names.get(cid, ""),
            latest[cid].language,
            as_utc(first),
            as_utc(last),
            count,
            latest[cid].text,
        )
        for cid, first, last, count in rows
    ]


def conversation(
    session: Session,
    shop_id: int,
    conversation_id: str,
    tracker: EngineClient | None,
    limit: int = 40,
) -> Conversation:
    """What was said, as the engine's tracker has it (the shopper's messages and the bot's
    replies) with the shop's own replies among them; from the recorded handoff messages when
    the engine cannot be reached."""
    items = _handoff_items(session, shop_id, conversation_id)
    if not items:
        raise NotFound(f"no handed-over conversation {conversation_id!r} in this shop")
    events = list(
        session.scalars(
            select(HandoffEvent)
            .where(HandoffEvent.shop_id == shop_id, HandoffEvent.conversation_id == conversation_id)
            .order_by(HandoffEvent.id)
        )
    )
    users = _users(session, [e.merchant_user_id for e in events])
    statuses = _statuses(session, [e.outgoing_id for e in events if e.outgoing_id])
    shop_said = [
        Message(
            as_utc(e.created_at),
            "shop",
            e.text or "",
            users.get(e.merchant_user_id, ""),
            statuses.get(e.outgoing_id or 0, ""),
        )
        for e in events
        if e.kind == "reply"
    ]
    engine_error, bot_quiet = None, None
    said: list[Message]
    try:
        if tracker is None:
            raise EngineUnreachable("no engine configured")
        state = tracker.tracker(conversation_id)
        bot_quiet = bool((state.get("slots") or {}).get(HANDOFF_SLOT))
        said = list(_tracker_messages(state.get("events") or []))
    except EngineError as e:
        engine_error = e.detail
        said = [
            Message(as_utc(i.created_at), "shopper", i.text)
            for i in session.scalars(
                select(ReviewItem)
                .where(  # whole messages, not item lines
                    ReviewItem.shop_id == shop_id,
                    ReviewItem.conversation_id == conversation_id,
                    ReviewItem.kind.not_in(("unmatched", "ambiguous")),
                )
                .order_by(ReviewItem.id)
            )
        ]
    messages = sorted(said + shop_said, key=lambda m: m.at)[-limit:]
    return Conversation(
        conversation_id=conversation_id,
        name=_names(session, shop_id, [conversation_id]).get(conversation_id, ""),
        flagged=any(i.status == "open" for i in items),
        bot_quiet=bot_quiet,
        messages=tuple(messages),
        engine_error=engine_error,
        released=tuple(
            (as_utc(e.created_at), users.get(e.merchant_user_id, ""))
            for e in events
            if e.kind == "release"
        ),
    )


def record_reply(
    session: Session,
    shop_id: int,
    conversation_id: str,
    text: str,
    user_id: int,
    *,
    last_inbound: datetime | None,
    now: datetime | None = None,
) -> HandoffEvent:
    """Check a reply can go and record it, attributed; the caller sends it and links its
    WhatsApp message (`outgoing_id`). `last_inbound` is when the shopper last wrote to the
    shop's WhatsApp number: None when they never did (a terminal or REST chat cannot be
    reached), and free-form text is delivered only within WhatsApp's 24-hour window."""
    text = text.strip()
    if not text:
        raise InvalidRequest("the reply is empty")
    if len(text) > MAX_REPLY:
        raise InvalidRequest(f"a reply is at most {MAX_REPLY} characters; this one has {len(text)}")
    begin_write(session)
    _merchant(session, shop_id, user_id)
    if not any(i.status == "open" for i in _handoff_items(session, shop_id, conversation_id)):
        raise NotFound(f"conversation {conversation_id!r} is not waiting for the shop")
    if last_inbound is None:
        raise Conflict(
            f"{conversation_id} has never written to the shop's WhatsApp number, so a reply "
            "cannot reach them"
        )
    now = now or datetime.now(UTC)
    if now - last_inbound > SERVICE_WINDOW:
        hours = int((now - last_inbound).total_seconds() // 3600)
        raise Conflict(
            f"the shopper last wrote {hours} hours ago: WhatsApp delivers a reply only within "
            "24 hours of their last message; wait for them to write again"
        )
    event = HandoffEvent(
        shop_id=shop_id,
        conversation_id=conversation_id,
        kind="reply",
        text=text,
        merchant_user_id=user_id,
    )
    session.add(event)
    session.flush()
    return event


def release(
    session: Session, shop_id: int, conversation_id: str, user_id: int, tracker: EngineClient
) -> HandoffEvent:
    """Hand the conversation back to the bot: the engine's slot first (if the engine cannot be
    reached nothing changes here and the error says so), then the flag, attributed."""
    _merchant(session, shop_id, user_id)
    if not any(i.status == "open" for i in _handoff_items(session, shop_id, conversation_id)):
        raise NotFound(f"conversation {conversation_id!r} is not waiting for the shop")
    if tracker.hand_back(conversation_id):
        raise EngineRefused(f"the engine kept the {HANDOFF_SLOT!r} slot set for {conversation_id}")
    begin_write(session)
    session.execute(
        update(ReviewItem)
        .where(
            ReviewItem.shop_id == shop_id,
            ReviewItem.conversation_id == conversation_id,
            ReviewItem.kind == "handoff",
            ReviewItem.status == "open",
        )
        .values(status="released")
    )
    event = HandoffEvent(
        shop_id=shop_id, conversation_id=conversation_id, kind="release", merchant_user_id=user_id
    )
    session.add(event)
    session.flush()
    return event


def _tracker_messages(events: Iterable[dict[str, Any]]) -> Iterable[Message]:
    for e in events:
        kind, text, at = e.get("event"), e.get("text"), event_time(e)
        if kind in ("user", "bot") and text and at is not None:
            yield Message(at, "shopper" if kind == "user" else "bot", str(text))


def _handoff_items(session: Session, shop_id: int, conversation_id: str) -> list[ReviewItem]:
    return list(
        session.scalars(
            select(ReviewItem).where(
                ReviewItem.shop_id == shop_id,
                ReviewItem.conversation_id == conversation_id,
                ReviewItem.kind == "handoff",
            )
        )
    )


def _merchant(session: Session, shop_id: int, user_id: int) -> MerchantUser:
    user = session.get(MerchantUser, user_id)
    if user is None or user.shop_id != shop_id:
        raise NotFound(f"no merchant user {user_id} in this shop")
    return user


def _names(session: Session, shop_id: int, ids: list[str]) -> dict[str, str]:
    return {
        wa: name
        for wa, name in session.execute(
            select(Customer.wa_id, Customer.name).where(
                Customer.shop_id == shop_id, Customer.wa_id.in_(ids)
            )
        ).tuples()
        if name
    }


def _users(session: Session, ids: list[int]) -> dict[int, str]:
    return {
        u.id: u.display_name or u.username
        for u in session.scalars(select(MerchantUser).where(MerchantUser.id.in_(set(ids))))
    }


def _statuses(session: Session, ids: list[int]) -> dict[int, str]:
    out = {}
    for row in session.scalars(select(WhatsAppOutgoing).where(WhatsAppOutgoing.id.in_(ids))):
        out[row.id] = "failed" if row.state == "failed" else (row.status or row.state)
    return out


def event_time(event: dict[str, Any]) -> datetime | None:
    stamp = event.get("timestamp")
    return datetime.fromtimestamp(float(stamp), UTC) if isinstance(stamp, (int, float)) else None
