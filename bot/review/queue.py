"""The review queue: misunderstood messages of one shop, grouped by their normalised text.

A merchant fixes a query once, not once per shopper who typed it: "kala namak", "Kala  Namak!"
and "kala namak" from ten conversations are one group, with how often and in which languages
it came, how the bot misread it, and a few of the conversations it came from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Literal, TypeVarTuple

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from bot.db.base import as_utc
from bot.db.models import ReviewItem
from bot.db.review_models import TrainingExample
from bot.errors import InvalidRequest
from bot.parsing.parser import MessageParser
from bot.review.service import REVIEW_KINDS
from bot.review.text import digest, normalized_text

# Handoff requests are not misunderstandings: they go to the handoff inbox.
QUEUE_KINDS: tuple[str, ...] = tuple(k for k in REVIEW_KINDS if k != "handoff")
ITEM_KINDS = frozenset({"unmatched", "ambiguous"})  # the text is one item line of a message
CLOSED_STATUSES = ("mapped", "labelled", "out_of_scope", "dismissed")
STATUSES = ("open", *CLOSED_STATUSES)
Sort = Literal["frequent", "recent"]


@dataclass(frozen=True, slots=True)
class Example:
    item_id: int
    text: str
    kind: str
    language: str
    conversation_id: str | None
    message: str | None  # the whole message, when `text` is one item line of it
    prediction: str | None
    confidence: float | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReviewGroup:
    normalized: str
    count: int
    last_seen: datetime
    first_seen: datetime
    languages: tuple[tuple[str, int], ...]  # most frequent first
    kinds: tuple[tuple[str, int], ...]
    conversations: tuple[str, ...]  # newest first
    examples: tuple[Example, ...]  # newest first
    term: str  # what a mapping would add as the product's alias
    candidates: tuple[str, ...]  # SKUs the bot offered for it
    predictions: tuple[tuple[str, int], ...]  # intents the model guessed
    labelled_as: str | None  # an intent given before, still waiting for the next model


@dataclass(frozen=True, slots=True)
class QueuePage:
    groups: tuple[ReviewGroup, ...]
    total: int  # groups matching the filters
    limit: int
    offset: int


@lru_cache(maxsize=1)
def _parser() -> MessageParser:
    return MessageParser()


def suggested_term(text: str, kinds: set[str]) -> str:
    """The words to add as an alias. For an item line ("2 kg kala namak") the item words without
    the quantity; for a whole message the message, which the merchant can shorten."""
    if kinds & ITEM_KINDS:
        lines = _parser().parse(text)
        if len(lines) == 1 and lines[0].item:
            return normalized_text(lines[0].item)
    return normalized_text(text)


Row = TypeVarTuple("Row")


def _filtered(
    query: Select[*Row],
    shop_id: int,
    kinds: tuple[str, ...],
    language: str | None,
    status: str,
) -> Select[*Row]:
    query = query.where(ReviewItem.shop_id == shop_id, ReviewItem.kind.in_(kinds))
    if status == "closed":
        query = query.where(ReviewItem.status.in_(CLOSED_STATUSES))
    else:
        query = query.where(ReviewItem.status == status)
    if language:
        query = query.where(ReviewItem.language == language)
    return query.where(ReviewItem.normalized != "")


def _check(kinds: tuple[str, ...] | None, status: str, sort: str) -> tuple[str, ...]:
    chosen = tuple(kinds) if kinds else QUEUE_KINDS
    if unknown := [k for k in chosen if k not in QUEUE_KINDS]:
        raise InvalidRequest(
            f"unknown review kind {unknown[0]!r}; use one of {', '.join(QUEUE_KINDS)}"
        )
    if status not in (*STATUSES, "closed"):
        raise InvalidRequest(
            f"unknown status {status!r}; use one of {', '.join(STATUSES)} or closed"
        )
    if sort not in ("frequent", "recent"):
        raise InvalidRequest(f"unknown order {sort!r}; use frequent or recent")
    return chosen


def groups(
    session: Session,
    shop_id: int,
    *,
    kinds: tuple[str, ...] | None = None,
    language: str | None = None,
    status: str = "open",
    sort: Sort = "frequent",
    limit: int = 50,
    offset: int = 0,
    examples: int = 3,
) -> QueuePage:
    """One page of groups, the most frequent (or most recent) first."""
    chosen = _check(kinds, status, sort)
    count, last = func.count(ReviewItem.id), func.max(ReviewItem.created_at)
    order = (count.desc(), last.desc()) if sort == "frequent" else (last.desc(), count.desc())
    page = session.execute(
        _filtered(select(ReviewItem.normalized, count, last), shop_id, chosen, language, status)
        .group_by(ReviewItem.normalized)
        .order_by(*order, ReviewItem.normalized)
        .limit(max(1, min(limit, 500)))
        .offset(max(0, offset))
    ).all()
    total = (
        session.scalar(
            _filtered(
                select(func.count(distinct(ReviewItem.normalized))),
                shop_id,
                chosen,
                language,
                status,
            )
        )
        or 0
    )
    texts = [row[0] for row in page]
    built = _build(session, shop_id, texts, chosen, language, status, examples)
    return QueuePage(tuple(built[t] for t in texts if t in built), total, limit, offset)


def group(
    session: Session, shop_id: int, normalized: str, *, status: str = "open", examples: int = 10
) -> ReviewGroup | None:
    chosen = _check(None, status, "frequent")
    return _build(session, shop_id, [normalized], chosen, None, status, examples).get(normalized)


def _build(
    session: Session,
    shop_id: int,
    texts: list[str],
    kinds: tuple[str, ...],
    language: str | None,
    status: str,
    examples: int,
) -> dict[str, ReviewGroup]:
    if not texts:
        return {}
    rows = session.scalars(
        _filtered(select(ReviewItem), shop_id, kinds, language, status)
        .where(ReviewItem.normalized.in_(texts))
        .order_by(ReviewItem.created_at.desc(), ReviewItem.id.desc())
    ).all()
    by_text: dict[str, list[ReviewItem]] = {}
    for row in rows:
        by_text.setdefault(row.normalized, []).append(row)
    labelled = dict(
        session.execute(
            select(TrainingExample.digest, TrainingExample.intent).where(
                TrainingExample.shop_id == shop_id,
                TrainingExample.digest.in_([digest(t) for t in by_text]),
            )
        )
        .tuples()
        .all()
    )
    out = {}
    for text, items in by_text.items():
        kind_counts = Counter(i.kind for i in items)
        candidates: dict[str, None] = {}
        for i in items:
            for sku in (i.details or {}).get("candidates") or []:
                candidates.setdefault(str(sku), None)
        out[text] = ReviewGroup(
            normalized=text,
            count=len(items),
            last_seen=as_utc(items[0].created_at),
            first_seen=as_utc(items[-1].created_at),
            languages=tuple(Counter(i.language or "?" for i in items).most_common()),
            kinds=tuple(kind_counts.most_common()),
            conversations=tuple(
                dict.fromkeys(i.conversation_id for i in items if i.conversation_id)
            ),
            examples=tuple(_example(i) for i in items[:examples]),
            term=suggested_term(
                Counter(i.text for i in items).most_common(1)[0][0], set(kind_counts)
            ),
            candidates=tuple(candidates)[:8],
            predictions=tuple(
                Counter(
                    i.prediction for i in items if i.prediction and i.kind not in ITEM_KINDS
                ).most_common(3)
            ),
            labelled_as=labelled.get(digest(text)),
        )
    return out


def _example(item: ReviewItem) -> Example:
    details = item.details or {}
    message = details.get("message") if item.kind in ITEM_KINDS else None
    return Example(
        item.id,
        item.text,
        item.kind,
        item.language,
        item.conversation_id,
        message if isinstance(message, str) else None,
        item.prediction,
        item.confidence,
        as_utc(item.created_at),
    )


def languages(session: Session, shop_id: int) -> list[str]:
    """The languages seen in the shop's queue, for the filter."""
    return [
        lang
        for lang in session.scalars(
            select(ReviewItem.language)
            .where(ReviewItem.shop_id == shop_id)
            .distinct()
            .order_by(ReviewItem.language)
        )
        if lang
    ]
