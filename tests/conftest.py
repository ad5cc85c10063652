"""Shared fixtures: real catalogs, real databases (SQLite files, PostgreSQL when configured)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from bot.catalog.sources import CatalogFile, read_shop_catalog
from bot.db.base import Base
from bot.db.session import engine_for
from bot.engine import ItemEngine
from bot.settings import PROJECT_ROOT, get_settings

SHARED = PROJECT_ROOT.parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared real-data sets are not beside the project")
    return path


@pytest.fixture(scope="session")
def seed_catalog() -> CatalogFile:
    return read_shop_catalog(PROJECT_ROOT / "data" / "catalog")


@pytest.fixture(scope="session")
def engine(seed_catalog: CatalogFile) -> ItemEngine:
    return ItemEngine(seed_catalog.products, {c.slug: c.name for c in seed_catalog.categories})


# CI runs the suite twice: on SQLite files, then with TEST_DATABASE_URL on a PostgreSQL server.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def _fresh_postgres(url: str) -> str:
    """Create the test database if needed and empty it: every test starts from nothing."""
    made = make_url(url)
    admin = create_engine(made.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": made.database}
        ):
            conn.execute(text(f'CREATE DATABASE "{made.database}"'))
    admin.dispose()
    engine = engine_for(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    return url


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty database for one test, configured for every `get_settings()` caller."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        url = _fresh_postgres(TEST_DATABASE_URL)
    else:
        url = f"sqlite:///{tmp_path / 'chatcart.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


pytest_plugins = ("tests.shop",)
