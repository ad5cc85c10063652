"""The dashboard (`/merchant`): today's orders and revenue, the funnel, what the assistant did
not understand, and the fallback rate over the chosen period (7 or 30 days)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from api.console.charts import Bar, bar_chart
from api.console.deps import CurrentMerchant, render
from bot.catalog.model import format_rupees
from bot.db.session import session_scope
from bot.reports.dashboard import PERIODS, Dashboard, dashboard

router = APIRouter()


def fallback_chart(board: Dashboard) -> Markup:
    """The share of messages that fell back per day, or, without any message counts in the
    period, the number of fallbacks per day (a rate with no denominator would be invented)."""
    if board.has_messages:
        bars = [
            Bar(
                f"{d.day.day} {d.day:%b}",
                None if d.rate is None else 100 * d.rate,
                f"{d.day:%a %d %b}: "
                + (
                    f"{d.whatsapp_fallbacks} of {d.messages} WhatsApp messages fell back "
                    f"({100 * d.rate:.1f}%)"
                    if d.rate is not None
                    else "no WhatsApp messages"
                ),
            )
            for d in board.fallbacks
        ]
        return bar_chart(bars, title="Fallback rate per day, % of WhatsApp messages", unit="%")
    bars = [
        Bar(
            f"{d.day.day} {d.day:%b}",
            float(d.fallbacks),
            f"{d.day:%a %d %b}: {d.fallbacks} fallback{'s' if d.fallbacks != 1 else ''}",
        )
        for d in board.fallbacks
    ]
    return bar_chart(bars, title="Fallbacks per day", unit="")


@router.get("", response_class=HTMLResponse)
def dashboard_page(request: Request, merchant: CurrentMerchant, days: str = "7") -> HTMLResponse:
    error = None
    period = int(days) if days in {str(p) for p in PERIODS} else PERIODS[0]
    if str(period) != days:
        error = f"{days[:20]!r} is not a period the dashboard offers: showing {period} days."
    with session_scope() as session:
        board = dashboard(session, merchant.shop_id, period)
    return render(
        request,
        "console/dashboard.html",
        merchant,
        board=board,
        periods=PERIODS,
        chart=fallback_chart(board),
        rupees=format_rupees,
        error=error,
    )
