"""One gateway processor per database.

The lanes keep a shopper's messages in order and send each reply once because one process
handles the inbox. A second one — an API started with `WHATSAPP_WORKERS=true` next to
`chatcart whatsapp worker`, or two workers — would run the same rows twice. Whoever holds this
lock processes; another waits until it is free (a standby that takes over when the first dies:
the kernel drops a dead process's file lock, PostgreSQL a dead connection's advisory lock).

SQLite: an exclusive `flock` on a file beside the database. PostgreSQL: a session advisory
lock on a connection kept open while the lock is held.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

from sqlalchemy import make_url, text

_PG_KEY = 7_351_206  # an arbitrary advisory-lock number (the migrator uses 7_351_205)


class ProcessorLock:
    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)
        self._file: IO[bytes] | None = None
        self._connection: Any = None

    @property
    def path(self) -> Path:
        db = Path(self.url.database or "chatcart.db")
        return db.with_name(db.name + ".whatsapp.lock")

    @property
    def held(self) -> bool:
        return self._file is not None or self._connection is not None

    def try_acquire(self) -> bool:
        if self.held:
            return True
        if self.url.get_backend_name() == "sqlite":
            import fcntl

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
        from bot.db.session import engine_for

        connection = engine_for(self.url.render_as_string(hide_password=False)).connect()
        if connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": _PG_KEY}):
            connection.commit()
            self._connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the flock
            self._file = None
        if self._connection is not None:
            self._connection.invalidate()  # the session ends, and its advisory lock with it
            self._connection.close()
            self._connection = None
