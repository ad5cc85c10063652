"""Who processes what: lane ownership.

A lane (one shopper's messages, or the statuses, or the outbox) is handled by one task of one
process at a time — that is what keeps a shopper's messages in order and each reply sent once.
Processes hold lanes through the database engine's own locks, which the engine drops when the
holder dies, so a crashed worker's lanes pass to the others without any bookkeeping of ours:

- PostgreSQL (`LaneLocks`): every worker processes the inbox. A lane is run only under a
  session advisory lock on its name (`pg_try_advisory_lock`), taken on a connection each
  worker keeps for the purpose: a worker that finds the lock taken leaves the lane to its
  holder. When a worker dies its connection closes and PostgreSQL releases every lock of that
  session at once; the others' sweeps (every second) find the lanes unfinished and take them.
  TCP keepalives bound how long a vanished host's locks stay held.
- SQLite (`ProcessorLock`): one writer at a time is all SQLite offers, so one process holds
  the whole database — an exclusive `flock` on a file beside it, which the kernel drops when
  the holder dies — and owns every lane; a second worker stands by until it is free.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

OUTBOX = "~outbox"  # the notifications' lane


class LostOwnership(RuntimeError):
    """The connection holding this worker's lane locks is gone, and the locks with it."""


class Ownership(Protocol):
    shared: bool  # several processes may process the database at once

    def try_acquire(self) -> bool:
        """May this process start processing (SQLite: it holds the database)?"""

    def take(self, lane: str) -> bool:
        """Hold `lane` (True), unless another process does (False)."""

    def give_back(self, lane: str) -> None: ...

    def confirm(self, lane: str) -> None:
        """Raise `LostOwnership` unless this process still holds `lane`."""

    def release(self) -> None: ...


def ownership(database_url: str) -> Ownership:
    if make_url(database_url).get_backend_name() == "postgresql":
        return LaneLocks(database_url)
    return ProcessorLock(database_url)


class ProcessorLock:
    """One processor per database (SQLite): an exclusive `flock` on a file beside it; the
    holder owns every lane."""

    shared = False

    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)
        self._file: IO[bytes] | None = None

    @property
    def path(self) -> Path:
        db = Path(self.url.database or "chatcart.db")
        return db.with_name(db.name + ".whatsapp.lock")

    @property
    def held(self) -> bool:
        return self._file is not None

    def try_acquire(self) -> bool:
        import fcntl

        if self._file is not None:
            return True
        f = self.path.open("ab")
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            return False
        f.truncate(0)
        f.write(f"{os.getpid()}\n".encode())
        f.flush()
        self._file = f
        return True

    def take(self, lane: str) -> bool:
        return self.held

    def give_back(self, lane: str) -> None:
        pass

    def confirm(self, lane: str) -> None:
        if not self.held:
            raise LostOwnership("this process no longer holds the database")

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the flock
            self._file = None


def lane_key(lane: str) -> int:
    """A lane's advisory-lock key: 64 bits of its name's BLAKE2b (collisions only make two
    shoppers wait for each other, never run one shopper twice)."""
    return int.from_bytes(hashlib.blake2b(lane.encode(), digest_size=8).digest(), signed=True)


class LaneLocks:
    """PostgreSQL: one advisory lock per lane, on one connection of this process."""

    shared = True

    def __init__(self, database_url: str, name: str = "chatcart-whatsapp") -> None:
        self.url = database_url
        self.name = name
        self._guard = threading.Lock()  # the connection serves one call at a time
        self._engine: Any = None
        self._connection: Any = None
        self._held: set[str] = set()

    def _connect(self) -> Any:
        engine = create_engine(
            self.url,
            poolclass=NullPool,
            connect_args={
                "application_name": f"{self.name}-{os.getpid()}",
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 2,
                "keepalives_count": 3,
            },
        )
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._engine = engine
        return connection

    def try_acquire(self) -> bool:
        with self._guard:
            if self._connection is None:
                self._connection = self._connect()
        return True

    def _ask(self, sql: str, key: int) -> bool:
        """One question on the connection; the caller holds `_guard`."""
        if self._connection is None:
            self._connection = self._connect()  # a new session: it holds nothing yet
        try:
            return bool(self._connection.scalar(text(sql), {"k": key}))
        except Exception as e:
            self._lost()
            raise LostOwnership(f"the lane locks' connection failed: {e!r}") from e

    def take(self, lane: str) -> bool:
        with self._guard:
            if lane in self._held:
                return True  # this process runs it already (one task per lane: see `Lanes`)
            if not self._ask("SELECT pg_try_advisory_lock(:k)", lane_key(lane)):
                return False
            self._held.add(lane)
            return True

    def give_back(self, lane: str) -> None:
        with self._guard:
            if lane in self._held:
                self._held.discard(lane)
                self._ask("SELECT pg_advisory_unlock(:k)", lane_key(lane))

    def confirm(self, lane: str) -> None:
        with self._guard:
            if lane not in self._held or not self._ask("SELECT :k", 1):
                raise LostOwnership(f"lane {lane} is no longer this process's")

    def _lost(self) -> None:
        """The session is gone (or unusable): PostgreSQL released its locks, so none is ours."""
        self._held.clear()
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except Exception:  # noqa: BLE001 - a broken connection may fail to close
                pass
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def release(self) -> None:
        with self._guard:
            self._lost()
