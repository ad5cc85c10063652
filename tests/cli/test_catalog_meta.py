"""`chatcart catalog link-meta` and `sync-meta` against a fake of Meta's catalog batch API (a
real HTTP server on 127.0.0.1): counts on stdout, each refused item on stderr, exit 1 when
anything failed; `--queued` syncs only the shops whose sync is due."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from bot.catalog.store import ensure_shop
from bot.db.models import Product
from bot.db.session import session_scope
from bot.meta_catalog import sync as meta_sync
from bot.settings import get_settings
from cli import app
from tests.bot.meta_catalog.support import TOKEN, VERSION, FakeCatalog
from tests.bot.meta_catalog.test_meta_sync import IMAGE, product

CATALOG = "4455667788"


@pytest.fixture
def meta(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCatalog]:
    fake = FakeCatalog(CATALOG)
    monkeypatch.setenv("WHATSAPP_GRAPH_URL", fake.url)
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("WHATSAPP_API_VERSION", VERSION)
    get_settings.cache_clear()
    settings = get_settings()
    with session_scope(write=True) as s:
        shop_id = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name).id
        s.add_all(
            [
                product(shop_id, "ATT-1", "Aashirvaad Atta", 26_500, 12, image=True),
                product(shop_id, "SLT-1", "Salt", 2_800, 50, image=False),
            ]
        )
    yield fake
    fake.close()
    get_settings.cache_clear()


def test_link_then_sync_reports_counts_and_each_refused_item(meta: FakeCatalog) -> None:
    runner = CliRunner()
    refused = runner.invoke(app, ["catalog", "link-meta", "my-catalog"])
    assert refused.exit_code == 2 and "not a Meta catalog id" in refused.output
    linked = runner.invoke(app, ["catalog", "link-meta", CATALOG])
    assert linked.exit_code == 0, linked.output
    assert f"linked to Meta catalog {CATALOG}" in linked.output

    first = runner.invoke(app, ["catalog", "sync-meta"])
    assert first.exit_code == 1, first.output  # the salt has no photo: Meta refuses it
    assert (
        f"Meta catalog {CATALOG}: 1 created, 0 updated, 0 deleted, 0 unchanged, 1 failed"
        in first.stdout
    )
    assert "CREATE SLT-1: Required field image_link is missing" in first.stderr
    assert meta.catalogs[CATALOG]["ATT-1"]["image_link"] == IMAGE.format("ATT-1")

    with session_scope(write=True) as s:
        s.execute(
            update(Product).where(Product.sku == "SLT-1").values(image_url=IMAGE.format("SLT-1"))
        )
    second = runner.invoke(app, ["catalog", "sync-meta"])
    assert second.exit_code == 0, second.output
    assert "1 created, 0 updated, 0 deleted, 1 unchanged, 0 failed" in second.stdout
    full = runner.invoke(app, ["catalog", "sync-meta", "--full"])
    assert "0 created, 2 updated" in full.stdout


def test_queued_syncs_only_the_shops_that_asked(meta: FakeCatalog) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["catalog", "link-meta", CATALOG]).exit_code == 0
    assert runner.invoke(app, ["catalog", "sync-meta", "--queued"]).exit_code == 1  # the salt
    idle = runner.invoke(app, ["catalog", "sync-meta", "--queued"])
    assert idle.exit_code == 0 and "no Meta catalog sync is due" in idle.stdout
    posts = len(meta.posts)
    settings = get_settings()
    with session_scope(write=True) as s:
        shop_id = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name).id
        assert meta_sync.request_sync(s, shop_id)
    again = runner.invoke(app, ["catalog", "sync-meta", "--queued"])
    assert "0 created, 0 updated, 0 deleted, 1 unchanged, 1 failed" in again.stdout
    assert len(meta.posts) == posts + 1  # only the refused salt, sent again


def test_without_whatsapp_credentials_nothing_is_sent(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("WHATSAPP_GRAPH_URL", "WHATSAPP_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENVIRONMENT", "development")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["catalog", "sync-meta"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and "no WhatsApp credentials" in result.output
