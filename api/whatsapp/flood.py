"""The per-shopper rate limit (`whatsapp_shopper_rate` messages a minute).

One number sending hundreds of messages a minute would have each of them cost an engine turn,
taking a share of the engine's and the database's time from every other shopper. Past the
limit a message costs a query: the first one over it in the minute gets a polite notice, the
rest are recorded (`rate_limited`) and not answered, until the shopper's last minute is back
under the limit. The lane keeps its order, so counting the messages before this one is exact.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from api.whatsapp.inbox import InboxRow
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox

LIMITED = "rate_limited"
TOLD = "rate_limited:told"
WINDOW = timedelta(minutes=1)


def over_limit(row: InboxRow, per_minute: int) -> str | None:
    """None while the shopper's minute before this message holds fewer than `per_minute`
    answered messages; else the outcome for it: `TOLD` for the first over the limit (it gets
    the notice), `LIMITED` after that."""
    if per_minute <= 0 or row.kind != "message" or row.type == "system" or not row.received_at:
        return None
    with session_scope() as s:
        outcomes = list(
            s.scalars(
                select(WhatsAppInbox.outcome).where(
                    WhatsAppInbox.wa_id == row.wa_id,
                    WhatsAppInbox.kind == "message",
                    WhatsAppInbox.type != "system",
                    WhatsAppInbox.id < row.id,
                    WhatsAppInbox.received_at >= row.received_at - WINDOW,
                )
            )
        )
    answered = sum(1 for outcome in outcomes if not (outcome or "").startswith(LIMITED))
    if answered < per_minute:
        return None
    return LIMITED if TOLD in outcomes else TOLD
