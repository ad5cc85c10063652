"""Order updates in the WhatsApp Pay thread: an order the shopper was offered `order_details`
for hears of every state change as an `order_status` message (`review_order`) on that sheet,
with Meta's statuses mapped from ChatCart's (`bot/orders/states.py`):

    paid, packed → processing   out_for_delivery → shipped   delivered → completed
    cancelled (never paid) → canceled          refunded → no Meta status (text)

Meta allows only forward moves (pending → processing → partially_shipped → shipped →
completed, canceled from any but the last) and never cancelling a paid order: a change with no
allowed move — the same status again (packed after paid), a refund — goes as today's text, and
so does one Meta refuses anyway (errors 2046, 2047: `Notifier` sends the text instead).

A payment that fails on the sheet gets a new sheet (`sheet_again`), so the shopper pays again
without leaving WhatsApp; the pay link stays in its text.

What was sent is read back from the sent messages' options (`{"kind": "order_details" |
"order_status", "reference_id", "status"}`), so no table of its own is needed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.whatsapp.render import Rendered, order_details, order_status
from bot.db import models as db
from bot.db.whatsapp_models import WhatsAppOutgoing
from bot.notifications.outbox import OutboxItem
from bot.payments import ledger
from bot.payments.order_details import payment_public_id
from bot.payments.whatsapp_offer import offer
from bot.settings import Settings

META_STATUS: dict[str, str] = {
    "order_paid": "processing",
    "order_packed": "processing",
    "order_out_for_delivery": "shipped",
    "order_delivered": "completed",
    "order_cancelled": "canceled",
}
NEXT: dict[str, frozenset[str]] = {
    "pending": frozenset({"processing", "partially_shipped", "shipped", "completed", "canceled"}),
    "processing": frozenset({"partially_shipped", "shipped", "completed", "canceled"}),
    "partially_shipped": frozenset({"partially_shipped", "shipped", "completed", "canceled"}),
    "shipped": frozenset({"completed", "canceled"}),
    "completed": frozenset(),
    "canceled": frozenset(),
}
INVALID_TRANSITION = 2046
PAID_NOT_CANCELLABLE = 2047
REFUSALS = frozenset({INVALID_TRANSITION, PAID_NOT_CANCELLABLE})
LOOK_BACK = 200  # the shopper's latest messages searched for the order's sheet


def allowed(last: str, new: str) -> bool:
    return new in NEXT.get(last, frozenset())


def _paid_reference(session: Session, payment: db.Payment) -> str | None:
    """The sheet the shopper paid on: the reference id of the capture that paid."""
    events = session.scalars(
        select(db.PaymentEvent)
        .where(db.PaymentEvent.payment_id == payment.id, db.PaymentEvent.outcome == "paid")
        .order_by(db.PaymentEvent.id)
    )
    for event in events:
        reference = ((event.payload or {}).get("payment") or {}).get("reference_id")
        if reference:
            return str(reference)
    return None


def thread_state(
    session: Session, item: OutboxItem, number: str
) -> tuple[str, str, db.Payment] | None:
    """The order's sheet (its reference id), the last Meta status it was sent (`pending` at
    first) and its payment; None when the order was never offered WhatsApp Pay here."""
    if item.order_id is None:
        return None
    payment = ledger.payment_for_order(session, item.order_id)
    if payment is None:
        return None
    rows = session.scalars(
        select(WhatsAppOutgoing)
        .where(
            WhatsAppOutgoing.wa_id == item.wa_id,
            WhatsAppOutgoing.phone_number_id == number,
            WhatsAppOutgoing.type == "interactive",
            WhatsAppOutgoing.state == "sent",
        )
        .order_by(WhatsAppOutgoing.id.desc())
        .limit(LOOK_BACK)
    )
    ours = [
        dict(r.options or {})
        for r in rows
        if (r.options or {}).get("kind") in ("order_details", "order_status")
        and payment_public_id(str((r.options or {}).get("reference_id") or "")) == payment.public_id
    ]
    sheets = [o["reference_id"] for o in ours if o["kind"] == "order_details"]
    if not sheets:
        return None
    reference = _paid_reference(session, payment) or sheets[0]
    last = next(
        (
            str(o.get("status"))
            for o in ours
            if o["kind"] == "order_status" and o["reference_id"] == reference
        ),
        "pending",
    )
    return reference, last, payment


def sheet_again(
    session: Session,
    item: OutboxItem,
    number: str,
    body: str,
    language: str,
    settings: Settings,
) -> Rendered | None:
    """A payment that failed on its sheet: a new order_details sheet (a new reference id, as
    Meta asks of a re-sent order) to pay again inside WhatsApp; None when the order was never
    offered WhatsApp Pay here, or cannot be any more."""
    if item.template != "payment_failed" or item.order_id is None:
        return None
    if thread_state(session, item, number) is None:
        return None
    payload = offer(
        session, session.get_one(db.Shop, item.shop_id), item.order_id, language, settings
    )
    if payload is None:
        return None
    return order_details({**payload["order_details"], "body": body})


def update(session: Session, item: OutboxItem, number: str, body: str) -> Rendered | None:
    """The order_status message for this notification, or None for the text/template path."""
    new = META_STATUS.get(item.template)
    if new is None:
        return None
    state = thread_state(session, item, number)
    if state is None:
        return None
    reference, last, payment = state
    if not allowed(last, new) or (new == "canceled" and payment.status == "paid"):
        return None
    message = order_status(reference, new, body)
    options: dict[str, Any] = {**message.options, "status": new}
    return Rendered(message.type, message.content, options)
