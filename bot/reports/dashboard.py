"""Everything the dashboard shows, for one shop, in one read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.reports import channel
from bot.reports.days import last_days
from bot.reports.funnel import Funnel, funnel
from bot.reports.misunderstood import FallbackDay, TermCount, fallback_days, top_unmatched
from bot.reports.sales import Sales, sales
from bot.settings import get_settings

PERIODS = (7, 30)


@dataclass(frozen=True, slots=True)
class Dashboard:
    today: date
    period_days: int
    today_sales: Sales
    period_sales: Sales
    funnel: Funnel
    unmatched: list[TermCount]
    fallbacks: list[FallbackDay]
    whatsapp: bool  # the shop's WhatsApp inbox was counted (conversations, messages)

    @property
    def has_messages(self) -> bool:
        return any(d.messages for d in self.fallbacks)


def dashboard(
    session: Session, shop_id: int, period_days: int = 7, now: datetime | None = None
) -> Dashboard:
    if period_days not in PERIODS:
        raise ValueError(f"the period is one of {PERIODS} days, not {period_days}")
    tz = get_settings().shop_timezone
    period = last_days(period_days, tz, now)
    today = last_days(1, tz, now)
    whatsapp = channel.serves_whatsapp(session, shop_id)
    return Dashboard(
        today=today.dates[0],
        period_days=period_days,
        today_sales=sales(session, shop_id, today),
        period_sales=sales(session, shop_id, period),
        funnel=funnel(session, shop_id, period, whatsapp=whatsapp),
        unmatched=top_unmatched(session, shop_id, period),
        fallbacks=fallback_days(session, shop_id, period, whatsapp=whatsapp),
        whatsapp=whatsapp,
    )
