"""The conversations Rasa keeps: its SQL tracker store's `events` table (endpoints.yml).

`make run` puts the tracker store on the app's database engine (cli/engine.tracker_env): a
sibling SQLite file `<name>-conversations.db`, or the same PostgreSQL database. Each event is a
row with the conversation id (`sender_id`: the shopper's wa_id, or `<wa_id>@<slug>` with another
shop), its type (`user` and `bot` carry the text said) and a UNIX `timestamp`. A database whose
engine never ran has no such table: then there is nothing to erase.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    func,
    inspect,
    make_url,
    or_,
    select,
)

from bot.privacy.rows import affected

_metadata = MetaData()
EVENTS = Table(  # Rasa 3.6's SQLTrackerStore.SQLEvent
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
TEXT_EVENTS = ("user", "bot")
SEPARATOR = "@"  # bot.shops.directory.conversation_id


def tracker_url(database_url: str) -> str:
    """Where the engine keeps conversations for the app database at `database_url`."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return database_url
    db = Path(url.database or "chatcart.db")
    return f"sqlite:///{db.with_name(f'{db.stem}-conversations.db')}"


@contextmanager
def _events(url: str) -> Iterator[Connection | None]:
    """A transaction on the tracker store's database, None when it has no events table. A
    plain engine, not the app's: the app's migrations must not run in the engine's file, and
    a missing file is not created (the engine makes it with its own schema)."""
    made = make_url(url)
    sqlite = made.get_backend_name() == "sqlite"
    if sqlite and not Path(made.database or "").exists():
        yield None
        return
    engine = create_engine(url, connect_args={"timeout": 30} if sqlite else {})
    try:
        with engine.begin() as conn:
            yield conn if inspect(conn).has_table("events") else None
    finally:
        engine.dispose()


def erase_conversations(url: str, wa_id: str) -> int:
    """Delete every event of the shopper's conversations (with every shop); the count."""
    escaped = wa_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with _events(url) as conn:
        if conn is None:
            return 0
        done = conn.execute(
            delete(EVENTS).where(
                or_(
                    EVENTS.c.sender_id == wa_id,
                    EVENTS.c.sender_id.like(f"{escaped}{SEPARATOR}%", escape="\\"),
                )
            )
        )
    return affected(done)


def purge_text_before(url: str, cutoff: datetime) -> int:
    """Delete what was said (user and bot events) before `cutoff`, in every conversation, and
    the whole of every conversation idle since then (its slots hold what was said too: an
    address, a name). A conversation that goes on keeps its slots and actions, so its state
    survives; one idle that long starts afresh (the cart and the language are the app's)."""
    with _events(url) as conn:
        if conn is None:
            return 0
        before = cutoff.timestamp()
        idle = (
            select(EVENTS.c.sender_id)
            .group_by(EVENTS.c.sender_id)
            .having(func.max(EVENTS.c.timestamp) < before)
        )
        gone = conn.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(idle)))
        said = conn.execute(
            delete(EVENTS).where(EVENTS.c.type_name.in_(TEXT_EVENTS), EVENTS.c.timestamp < before)
        )
    return affected(gone) + affected(said)
