"""The intake's own SQLite file: deliveries the API acknowledged, until the gateway takes them in.

Why a file of its own: SQLite lets one connection write a file at a time, whatever the process.
With the intake writing `whatsapp_inbox` in the app's database, an acknowledgement waited for
the write lock whenever the WhatsApp worker (or the action server) held it for its own writes —
and those processes run `BACKGROUND_NICE` nicer than the API, so a holder that was waiting for a
CPU kept Meta's 200 waiting for tens of milliseconds (bench/README.md has the figures). Nothing
but the API writes this file, so the acknowledgement never waits for another process.

- The API appends each delivery's rows here (`append`), one `INSERT … ON CONFLICT (key) DO
  NOTHING` and one commit per burst with `synchronous=FULL`: durable, power cut included,
  before the 200. `key` is unique here too, so Meta's retries add nothing.
- The gateway (the worker, or the API's own when it runs the lanes) reads the new rows in `id`
  order — WAL readers never block the writer — and takes them into `whatsapp_inbox` with the
  same unique key, in one durable transaction (`take_in`). Order is kept: ids here only grow
  (AUTOINCREMENT: never reused, not even after a prune) and are handed out under the write
  lock, so a reader sees every row below the newest it sees; `whatsapp_inbox` gives the rows
  its own ids in that order. A row taken in twice (after a restart, whose cursor starts at 0)
  or delivered again after its copy here was pruned is skipped by the key: nothing doubled.
- The API deletes rows already in `whatsapp_inbox` now and then (`prune`): only rows whose
  durable copy exists, so a crash or power cut between the two steps loses nothing.
- Checkpoints (copying the WAL back into the file) are the gateway's (`checkpoint`, PASSIVE:
  it never blocks the writer): left to SQLite, every 1,000 pages one would run inside an
  acknowledgement's commit — a copy and two syncs, tens of milliseconds — with the requests
  behind it waiting. The API checkpoints only past `API_CHECKPOINT_PAGES`, a safety net for
  a worker that is down.

PostgreSQL has row locks, not a database-wide write lock: there the API writes
`whatsapp_inbox` directly and this file does not exist (`url_for` is None).
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    event,
    select,
)
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

from bot.db.base import create_engine_for, session_factory
from bot.db.session import transaction

PRUNE_BATCH = 500
API_CHECKPOINT_PAGES = 10_000  # ~40 MB of WAL: only reached while no gateway checkpoints

metadata = MetaData()
intake = Table(
    "whatsapp_intake",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("kind", String(10), nullable=False),
    Column("type", String(40), nullable=False),
    Column("wa_id", String(64), nullable=False),
    Column("phone_number_id", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)
COLUMNS = ("key", "kind", "type", "wa_id", "phone_number_id", "payload", "received_at")
APPEND = insert(intake).on_conflict_do_nothing(index_elements=["key"]).returning(intake.c.key)


@lru_cache(maxsize=8)
def url_for(database_url: str) -> str | None:
    """The intake file beside a SQLite database file (`chatcart.db` → `chatcart-intake.db`);
    None for PostgreSQL, and for an in-memory database no other process could read."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    db = Path(url.database)
    return f"sqlite:///{db.with_name(f'{db.stem}-intake.db')}"


@lru_cache(maxsize=8)
def engine(url: str, synchronous: str = "FULL") -> Engine:
    """The intake file's engine: WAL like the app's (`create_engine_for`), every commit synced
    (`synchronous=FULL`: the 200 tells Meta it may forget the delivery; `prune`'s deletes need
    no sync of their own), no automatic checkpoint below `API_CHECKPOINT_PAGES`, the table made
    if missing (`IF NOT EXISTS`: the API and the worker may both be the first)."""
    made = create_engine_for(url)

    @event.listens_for(made, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={API_CHECKPOINT_PAGES}")

    with made.begin() as connection:
        connection.execute(CreateTable(intake, if_not_exists=True))
    return made


def _writing(url: str, synchronous: str = "FULL") -> AbstractContextManager[Session]:
    """A write transaction on the file, its lock taken at the start."""
    return transaction(session_factory(engine(url, synchronous)), write=True)


def append(
    url: str, rows: list[dict[str, Any]], timing: dict[str, float] | None = None
) -> set[str]:
    """Write `rows` (the columns of `COLUMNS`) in one durable transaction; the keys that were
    new. `timing`, when given, gets the milliseconds spent waiting for the write lock
    (`lock`: here only another batch of this same process can hold it), inserting (`write`)
    and committing (`sync`)."""
    started = time.perf_counter()
    with _writing(url) as session:
        locked = time.perf_counter()
        new = set(
            session.connection()
            .execute(APPEND, [{c: r[c] for c in COLUMNS} for r in rows])
            .scalars()
        )
        written = time.perf_counter()
    if timing is not None:
        timing["lock"] = (locked - started) * 1000
        timing["write"] = (written - locked) * 1000
        timing["sync"] = (time.perf_counter() - written) * 1000
    return new


def after(url: str, last_id: int, limit: int | None = 500) -> list[dict[str, Any]]:
    """Rows with an id above `last_id`, oldest first (a read: it never blocks the API)."""
    with engine(url).connect() as connection:
        rows = (
            connection.execute(
                select(intake).where(intake.c.id > last_id).order_by(intake.c.id).limit(limit)
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


def prune(url: str, taken: Any) -> int:
    """Delete the oldest rows whose key `taken(keys)` reports as durably in `whatsapp_inbox`;
    how many went. Run by the API, the file's only writer, beside its acknowledgements: it
    reads ids and keys only (decoding payloads would hold the GIL from the event loop)."""
    with engine(url).connect() as connection:
        oldest = connection.execute(
            select(intake.c.id, intake.c.key).order_by(intake.c.id).limit(PRUNE_BATCH)
        ).all()
    if not oldest:
        return 0
    done: set[str] = taken([key for _, key in oldest])
    ids = [id_ for id_, key in oldest if key in done]
    if not ids:
        return 0
    with _writing(url, "NORMAL") as session:  # a delete lost in a power cut is simply made again
        session.execute(delete(intake).where(intake.c.id.in_(ids)))
    return len(ids)


def checkpoint(url: str) -> None:
    """Copy the WAL's frames back into the file, as far as no reader needs them (PASSIVE:
    neither the API's appends nor readers wait for it), so that the API's next write starts
    the WAL over instead of growing it."""
    with engine(url).connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
