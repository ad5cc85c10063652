"""Messages set aside: the ones the engine will never accept (a lone surrogate in the text,
a payload our code cannot handle), after `inbox.QUARANTINE_AFTER` tries.

Without this a shopper's lane waited behind such a message through every back-off (about 24
minutes) and the message was then dropped without a word. Set aside, it gets the polite reply
for what we cannot read, lands in the merchant's review queue with the reason, and the
shopper's next messages go on at once.
"""

from __future__ import annotations

import logging

from api.whatsapp import inbox
from api.whatsapp.inbox import InboxRow
from api.whatsapp.plan import stored_language
from api.whatsapp.render import text_messages
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.i18n import t
from bot.review import service as review

log = logging.getLogger("chatcart.whatsapp")


def what_was_said(row: InboxRow) -> str:
    message = row.payload.get("message") or {}
    said = (message.get("text") or {}).get("body") or row.payload.get("forward")
    return inbox.printable(str(said)) if said else f"[{row.type} message]"


def set_aside(row: InboxRow, reason: str, shop_id: int) -> None:
    """The polite reply, to be sent as the row's replies (the lane sends them next), and a
    review-queue entry — in one transaction. A row whose replies were stored already only
    fails: the shopper has their answer."""
    language = stored_language(shop_id, row.wa_id)
    with session_scope(write=True) as s:
        r = s.get_one(WhatsAppInbox, row.id)
        r.last_error = inbox.printable(reason)[:2000]
        if r.state == "replied":
            r.state, r.done_at = "failed", inbox.now()
        else:
            inbox.add_replies(s, row, text_messages(t("wa_unsupported", language)))
        r.outcome = "quarantined"
        review.record(
            s,
            shop_id,
            kind="fallback",
            text=what_was_said(row),
            language=language,
            conversation_id=row.wa_id,
            details={"quarantined": inbox.printable(reason)[:500], "wamid": row.key},
        )
    log.warning(
        "inbox %s (%s) set aside after %s tries: %s", row.id, row.key, row.attempts + 1, reason
    )
