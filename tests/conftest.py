"""Shared fixtures: real catalogs, real databases (SQLite files, PostgreSQL when configured)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.catalog.sources import CatalogFile, read_shop_catalog
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


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty database for one test, configured for every `get_settings()` caller."""
    url = f"sqlite:///{tmp_path / 'chatcart.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
