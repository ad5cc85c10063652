"""The shop's days: local midnights in UTC, across a daylight-saving change too."""

from __future__ import annotations

from datetime import date

import pytest

from bot.reports.days import day_range, last_days
from tests.bot.reports.support import utc


def test_today_is_the_shops_day_not_the_servers() -> None:
    # 20:00 UTC on the 10th is 01:30 on the 11th in India.
    days = last_days(1, "Asia/Kolkata", utc(2025, 1, 10, 20, 0))
    assert days.dates == (date(2025, 1, 11),)
    assert days.edges == (utc(2025, 1, 10, 18, 30), utc(2025, 1, 11, 18, 30))


def test_days_follow_local_midnight_through_a_clock_change() -> None:
    days = last_days(3, "Europe/London", utc(2025, 3, 31, 12))
    assert days.dates == (date(2025, 3, 29), date(2025, 3, 30), date(2025, 3, 31))
    assert days.edges == (
        utc(2025, 3, 29),
        utc(2025, 3, 30),
        utc(2025, 3, 30, 23),
        utc(2025, 3, 31, 23),
    )


def test_a_date_range_includes_its_last_day_and_may_be_open() -> None:
    assert day_range(date(2025, 1, 1), date(2025, 1, 2), "Asia/Kolkata") == (
        utc(2024, 12, 31, 18, 30),
        utc(2025, 1, 2, 18, 30),
    )
    assert day_range(None, None, "Asia/Kolkata") == (None, None)


def test_a_period_has_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        last_days(0, "Asia/Kolkata")
