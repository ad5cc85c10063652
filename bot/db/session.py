"""The process-wide engine and session maker, created from settings on first use."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import Base, create_engine_for, session_factory
from bot.settings import get_settings


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    engine = create_engine_for(url)
    from bot.db import models  # noqa: F401  (registers the tables)

    Base.metadata.create_all(engine)
    return engine


def get_engine() -> Engine:
    return engine_for(get_settings().database_url)


@lru_cache(maxsize=4)
def _makers(url: str) -> sessionmaker:
    return session_factory(engine_for(url))


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends normally, rolled back on an exception."""
    session: Session = _makers(url or get_settings().database_url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
