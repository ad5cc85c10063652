"""The shop's calendar days, and how to count rows per day in SQL.

"Today" is the shop's day (`Settings.shop_timezone`), not the server's: a kirana in Mumbai
closes its books at Indian midnight. Timestamps are stored in UTC, so each local day becomes a
UTC range, and rows are bucketed with a `CASE` over those edges, which runs the same on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, SQLColumnExpression, case, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class Days:
    """Consecutive local days, oldest first. `edges[i]` is the UTC instant day `i` starts;
    the last edge is the end of the last day."""

    dates: tuple[date, ...]
    edges: tuple[datetime, ...]

    @property
    def start(self) -> datetime:
        return self.edges[0]

    @property
    def end(self) -> datetime:
        return self.edges[-1]

    def within(self, column: SQLColumnExpression[datetime]) -> ColumnElement[bool]:
        return (column >= self.start) & (column < self.end)

    def index(self, column: SQLColumnExpression[datetime]) -> ColumnElement[int]:
        """The day a timestamp falls on (0 = oldest); NULL outside the days. Use with `within`."""
        return case(
            *[(column >= self.edges[i], i) for i in reversed(range(len(self.dates)))], else_=None
        )


def per_day(
    session: Session,
    days: Days,
    column: SQLColumnExpression[datetime],
    *conditions: ColumnElement[bool],
) -> list[int]:
    """How many rows (of `column`'s table, matching `conditions`) fall on each day."""
    bucket = (
        select(days.index(column).label("day")).where(days.within(column), *conditions).subquery()
    )
    counts: dict[int, int] = dict(
        session.execute(select(bucket.c.day, func.count()).group_by(bucket.c.day)).tuples().all()
    )
    return [int(counts.get(i, 0)) for i in range(len(days.dates))]


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def last_days(count: int, tz_name: str, now: datetime | None = None) -> Days:
    """The `count` local days ending with today."""
    if count < 1:
        raise ValueError("a period is at least one day")
    tz = ZoneInfo(tz_name)
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    dates = tuple(today - timedelta(days=count - 1 - i) for i in range(count))
    edges = (*(local_midnight(d, tz) for d in dates), local_midnight(today + timedelta(days=1), tz))
    return Days(dates, edges)


def day_range(
    first: date | None, last: date | None, tz_name: str
) -> tuple[datetime | None, datetime | None]:
    """UTC bounds [start, end) of local days `first` to `last`, both included; None is open."""
    tz = ZoneInfo(tz_name)
    return (
        local_midnight(first, tz) if first else None,
        local_midnight(last + timedelta(days=1), tz) if last else None,
    )
