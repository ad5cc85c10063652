"""Bring a database to the current schema with Alembic, whatever state it is found in.

- empty: create the tables from the models and stamp the newest revision (the test suite
  checks that the migrations build exactly the same schema, so both roads lead to one place);
- made by `create_all` (tables, no `alembic_version`): with every table of the models, it is
  taken as current and stamped; with fewer, it predates the migrations: stamp the first
  revision, which is that schema, then upgrade;
- migrated before: upgrade.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from bot.db.base import Base
from bot.settings import PROJECT_ROOT

BASELINE = "0001"  # the schema `create_all` made before the first migration was written
_PG_LOCK = 7_351_205  # an arbitrary advisory-lock number: one migrator at a time


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "bot" / "db" / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """One migrator at a time on a SQLite file, as the advisory lock does on PostgreSQL.
    pysqlite commits each CREATE TABLE on its own, so a second process starting at the same
    moment (the API and the WhatsApp worker do) would otherwise see half a schema and take it
    for an old one."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_schema(engine: Engine) -> None:
    from bot.db import models  # noqa: F401  (registers the tables)

    with _sqlite_file_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": _PG_LOCK})
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        if not tables:
            Base.metadata.create_all(conn)
            command.stamp(alembic_config(conn), "head")
            return
        revision = current_revision(conn)
        if revision == head_revision():
            return
        if revision is None:
            current = set(Base.metadata.tables) <= tables
            command.stamp(alembic_config(conn), "head" if current else BASELINE)
            if current:
                return
        command.upgrade(alembic_config(conn), "head")
