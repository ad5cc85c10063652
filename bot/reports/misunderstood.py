"""What the assistant did not understand: item terms it could not match, and how often it fell
back ("sorry, I did not get that") compared with how many messages it read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from bot.db.models import ReviewItem
from bot.reports import channel
from bot.reports.days import Days, per_day


@dataclass(frozen=True, slots=True)
class TermCount:
    normalized: str
    count: int
    open: int  # still waiting in the review queue
    languages: tuple[str, ...]


def top_unmatched(session: Session, shop_id: int, days: Days, limit: int = 10) -> list[TermCount]:
    """Unmatched item terms grouped by their normalised text, most frequent first."""
    rows = session.execute(
        select(
            ReviewItem.normalized,
            func.count(),
            func.coalesce(func.sum(case((ReviewItem.status == "open", 1), else_=0)), 0),
        )
        .where(
            ReviewItem.shop_id == shop_id,
            ReviewItem.kind == "unmatched",
            ReviewItem.normalized != "",
            days.within(ReviewItem.created_at),
        )
        .group_by(ReviewItem.normalized)
        .order_by(func.count().desc(), ReviewItem.normalized)
        .limit(limit)
    ).all()
    if not rows:
        return []
    languages: dict[str, set[str]] = {}
    for term, language in session.execute(
        select(ReviewItem.normalized, ReviewItem.language)
        .distinct()
        .where(
            ReviewItem.shop_id == shop_id,
            ReviewItem.kind == "unmatched",
            ReviewItem.normalized.in_([r[0] for r in rows]),
            days.within(ReviewItem.created_at),
        )
    ):
        if language:
            languages.setdefault(term, set()).add(language)
    return [
        TermCount(term, int(count), int(open_), tuple(sorted(languages.get(term, ()))))
        for term, count, open_ in rows
    ]


@dataclass(frozen=True, slots=True)
class FallbackDay:
    day: date
    fallbacks: int  # every fallback of the day, whatever the channel
    whatsapp_fallbacks: int  # those of shoppers who wrote over WhatsApp in the period
    messages: int  # WhatsApp messages received

    @property
    def rate(self) -> float | None:
        """Share of WhatsApp messages that fell back; None on a day without messages."""
        return self.whatsapp_fallbacks / self.messages if self.messages else None


def fallback_days(
    session: Session, shop_id: int, days: Days, *, whatsapp: bool
) -> list[FallbackDay]:
    """Fallbacks per day, and the messages they are a share of. The rate's numerator counts
    only the fallbacks of WhatsApp shoppers, so that it and its denominator (the WhatsApp inbox)
    are the same conversations: fallbacks from a test chat over REST would otherwise inflate it."""

    def fallbacks(*conditions: ColumnElement[bool]) -> list[int]:
        return per_day(
            session,
            days,
            ReviewItem.created_at,
            ReviewItem.shop_id == shop_id,
            ReviewItem.kind == "fallback",
            *conditions,
        )

    every = fallbacks()
    if whatsapp:
        messages = channel.messages_per_day(session, days)
        ours = fallbacks(ReviewItem.conversation_id.in_(channel.writers_query(days)))
    else:
        messages = ours = [0] * len(days.dates)
    return [FallbackDay(d, every[i], ours[i], messages[i]) for i, d in enumerate(days.dates)]
