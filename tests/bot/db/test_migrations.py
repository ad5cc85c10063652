"""The Alembic migrations build exactly the models' schema, and older databases are brought up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, make_url, text

from bot.db.base import Base, create_engine_for
from bot.db.migrate import alembic_config, current_revision, ensure_schema, head_revision
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (a second PostgreSQL database when testing on PostgreSQL)."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        url = make_url(TEST_DATABASE_URL)
        name = f"{url.database}_migrations"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine = create_engine_for(url.set(database=name).render_as_string(hide_password=False))
        yield engine
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        engine = create_engine_for(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()


def _diff(engine: Engine) -> list:
    from bot.db import models  # noqa: F401

    with engine.connect() as conn:
        return compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )


def test_migrations_build_exactly_the_models_schema(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    assert _diff(empty_engine) == []
    with empty_engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        checks = {c["name"] for c in inspect(conn).get_check_constraints("orders")}
    assert {"ck_orders_status_valid", "ck_orders_total_adds_up"} <= checks


def test_downgrade_and_upgrade_again(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
        command.downgrade(alembic_config(conn), "base")
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        command.upgrade(alembic_config(conn), "head")
    assert _diff(empty_engine) == []


def test_a_database_made_before_the_migrations_is_upgraded(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        command.stamp(alembic_config(conn), None)  # as `create_all` left it: no version table rows
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(
            text(
                "INSERT INTO shops (slug, name, catalog_version, created_at) "
                "VALUES ('s', 'S', 0, CURRENT_TIMESTAMP)"
            )
        )
    ensure_schema(empty_engine)
    assert _diff(empty_engine) == []
    with empty_engine.connect() as conn:
        assert conn.scalar(text("SELECT slug FROM shops")) == "s"


def test_a_fresh_database_is_created_and_stamped(empty_engine: Engine) -> None:
    ensure_schema(empty_engine)
    ensure_schema(empty_engine)  # idempotent
    assert _diff(empty_engine) == []
    with empty_engine.connect() as conn:
        assert current_revision(conn) == head_revision()


def _migrate(url: str) -> str:
    from bot.db.base import create_engine_for as make

    engine = make(url)
    try:
        ensure_schema(engine)
        with engine.connect() as conn:
            return current_revision(conn) or ""
    finally:
        engine.dispose()


def test_processes_starting_together_on_a_new_sqlite_file_agree(tmp_path: Path) -> None:
    """The API and the WhatsApp worker start at the same moment on a database nobody made yet."""
    from concurrent.futures import ProcessPoolExecutor

    url = f"sqlite:///{tmp_path / 'race.db'}"
    with ProcessPoolExecutor(4) as pool:
        revisions = list(pool.map(_migrate, [url] * 4))
    assert revisions == [head_revision()] * 4
