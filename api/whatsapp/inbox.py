"""The durable inbox and the record of sent messages (synchronous; called from worker threads).

A delivery is split into rows — one per message, status or payment update — and written in one
transaction before the webhook is acknowledged. `key` is unique, so a delivery Meta retries
(or the same webhook posted five times) adds nothing. Messages form one lane per shopper,
handled strictly in `id` order; statuses and payments form one lane of their own.

On SQLite the webhook writes the rows to the intake's own file (`api/whatsapp/spool.py`), which
no other process writes, and the gateway takes them into `whatsapp_inbox` (`take_in`); on
PostgreSQL the webhook writes `whatsapp_inbox` itself.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, object_session, sessionmaker

from api.whatsapp import spool
from api.whatsapp.payloads import Webhook
from api.whatsapp.render import Rendered
from api.whatsapp.templates import RE_ENGAGEMENT
from bot.db.base import as_utc, create_engine_for, session_factory
from bot.db.session import engine_for, session_scope, transaction
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing, WhatsAppStatus
from bot.settings import get_settings

UNFINISHED = ("pending", "forwarding", "replied")
STATUS_LANE = "~statuses"
MAX_ATTEMPTS = 12  # tries through outages: the last is about 24 minutes after the first
QUARANTINE_AFTER = 3  # tries of a message that fails by its own fault (see `retry`)


def now() -> datetime:
    return datetime.now(UTC)


def lane_of(kind: str, wa_id: str) -> str:
    """A shopper's messages share the shopper's lane; statuses and payments share one of their own."""
    return wa_id if kind == "message" else STATUS_LANE


def intake_file(database_url: str | None = None) -> str | None:
    """The intake's own SQLite file for the database (`spool`); None on PostgreSQL."""
    return spool.url_for(database_url or get_settings().database_url)


@dataclass(frozen=True)
class InboxRow:
    id: int
    key: str
    kind: str
    type: str
    wa_id: str
    phone_number_id: str
    payload: dict[str, Any]
    state: str
    attempts: int
    forwarded_at: datetime | None
    next_attempt_at: datetime | None
    received_at: datetime | None = None

    @property
    def lane(self) -> str:
        return lane_of(self.kind, self.wa_id)


def _row(r: WhatsAppInbox) -> InboxRow:
    return InboxRow(
        r.id,
        r.key,
        r.kind,
        r.type,
        r.wa_id,
        r.phone_number_id,
        dict(r.payload),
        r.state,
        r.attempts,
        as_utc(r.forwarded_at) if r.forwarded_at else None,
        as_utc(r.next_attempt_at) if r.next_attempt_at else None,
        as_utc(r.received_at) if r.received_at else None,
    )


def rows_of(webhook: Webhook) -> list[dict[str, Any]]:
    rows = []
    for value in webhook.values():
        number = value.metadata.phone_number_id
        names = {c.wa_id: c.profile.name for c in value.contacts}
        for m in value.messages:
            rows.append(
                {
                    "key": f"message:{m.id}",
                    "kind": "message",
                    "type": m.type,
                    "wa_id": m.from_,
                    "phone_number_id": number,
                    "payload": {
                        "message": m.model_dump(mode="json", by_alias=True, exclude_none=True),
                        "name": names.get(m.from_, ""),
                    },
                }
            )
        for s in value.statuses:
            kind = "payment" if s.type == "payment" or s.payment is not None else "status"
            rows.append(
                {
                    "key": f"{kind}:{s.id}:{s.status}",
                    "kind": kind,
                    "type": s.status,
                    "wa_id": s.recipient_id,
                    "phone_number_id": number,
                    "payload": {
                        "status": s.model_dump(mode="json", by_alias=True, exclude_none=True)
                    },
                }
            )
    return rows


def record(webhook: Webhook) -> list[str]:
    """Write the delivery's rows (duplicates skipped); the lanes that got new work."""
    return record_many([webhook])[0]


def record_many(
    deliveries: list[Webhook], timing: dict[str, float] | None = None
) -> list[list[str]]:
    """Several deliveries in one transaction (one commit for a burst); per delivery, the lanes
    that got new work.

    One `INSERT … ON CONFLICT (key) DO NOTHING RETURNING key` for the whole burst: a key seen
    before (Meta's retry, the same delivery twice in one burst, or a row another process wrote)
    is skipped by the database itself, with no read first and no savepoint per row — the
    statement is all the intake costs the database besides the commit. On SQLite it goes to the
    intake file (`spool`), where no other process holds the write lock; on PostgreSQL to
    `whatsapp_inbox`. "New" means new to that table: a retry of a delivery already taken in
    and pruned from the intake file is appended again, and `take_in` skips it. `timing`, when
    given, gets the milliseconds spent waiting for the write lock, inserting and committing."""
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, w in enumerate(deliveries):
        for r in rows_of(w):
            first.setdefault(r["key"], (i, r))
    out: list[list[str]] = [[] for _ in deliveries]
    if not first:
        return out
    received = now()
    rows = [{**r, "received_at": received} for _, r in first.values()]
    file = intake_file()
    new = spool.append(file, rows, timing) if file else _insert(rows, timing)
    for key, (i, r) in first.items():
        lane = lane_of(r["kind"], r["wa_id"])
        if key in new and lane not in out[i]:
            out[i].append(lane)
    return out


def _insert(rows: list[dict[str, Any]], timing: dict[str, float] | None = None) -> set[str]:
    """`rows` into `whatsapp_inbox` as pending work, in one durable transaction; the new keys."""
    values = [{**r, "state": "pending", "attempts": 0} for r in rows]
    with durable_write(timing) as s:
        started = time.perf_counter()
        connection = s.connection()  # Core, not the ORM's bulk insert: a third of the CPU
        new = set(connection.execute(_insert_new(connection.dialect.name), values).scalars())
        if timing is not None:
            timing["write"] = (time.perf_counter() - started) * 1000
    return new


def take_in(after_id: int) -> tuple[list[str], int]:
    """Move what the API appended to the intake file after `after_id` into `whatsapp_inbox`
    (one durable transaction, in the file's order; keys already there are skipped); the lanes
    that got new work, and the newest intake id taken. Nothing to do on PostgreSQL, where the
    API writes `whatsapp_inbox` itself."""
    file = intake_file()
    if file is None:
        return [], after_id
    rows = spool.after(file, after_id)
    if not rows:
        return [], after_id
    new = _insert([{c: r[c] for c in spool.COLUMNS} for r in rows])
    lanes: list[str] = []
    for r in rows:
        lane = lane_of(r["kind"], r["wa_id"])
        if r["key"] in new and lane not in lanes:
            lanes.append(lane)
    return lanes, rows[-1]["id"]


def taken(keys: list[str], database_url: str | None = None) -> set[str]:
    """Which of `keys` are in `whatsapp_inbox` (durably: see `take_in`)."""
    found: set[str] = set()
    with session_scope(database_url) as s:
        for start in range(0, len(keys), 500):
            found.update(
                s.scalars(
                    select(WhatsAppInbox.key).where(
                        WhatsAppInbox.key.in_(keys[start : start + 500])
                    )
                )
            )
    return found


def prune_intake() -> int:
    """Delete from the intake file what `whatsapp_inbox` holds; by the API, the file's writer."""
    file = intake_file()
    return spool.prune(file, taken) if file else 0


def checkpoint_intake() -> None:
    """The intake file's checkpoint, off the API's path (see `spool.checkpoint`)."""
    file = intake_file()
    if file is not None:
        spool.checkpoint(file)


def not_taken_in(database_url: str | None = None) -> list[dict[str, Any]]:
    """Acknowledged deliveries' rows the gateway has not taken into `whatsapp_inbox` yet,
    oldest first (they will be taken in after every row the inbox has)."""
    file = intake_file(database_url)
    if file is None:
        return []
    rows = spool.after(file, 0, limit=None)
    there = taken([r["key"] for r in rows], database_url) if rows else set()
    return [r for r in rows if r["key"] not in there]


def open_work(
    database_url: str | None = None, wa_id: str | None = None
) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Deliveries not taken in yet, and inbox rows not finished (all, or one shopper's): both
    empty means every acknowledged message has been answered. A delivery moves from the intake
    file to the inbox to done, so the file is read first: read the other way round, a row
    taken in between the two reads would be seen in neither."""
    outside = [r for r in not_taken_in(database_url) if wa_id is None or r["wa_id"] == wa_id]
    query = select(WhatsAppInbox.id, WhatsAppInbox.state).where(WhatsAppInbox.state.in_(UNFINISHED))
    if wa_id is not None:
        query = query.where(WhatsAppInbox.wa_id == wa_id)
    with session_scope(database_url) as s:
        rows = s.execute(query).all()
    return outside, [(row.id, row.state) for row in rows]


@lru_cache(maxsize=2)
def _insert_new(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(WhatsAppInbox)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(WhatsAppInbox.key)
    )


@lru_cache(maxsize=4)
def _durable_sessions(url: str) -> sessionmaker[Session]:
    engine_for(url)  # the schema, as every process's first use makes sure of
    engine = create_engine_for(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sync_every_commit(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA synchronous=FULL")

    return session_factory(engine)


def durable_write(timing: dict[str, float] | None = None) -> AbstractContextManager[Session]:
    """A write transaction whose commit survives a power cut, not only a crash of the process:
    the webhook's 200 tells Meta it may forget the delivery. The app's SQLite connections run
    WAL with `synchronous=NORMAL`, which syncs only at checkpoints; these run `FULL`, which
    syncs the WAL at every commit (a fraction of a millisecond here, shared by every delivery
    of a burst). PostgreSQL commits durably anyway. Writers queue as in `session_scope`;
    `timing` is `transaction`'s."""
    return transaction(_durable_sessions(get_settings().database_url), write=True, timing=timing)


def next_row(lane: str) -> InboxRow | None:
    """The lane's oldest unfinished row: later rows wait for it, whatever happens to it."""
    q = select(WhatsAppInbox).where(WhatsAppInbox.state.in_(UNFINISHED))
    if lane == STATUS_LANE:
        q = q.where(WhatsAppInbox.kind.in_(("status", "payment")))
    else:
        q = q.where(WhatsAppInbox.kind == "message", WhatsAppInbox.wa_id == lane)
    with session_scope() as s:
        r = s.scalar(q.order_by(WhatsAppInbox.id).limit(1))
        return _row(r) if r else None


def newest_id() -> int:
    with session_scope() as s:
        return s.scalar(select(func.max(WhatsAppInbox.id))) or 0


def new_lanes(after_id: int) -> tuple[list[str], int]:
    """Lanes with rows written after `after_id` that wait to be handled, and the newest id seen:
    how a worker process, which no webhook pokes, finds new work between full sweeps. (Ids
    from a PostgreSQL sequence can commit out of order; a row skipped here is found by the
    next sweep.)"""
    with session_scope() as s:
        rows = s.execute(
            select(WhatsAppInbox.id, WhatsAppInbox.kind, WhatsAppInbox.wa_id, WhatsAppInbox.state)
            .where(WhatsAppInbox.id > after_id)
            .order_by(WhatsAppInbox.id)
        ).all()
    lanes: list[str] = []
    for _, kind, wa_id, state in rows:
        lane = lane_of(kind, wa_id)
        if state in UNFINISHED and lane not in lanes:
            lanes.append(lane)
    return lanes, rows[-1][0] if rows else after_id


def last_inbound(session: Session, wa_id: str, phone_number_id: str) -> datetime | None:
    """When the shopper last wrote to this business number (Meta's timestamp of the message,
    else when it arrived): the start of their 24-hour customer-service window. System
    messages (a changed number) are not the shopper writing."""
    rows = session.execute(
        select(WhatsAppInbox.payload, WhatsAppInbox.received_at)
        .where(
            WhatsAppInbox.wa_id == wa_id,
            WhatsAppInbox.kind == "message",
            WhatsAppInbox.phone_number_id == phone_number_id,
            WhatsAppInbox.type != "system",
        )
        .order_by(WhatsAppInbox.id.desc())
        .limit(20)
    ).all()
    times = []
    for payload, received_at in rows:
        stamp = str(((payload or {}).get("message") or {}).get("timestamp") or "")
        times.append(
            datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() else as_utc(received_at)
        )
    return max(times) if times else None


def unfinished_lanes() -> list[str]:
    with session_scope() as s:
        shoppers = list(
            s.scalars(
                select(WhatsAppInbox.wa_id)
                .where(WhatsAppInbox.state.in_(UNFINISHED), WhatsAppInbox.kind == "message")
                .distinct()
            )
        )
        others = s.scalar(
            select(func.count())
            .select_from(WhatsAppInbox)
            .where(WhatsAppInbox.state.in_(UNFINISHED), WhatsAppInbox.kind != "message")
        )
    return shoppers + ([STATUS_LANE] if others else [])


def update(row_id: int, **values: Any) -> None:
    with session_scope(write=True) as s:
        r = s.get(WhatsAppInbox, row_id)
        assert r is not None
        for k, v in values.items():
            setattr(r, k, v)


def printable(text: str) -> str:
    """`text` as the database can store it: what UTF-8 cannot encode (a lone surrogate) as
    its escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def failed_attempt(row_id: int, error: str, outage: bool = True) -> str:
    """Count a failed try; the row waits (exponential back-off) or, after too many, fails.
    A message failing by its own fault (`outage` False) for the `QUARANTINE_AFTER`-th time
    gets "quarantine" instead: the caller sets it aside."""
    with session_scope(write=True) as s:
        r = s.get(WhatsAppInbox, row_id)
        assert r is not None
        r.attempts += 1
        r.last_error = printable(error)[:2000]
        if not outage and r.kind == "message":
            refusals = int(r.payload.get("refusals") or 0) + 1
            r.payload = {**r.payload, "refusals": refusals}
            if refusals >= QUARANTINE_AFTER:
                return "quarantine"
        if r.attempts >= MAX_ATTEMPTS:
            r.state, r.done_at = "failed", now()
        else:
            r.next_attempt_at = now() + timedelta(seconds=min(2**r.attempts, 300))
        return r.state


def _outgoing(row: InboxRow, m: Rendered, seq: int) -> WhatsAppOutgoing:
    return WhatsAppOutgoing(
        inbox_id=row.id,
        seq=seq,
        wa_id=row.wa_id,
        phone_number_id=row.phone_number_id,
        type=m.type,
        body=m.request(row.wa_id),
        options=m.options,
    )


def add_replies(session: Any, row: InboxRow, messages: list[Rendered]) -> None:
    """Store the rendered replies (to send) and move the row to `replied`, in `session`."""
    r = session.get(WhatsAppInbox, row.id)
    for seq, m in enumerate(messages):
        session.add(_outgoing(row, m, seq))
    r.state = "replied"


def add_first(session: Any, row: InboxRow, messages: list[Rendered]) -> None:
    """Store messages that go out before the engine's replies to the row (which start at 0),
    in `session`; the row itself moves on elsewhere."""
    for seq, m in enumerate(messages, start=-len(messages)):
        session.add(_outgoing(row, m, seq))


def save_replies(row: InboxRow, messages: list[Rendered], outcome: str) -> None:
    with session_scope(write=True) as s:
        add_replies(s, row, messages)
        s.get_one(WhatsAppInbox, row.id).outcome = outcome


@dataclass(frozen=True)
class OutgoingRow:
    id: int
    wa_id: str
    phone_number_id: str
    body: dict[str, Any]
    state: str


def unsent(inbox_id: int) -> list[OutgoingRow]:
    with session_scope() as s:
        rows = s.scalars(
            select(WhatsAppOutgoing)
            .where(WhatsAppOutgoing.inbox_id == inbox_id, WhatsAppOutgoing.state == "pending")
            .order_by(WhatsAppOutgoing.seq)
        )
        return [OutgoingRow(r.id, r.wa_id, r.phone_number_id, dict(r.body), r.state) for r in rows]


def sent(outgoing_id: int, wamid: str) -> None:
    with session_scope(write=True) as s:
        mark_sent(s, outgoing_id, wamid)


def mark_sent(session: Session, outgoing_id: int, wamid: str) -> None:
    r = session.get(WhatsAppOutgoing, outgoing_id)
    assert r is not None
    r.state, r.wamid, r.sent_at, r.attempts = "sent", wamid or None, now(), r.attempts + 1
    r.status, r.status_at, r.error = "accepted", None, None  # a notification sent again starts over
    # a status webhook can beat our own bookkeeping: attach any that arrived first
    for st in session.scalars(
        select(WhatsAppStatus).where(
            WhatsAppStatus.wamid == wamid, WhatsAppStatus.outgoing_id.is_(None)
        )
    ):
        st.outgoing_id = r.id
        _apply_status(r, st.status, st.timestamp, st.errors)


def send_failed(outgoing_id: int, error: str) -> None:
    with session_scope(write=True) as s:
        r = s.get(WhatsAppOutgoing, outgoing_id)
        assert r is not None
        r.state, r.error, r.attempts = "failed", error[:2000], r.attempts + 1


def options_for(
    wa_id: str, reply_id: str, context_id: str | None, phone_number_id: str | None = None
) -> dict[str, Any] | None:
    """The options of the message an interactive reply answers: the one its context names, or
    else the shopper's latest message offering that id (from the number the reply was written
    to, when given: another shop's buttons are not this shop's)."""
    token = reply_id.split(":", 1)[0]
    with session_scope() as s:
        if context_id:
            r = s.scalar(select(WhatsAppOutgoing).where(WhatsAppOutgoing.wamid == context_id))
            if r is not None and (r.options or {}).get("token") == token:
                return dict(r.options)
        query = select(WhatsAppOutgoing).where(WhatsAppOutgoing.wa_id == wa_id)
        if phone_number_id:
            query = query.where(WhatsAppOutgoing.phone_number_id == phone_number_id)
        recent = s.scalars(query.order_by(WhatsAppOutgoing.id.desc()).limit(50))
        for r in recent:
            if (r.options or {}).get("token") == token:
                return dict(r.options)
    return None


# statuses -----------------------------------------------------------------------------------
_RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4}


def _apply_status(
    row: WhatsAppOutgoing, status: str, at: datetime | None, errors: list[Any] | None = None
) -> None:
    if status == "failed":
        row.status, row.status_at = "failed", at
        row.error = str(errors)[:2000] if errors else row.error
        if (
            row.outbox_id is not None
            and row.type != "template"
            and any((e or {}).get("code") == RE_ENGAGEMENT for e in errors or [])
        ):
            _send_as_template(row)
    elif row.status != "failed" and _RANK.get(status, -1) >= _RANK.get(row.status or "", -1):
        row.status, row.status_at = status, at


def _send_as_template(row: WhatsAppOutgoing) -> None:
    """Meta refused a notification sent as text: the shopper's 24-hour window had closed where
    we could not see it (another channel answered them, clocks differ). The notification goes
    again, as its template: the row is marked for that and the outbox message is due again."""
    from bot.notifications import outbox

    session = object_session(row)
    assert session is not None and row.outbox_id is not None
    row.type, row.state = "template", "pending"
    outbox.resend(session, row.outbox_id, f"re-engagement: {row.error}")


def record_status(payload: dict[str, Any]) -> str:
    """One status webhook: kept once per (message, status); the sent message it is about gets
    its furthest status (statuses can arrive out of order)."""
    ts = str(payload.get("timestamp") or "")
    at = datetime.fromtimestamp(int(ts), UTC) if ts.isdigit() else None
    status: str = payload["status"]
    with session_scope(write=True) as s:
        exists = s.scalar(
            select(WhatsAppStatus).where(
                WhatsAppStatus.wamid == payload["id"], WhatsAppStatus.status == status
            )
        )
        if exists is not None:
            return "duplicate"
        out = s.scalar(select(WhatsAppOutgoing).where(WhatsAppOutgoing.wamid == payload["id"]))
        s.add(
            WhatsAppStatus(
                wamid=payload["id"],
                status=status,
                recipient_id=payload.get("recipient_id", ""),
                timestamp=at,
                errors=list(payload.get("errors") or []),
                outgoing_id=out.id if out else None,
            )
        )
        if out is None:
            return "unknown_message"
        _apply_status(out, status, at, list(payload.get("errors") or []))
        return status
