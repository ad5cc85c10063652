"""Bring a database to the current schema with Alembic, whatever state it is found in.

- empty: create the tables from the models and stamp the newest revision (the test suite
  checks that the migrations build exactly the same schema, so both roads lead to one place);
- made by `create_all` (tables, no `alembic_version`): with every table of the models, it is
  taken as current and stamped; with fewer, it predates the migrations: stamp the first
  revision, which is that schema, then upgrade;
- migrated before: upgrade.
"""
from __future__ import annotations

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


def ensure_schema(engine: Engine) -> None:
    from bot.db import models  # noqa: F401  (registers the tables)

    with engine.begin() as conn:
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
