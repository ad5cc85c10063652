"""Capture of misunderstood queries: fallbacks, low-confidence intents, unmatched and
ambiguous item lines, shoppers' corrections, and handoff requests."""

from __future__ import annotations

from typing import Any, Literal, get_args

from sqlalchemy.orm import Session

from bot.db.models import ReviewItem
from bot.review.text import normalized_text

ReviewKind = Literal[
    "fallback", "low_confidence", "unmatched", "ambiguous", "correction", "out_of_scope", "handoff"
]
REVIEW_KINDS: tuple[str, ...] = get_args(ReviewKind)


def record(
    session: Session,
    shop_id: int,
    *,
    kind: ReviewKind,
    text: str,
    language: str = "",
    prediction: str | None = None,
    confidence: float | None = None,
    conversation_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> ReviewItem:
    item = ReviewItem(
        shop_id=shop_id,
        kind=kind,
        text=text[:2000],
        normalized=normalized_text(text)[:2000],
        language=language,
        prediction=prediction,
        confidence=confidence,
        conversation_id=conversation_id,
        details=details,
    )
    session.add(item)
    session.flush()
    return item
