"""Alembic environment: the models' metadata, the URL from settings, batch mode on SQLite.

Called two ways: by the `alembic` command (a URL, its own engine) and by `bot.db.migrate`
(a connection handed over in `config.attributes`, inside the caller's transaction)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.db import models  # noqa: F401  (registers the tables)
from bot.db.base import Base, create_engine_for
from bot.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine_for(
        config.get_main_option("sqlalchemy.url") or get_settings().database_url
    )
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
