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
# Under pytest-xdist every worker has databases of its own: `chatcart_ci_gw0`, `chatcart_ci_gw1`.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def for_this_worker(url: str, purpose: str = "") -> str:
    """`url` with a database name of this worker's (and of `purpose`, when given)."""
    if not url.startswith("postgresql"):
        return url
    made = make_url(url)
    name = "_".join(part for part in (made.database, purpose, WORKER) if part)
    return made.set(database=name).render_as_string(hide_password=False)


TEST_DATABASE_URL = for_this_worker(os.environ.get("TEST_DATABASE_URL", ""))
_schema_ready: set[str] = set()


def postgres_missing(server: str) -> str | None:
    """Why no test can run on the PostgreSQL server at `server` (None when it answers): the
    reason a test that needs one skips with."""
    try:
        probe = create_engine(server)
        with probe.connect() as c:
            c.execute(text("SELECT 1"))
        probe.dispose()
    except Exception as e:  # noqa: BLE001 - any failure means: no server to test on
        return f"no PostgreSQL server at {make_url(server).render_as_string()}: {e!r}"[:300]
    return None


def create_postgres_database(url: str) -> None:
    made = make_url(url)
    admin = create_engine(made.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": made.database}
        ):
            conn.execute(text(f'CREATE DATABASE "{made.database}"'))
    admin.dispose()


def fresh_postgres(url: str) -> str:
    """The database at `url`, empty: every test starts from nothing. The first time in a
    worker the schema is dropped and built by the migrator; after that, emptying the tables
    (TRUNCATE … RESTART IDENTITY) is the same start at a fraction of the cost."""
    if url not in _schema_ready:
        create_postgres_database(url)
        scratch = create_engine(url)
        with scratch.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        scratch.dispose()
        engine_for.cache_clear()
        engine_for(url)
        _schema_ready.add(url)
        return url
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine_for(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return url


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty database for one test, configured for every `get_settings()` caller."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        url = fresh_postgres(TEST_DATABASE_URL)
    else:
        url = f"sqlite:///{tmp_path / 'chatcart.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


# What makes a test a `processes` one (left out of `make test-fast`): a fixture that starts
# one, or a module that does.
PROCESS_FIXTURES = frozenset(
    {"assistant", "on_assistant_database", "trained_model", "live_server", "real_model"}
)
PROCESS_MODULES = (
    "tests/assistant/",
    "tests/browser/",
    "tests/rasa_engine/",
    "tests/api/test_live.py",
    "tests/api/test_schemathesis.py",
    "tests/api/whatsapp/test_whatsapp_conversation.py",
    "tests/api/whatsapp/test_whatsapp_worker.py",
    "tests/api/whatsapp/test_whatsapp_privacy_worker.py",
    "tests/cli/test_parse.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks the `processes` tests, then orders the run longest first: the long chains, the
    other tests that start processes, the unit tests, what this pass skips (each in collection
    order)."""
    from tests.processes import HANDED_OUT_FIRST

    for item in items:
        where = item.path.relative_to(PROJECT_ROOT).as_posix()
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())) or where.startswith(
            PROCESS_MODULES
        ):
            item.add_marker(pytest.mark.processes)

    def rank(item: pytest.Item) -> int:
        if any(mark.args and mark.args[0] is True for mark in item.iter_markers("skipif")):
            return len(HANDED_OUT_FIRST) + 2  # skipped on this pass: no worker waits for it
        group = item.get_closest_marker("xdist_group")
        name = next(iter(group.args), group.kwargs.get("name")) if group else None
        if name in HANDED_OUT_FIRST:
            return HANDED_OUT_FIRST.index(name)
        return len(HANDED_OUT_FIRST) + (0 if item.get_closest_marker("processes") else 1)

    items.sort(key=rank)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Under `--dist loadgroup` each xdist worker tags a grouped test's id with its group, and
    the scheduler sends a group to one worker. When the tag is missing (pytest and pytest-xdist
    out of step), the groups are spread over every worker and each starts an engine of its
    own: stop at once rather than run the suite twice as slowly."""
    if not getattr(session.config.option, "loadgroup", False):  # set in xdist workers only
        return
    untagged = [
        item.nodeid
        for item in session.items
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid
    ]
    if untagged:
        raise pytest.UsageError(
            f"pytest-xdist did not tag {len(untagged)} grouped tests with their group "
            f"(e.g. {untagged[0]}): this pytest and pytest-xdist do not work together"
        )


pytest_plugins = ("tests.shop", "tests.processes")
