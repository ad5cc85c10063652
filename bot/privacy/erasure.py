"""Erasing a shopper's personal data ("delete my data", `chatcart shopper erase`, the console).

What goes: their name and the addresses of their orders, their cart, the text of everything
they said and were told (the gateway's inbox and sent messages, the review queue, the shop's
handoff replies, the engine's tracker store), the payment gateway's payloads about them (which
hold contact details). What stays is what accounting must keep — orders with their lines,
amounts, PIN code (the place of supply), slot and payments — under a keyed hash of the number
(`pseudonym`) in place of the number wherever it appeared (the customer, a chat order's key,
the history's "shopper:<number>"), on a customer row marked `erased_at`.

An order still in progress needs the number and the address to be delivered, so an erasure
waits for it (`OrderInProgress`): it is refused, and the shopper is told to ask again once the
order is delivered or cancelled. Erasure covers every shop of this deployment the shopper has
talked to; asked twice, it finds nothing more to erase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import QueryableAttribute, Session

from bot.db import models as db
from bot.db.base import as_utc
from bot.db.review_models import HandoffEvent
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing, WhatsAppStatus
from bot.privacy import tracker
from bot.privacy.pseudonym import PREFIX, pseudonym
from bot.privacy.rows import affected
from bot.settings import Settings, get_settings
from bot.vocabulary import OrderStatus

IN_PROGRESS: tuple[OrderStatus, ...] = ("pending_payment", "paid", "packed", "out_for_delivery")
ERASED: dict[str, bool] = {"erased": True}  # what a message's stored text becomes
UNFINISHED = ("pending", "forwarding", "replied")  # inbox rows still being answered
ERASED_OUTCOME = "privacy_erased"  # the outcome of the message whose erasure was done
RETRIED_FOR = timedelta(days=7)  # Meta retries an unacknowledged webhook this long


class OrderInProgress(Exception):
    def __init__(self, order_id: int) -> None:
        super().__init__(f"order #{order_id} is in progress: erase once it is finished")
        self.order_id = order_id


@dataclass(frozen=True, slots=True)
class Erasure:
    """What one erasure changed, by kind (all zero: there was nothing left to erase)."""

    customers: int = 0
    orders: int = 0
    carts: int = 0
    messages: int = 0  # inbox rows and sent messages whose text went
    review_items: int = 0
    tracker_events: int = 0

    @property
    def anything(self) -> bool:
        return any((self.customers, self.messages, self.review_items, self.tracker_events))


def _conversations(column: QueryableAttribute[str | None], wa_id: str) -> ColumnElement[bool]:
    """The shopper's conversation ids: theirs with the default shop, `<wa_id>@<slug>` else."""
    escaped = wa_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(column == wa_id, column.like(f"{escaped}@%", escape="\\"))


def order_in_progress(session: Session, wa_id: str) -> int | None:
    """The shopper's order that still has to be delivered (any shop), if there is one."""
    return session.scalar(
        select(db.Order.id)
        .join(db.Customer, db.Customer.id == db.Order.customer_id)
        .where(db.Customer.wa_id == wa_id, db.Order.status.in_(IN_PROGRESS))
        .order_by(db.Order.id)
        .limit(1)
    )


def _customer(session: Session, row: db.Customer, hashed: str, now: datetime) -> tuple[int, int]:
    """Erase one shop's customer row; (orders kept under the pseudonym, carts deleted)."""
    carts = affected(session.execute(delete(db.Cart).where(db.Cart.customer_id == row.id)))
    orders = list(session.scalars(select(db.Order).where(db.Order.customer_id == row.id)))
    order_ids = [o.id for o in orders]
    for order in orders:  # a chat order's key names the number: "chat:<wa_id>:<checkout>"
        order.address = ""
        order.idempotency_key = order.idempotency_key.replace(row.wa_id, hashed)
    if order_ids:
        events = select(db.OrderEvent).where(
            db.OrderEvent.order_id.in_(order_ids), db.OrderEvent.actor.contains(row.wa_id)
        )
        for event in session.scalars(events):  # "shopper:<wa_id>" placed or cancelled it
            event.actor = event.actor.replace(row.wa_id, hashed)
        payments = select(db.Payment.id).where(db.Payment.order_id.in_(order_ids))
        session.execute(
            update(db.PaymentEvent)
            .where(db.PaymentEvent.payment_id.in_(payments))
            .values(payload=ERASED)
        )
    session.execute(
        update(db.OutboxMessage)
        .where(db.OutboxMessage.customer_id == row.id, db.OutboxMessage.status == "pending")
        .values(status="sent", last_error="not sent: the shopper's data was erased")
    )
    earlier = session.scalar(
        select(db.Customer).where(db.Customer.shop_id == row.shop_id, db.Customer.wa_id == hashed)
    )
    if earlier is not None:  # erased before, then came back: one customer for accounting
        for table in (db.Order, db.OutboxMessage):
            session.execute(
                update(table).where(table.customer_id == row.id).values(customer_id=earlier.id)
            )
        session.execute(
            update(db.OutboxMessage)
            .where(db.OutboxMessage.customer_id == earlier.id)
            .values(wa_id=hashed)
        )
        session.delete(row)
        return len(order_ids), carts
    session.execute(
        update(db.OutboxMessage).where(db.OutboxMessage.customer_id == row.id).values(wa_id=hashed)
    )
    row.wa_id, row.name, row.erased_at, row.opted_out_at = hashed, "", now, None
    return len(order_ids), carts


def _messages(
    session: Session, wa_id: str, secret: str, keep_inbox_id: int | None, now: datetime
) -> int:
    """The gateway's record of the conversation: texts replaced, the number hashed — and
    WhatsApp's message ids too, which carry the number (base64 in the `wamid`). An inbox row
    keeps its id while Meta may still retry its delivery (`RETRIED_FOR`): it is what makes a
    retry add nothing; `rehash_old_keys` hashes it later. Rows still being answered keep what
    answering them needs (the shopper's profile name goes)."""
    hashed = pseudonym(wa_id, secret)
    erased = 0
    for r in session.scalars(select(WhatsAppInbox).where(WhatsAppInbox.wa_id == wa_id)):
        if r.state in UNFINISHED or r.id == keep_inbox_id:
            if "name" in r.payload:
                r.payload = {k: v for k, v in r.payload.items() if k != "name"}
            continue
        r.payload, r.wa_id, r.last_error = dict(ERASED), hashed, None
        if as_utc(r.received_at) < now - RETRIED_FOR:
            r.key = pseudonym(r.key, secret)
        erased += 1
    sent: list[int] = []
    for out in session.scalars(select(WhatsAppOutgoing).where(WhatsAppOutgoing.wa_id == wa_id)):
        if out.state == "pending":
            continue  # about to be sent (the answer to this very request, perhaps)
        out.body, out.options, out.wa_id, out.error = dict(ERASED), {}, hashed, None
        out.wamid = pseudonym(out.wamid, secret) if out.wamid else None
        sent.append(out.id)
        erased += 1
    statuses = select(WhatsAppStatus).where(
        or_(WhatsAppStatus.recipient_id == wa_id, WhatsAppStatus.outgoing_id.in_(sent))
    )
    for status in session.scalars(statuses):
        status.recipient_id, status.wamid = hashed, pseudonym(status.wamid, secret)
    return erased


def rehash_old_keys(session: Session, secret: str, now: datetime | None = None) -> int:
    """The WhatsApp ids of erased shoppers' messages, hashed once Meta no longer retries
    their delivery, and the statuses Meta reported for their messages after the erasure (the
    retention job calls this); the count of message ids hashed."""
    cutoff = (now or datetime.now(UTC)) - RETRIED_FOR
    rows = session.scalars(
        select(WhatsAppInbox).where(
            WhatsAppInbox.wa_id.like(f"{PREFIX}%"),
            WhatsAppInbox.key.not_like(f"{PREFIX}%"),
            WhatsAppInbox.received_at < cutoff,
        )
    ).all()
    for r in rows:
        r.key = pseudonym(r.key, secret)
    late = session.execute(  # statuses of erased messages that arrived after the erasure
        select(WhatsAppStatus, WhatsAppOutgoing)
        .join(WhatsAppOutgoing, WhatsAppOutgoing.id == WhatsAppStatus.outgoing_id)
        .where(
            WhatsAppOutgoing.wa_id.like(f"{PREFIX}%"),
            WhatsAppStatus.recipient_id.not_like(f"{PREFIX}%"),
        )
    ).all()
    for status, out in late:
        wamid = out.wamid or status.wamid
        known = select(WhatsAppStatus.id).where(
            WhatsAppStatus.wamid == wamid, WhatsAppStatus.status == status.status
        )
        if session.scalar(known) is not None:
            session.delete(status)  # told twice (the first was hashed already): once is kept
        else:
            status.recipient_id, status.wamid = out.wa_id, wamid
    return len(rows)


def erase_records(
    session: Session,
    wa_id: str,
    secret: str,
    *,
    now: datetime | None = None,
    keep_inbox_id: int | None = None,
) -> Erasure:
    """Erase the shopper in the app's database, in the caller's transaction (the engine's
    tracker store is another database: `erase_shopper` does both). `keep_inbox_id` is the
    message asking for it, still being answered. Raises OrderInProgress, changing nothing."""
    active = order_in_progress(session, wa_id)
    if active is not None:
        raise OrderInProgress(active)
    now = now or datetime.now(UTC)
    hashed = pseudonym(wa_id, secret)
    customers = list(session.scalars(select(db.Customer).where(db.Customer.wa_id == wa_id)))
    orders = carts = 0
    for row in customers:
        o, c = _customer(session, row, hashed, now)
        orders, carts = orders + o, carts + c
    messages = _messages(session, wa_id, secret, keep_inbox_id, now)
    review = session.execute(
        update(db.ReviewItem)
        .where(_conversations(db.ReviewItem.conversation_id, wa_id))
        .values(text="", normalized="", details=None, conversation_id=hashed)
    )
    session.execute(
        update(HandoffEvent)
        .where(_conversations(HandoffEvent.conversation_id, wa_id))
        .values(text=None, conversation_id=hashed)
    )
    session.flush()
    return Erasure(len(customers), orders, carts, messages, affected(review))


def finish_erasures(session: Session, secret: str) -> int:
    """The request that erased a shopper, and the answer to it, keep the number until the
    answer is sent (`ERASED_OUTCOME` marks that request); once both are done they are erased
    too. The retention job calls this; the count of requests finished."""
    rows = session.scalars(
        select(WhatsAppInbox).where(
            WhatsAppInbox.outcome == ERASED_OUTCOME,
            WhatsAppInbox.state.in_(("done", "failed")),
            WhatsAppInbox.wa_id.not_like(f"{PREFIX}%"),
        )
    ).all()
    for r in rows:
        _messages(session, r.wa_id, secret, None, datetime.now(UTC))
    return len(rows)


def erase_conversations(wa_id: str, settings: Settings | None = None) -> int:
    """The engine's record of the shopper's conversations: deleted (every shop's)."""
    settings = settings or get_settings()
    return tracker.erase_conversations(tracker.tracker_url(settings.database_url), wa_id)


def erase_shopper(
    wa_id: str, settings: Settings | None = None, *, now: datetime | None = None
) -> Erasure:
    """Erase the shopper everywhere: the app's database in one transaction, then the engine's
    tracker store (asked again after a crash in between, it finishes the tracker)."""
    settings = settings or get_settings()
    with session_scope(settings.database_url, write=True) as s:
        done = erase_records(s, wa_id, settings.privacy_hash_secret.get_secret_value(), now=now)
    events = erase_conversations(wa_id, settings)
    return Erasure(
        done.customers, done.orders, done.carts, done.messages, done.review_items, events
    )
