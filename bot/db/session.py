"""The process-wide engine and session maker, created from settings on first use."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker

from bot.db.base import create_engine_for, session_factory
from bot.settings import get_settings


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    from bot.db.migrate import ensure_schema

    engine = create_engine_for(url)
    ensure_schema(engine)
    return engine


def get_engine() -> Engine:
    return engine_for(get_settings().database_url)


@lru_cache(maxsize=4)
def _makers(url: str) -> sessionmaker[Session]:
    return session_factory(engine_for(url))


_WROTE = "chatcart_wrote"
_HELD = "chatcart_writer_lock"
WRITER_WAIT_SECONDS = 30.0
_writer_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _writer_lock(engine: Engine) -> threading.Lock:
    with _locks_guard:
        return _writer_locks.setdefault(str(engine.url), threading.Lock())


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: object) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)
        lock = session.info.pop(_HELD, None)
        if lock is not None:
            lock.release()


def begin_write(session: Session) -> None:
    """Make `session`'s transaction a writer's, before the first write.

    SQLite lets one writer in at a time. A transaction that reads first and writes later can
    find, when it writes, that another writer committed since its read snapshot: SQLite then
    fails at once ("database is locked") instead of waiting. `BEGIN IMMEDIATE` takes the write
    lock up front, so writers queue (for up to the busy timeout) and then see the latest data.
    A session that has only read so far is committed first (there is nothing to commit; loaded
    objects stay loaded) and begun again as a writer. One that already wrote is left alone.
    Writers in one process also queue on a lock of their own first: SQLite's busy handler
    polls with growing sleeps, which under twenty concurrent writers costs more than the writes.
    PostgreSQL needs nothing here: row locks and unique indexes do the ordering there.
    """
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if session.in_transaction():
        if (
            session.info.get(_WROTE)
            or session.in_nested_transaction()
            or session.new
            or session.dirty
            or session.deleted
        ):
            return
        session.commit()
    lock = _writer_lock(bind.engine)  # a Connection and an Engine both name their Engine
    if not lock.acquire(timeout=WRITER_WAIT_SECONDS):
        raise TimeoutError(f"no SQLite write lock within {WRITER_WAIT_SECONDS:g} s")
    try:
        session.execute(text("BEGIN IMMEDIATE"))
    except BaseException:
        lock.release()
        raise
    session.info[_HELD] = lock


@contextmanager
def transaction(
    maker: sessionmaker[Session], *, write: bool = False, timing: dict[str, float] | None = None
) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends normally, rolled back on an
    exception, closed either way. `write=True` takes SQLite's write lock at the start (see
    `begin_write`). `timing`, when given, gets the milliseconds spent waiting for the write
    lock (`lock`) and committing (`sync`): the two parts of a webhook's acknowledgement that
    depend on other writers and on the disk."""
    session = maker()
    try:
        started = time.perf_counter()
        if write:
            begin_write(session)
        locked = time.perf_counter()
        yield session
        committing = time.perf_counter()
        session.commit()
        if timing is not None:
            timing["lock"] = (locked - started) * 1000
            timing["sync"] = (time.perf_counter() - committing) * 1000
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def session_scope(
    url: str | None = None, *, write: bool = False
) -> AbstractContextManager[Session]:
    """A transaction on the app's database (`url`, by default the settings' one)."""
    return transaction(_makers(url or get_settings().database_url), write=write)
