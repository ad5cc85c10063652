"""The Meta catalog sync against a fake of Meta's catalog batch API (a real HTTP server on
127.0.0.1), on the test database (SQLite, or PostgreSQL with TEST_DATABASE_URL): only what
changed is sent, each refused item is reported and sent again, and nothing is recorded as at
Meta before Meta says it applied it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.catalog.store import ensure_shop
from bot.db.meta_catalog_models import MetaCatalogItem, MetaCatalogLink
from bot.db.models import Product
from bot.db.session import session_scope
from bot.errors import InvalidRequest
from bot.meta_catalog import sync as meta_sync
from bot.meta_catalog.graph import BatchResult, CatalogClient, CatalogError
from bot.meta_catalog.items import price_text
from tests.bot.meta_catalog.support import TOKEN, VERSION, FakeCatalog

CATALOG = "778899001122"
IMAGE = "https://cdn.example.com/packs/{}.jpg"


@pytest.fixture
def meta() -> Iterator[FakeCatalog]:
    fake = FakeCatalog(CATALOG, "5550001")
    yield fake
    fake.close()


@pytest.fixture
def client(meta: FakeCatalog) -> Iterator[CatalogClient]:
    c = CatalogClient(meta.url, VERSION, TOKEN, wait_seconds=20, poll_seconds=0.02)
    yield c
    c.close()


def product(shop_id: int, sku: str, name: str, paise: int, stock: int, image: bool) -> Product:
    return Product(
        shop_id=shop_id,
        sku=sku,
        name=name,
        name_hi="आटा" if sku.startswith("ATT") else "",
        brand="Aashirvaad" if sku.startswith("ATT") else "",
        pack_size=5000 if sku.startswith("ATT") else 500,
        pack_unit="g",
        mrp_paise=paise + 1000,
        price_paise=paise,
        stock=stock,
        image_url=IMAGE.format(sku) if image else "",
    )


@pytest.fixture
def shop(database_url: str) -> int:
    """A small shop linked to the catalog: three products with a photo, one without."""
    with session_scope(write=True) as s:
        shop_id = ensure_shop(s, "meta-shop", "Meta Shop").id
        s.add_all(
            [
                product(shop_id, "ATT-1", "Aashirvaad Atta", 26_500, 12, image=True),
                product(shop_id, "DAL-1", "Toor Dal", 9_950, 30, image=True),
                product(shop_id, "SUG-1", "Sugar", 4_500, 0, image=True),
                product(shop_id, "SLT-1", "Salt", 2_800, 50, image=False),
            ]
        )
        meta_sync.link(s, shop_id, CATALOG)
    return shop_id


def run(
    shop: int, client: CatalogClient, full: bool = False, batch_size: int = meta_sync.BATCH_SIZE
) -> meta_sync.SyncReport:
    return meta_sync.sync(shop, client.apply, "INR", full=full, batch_size=batch_size)


def set_product(shop: int, sku: str, **values: object) -> None:
    with session_scope(write=True) as s:
        s.execute(update(Product).where(Product.shop_id == shop, Product.sku == sku).values(values))


def items(shop: int) -> dict[str, MetaCatalogItem]:
    with session_scope() as s:
        rows = s.scalars(select(MetaCatalogItem).where(MetaCatalogItem.shop_id == shop))
        return {r.retailer_id: r for r in rows}


def test_the_first_sync_creates_every_product_as_meta_describes_it(
    shop: int, client: CatalogClient, meta: FakeCatalog
) -> None:
    report = run(shop, client)
    assert (report.created, report.updated, report.deleted, report.unchanged) == (3, 0, 0, 0)
    assert [(f.retailer_id, f.method) for f in report.failures] == [("SLT-1", "CREATE")]
    assert "image_link" in report.failures[0].reason  # Meta needs a photo to create an item
    (post,) = meta.posts
    assert post["item_type"] == "PRODUCT_ITEM"
    assert sorted((r["method"], r["data"]["id"]) for r in post["requests"]) == [
        ("CREATE", "ATT-1"),
        ("CREATE", "DAL-1"),
        ("CREATE", "SLT-1"),
        ("CREATE", "SUG-1"),
    ]
    held = meta.catalogs[CATALOG]
    assert sorted(held) == ["ATT-1", "DAL-1", "SUG-1"]
    assert held["ATT-1"] == {
        "id": "ATT-1",
        "title": "Aashirvaad Atta 5 kg",
        "description": "Aashirvaad Atta 5 kg — आटा",
        "availability": "in stock",
        "condition": "new",
        "price": "265.00 INR",
        "brand": "Aashirvaad",
        "image_link": IMAGE.format("ATT-1"),
    }
    assert held["SUG-1"]["availability"] == "out of stock" and "brand" not in held["SUG-1"]
    recorded = items(shop)
    assert recorded["ATT-1"].fingerprint and not recorded["ATT-1"].error
    assert recorded["SLT-1"].fingerprint == "" and "image_link" in recorded["SLT-1"].error


def test_a_second_sync_sends_only_what_a_shopper_would_see_change(
    shop: int, client: CatalogClient, meta: FakeCatalog
) -> None:
    run(shop, client)
    set_product(shop, "SLT-1", image_url=IMAGE.format("SLT-1"))
    again = run(shop, client)
    assert (again.created, again.updated, again.unchanged, again.failures) == (1, 0, 3, [])
    assert [r["data"]["id"] for r in meta.posts[-1]["requests"]] == ["SLT-1"]  # the refused one
    assert not items(shop)["SLT-1"].error

    set_product(shop, "ATT-1", price_paise=25_900)
    set_product(shop, "DAL-1", stock=0)
    set_product(shop, "SLT-1", stock=49)  # still in stock: nothing a shopper sees
    changed = run(shop, client)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 2)
    assert sorted((r["method"], r["data"]["id"]) for r in meta.posts[-1]["requests"]) == [
        ("UPDATE", "ATT-1"),
        ("UPDATE", "DAL-1"),
    ]
    held = meta.catalogs[CATALOG]
    assert held["ATT-1"]["price"] == "259.00 INR"
    assert held["DAL-1"]["availability"] == "out of stock"

    posts = len(meta.posts)
    idle = run(shop, client)
    assert (idle.sent, idle.unchanged, len(meta.posts)) == (0, 4, posts)  # nothing sent at all


def test_a_product_gone_from_the_shop_is_deleted_from_the_catalog(
    shop: int, client: CatalogClient, meta: FakeCatalog
) -> None:
    run(shop, client)
    set_product(shop, "DAL-1", active=False)
    with session_scope(write=True) as s:
        s.delete(s.scalar(select(Product).where(Product.sku == "SLT-1")))  # Meta never had it
    report = run(shop, client)
    assert (report.deleted, report.unchanged, report.failures) == (1, 2, [])
    assert meta.posts[-1]["requests"] == [{"method": "DELETE", "data": {"id": "DAL-1"}}]
    assert sorted(meta.catalogs[CATALOG]) == ["ATT-1", "SUG-1"]
    assert sorted(items(shop)) == ["ATT-1", "SUG-1"]  # the refused salt is forgotten too
    set_product(shop, "DAL-1", active=True)
    back = run(shop, client)
    assert back.created == 1 and meta.catalogs[CATALOG]["DAL-1"]["price"] == "99.50 INR"


def test_a_batch_meta_has_not_finished_is_sent_again_next_time(
    shop: int, meta: FakeCatalog
) -> None:
    meta.running_polls = 1_000_000
    impatient = CatalogClient(meta.url, VERSION, TOKEN, wait_seconds=0.2, poll_seconds=0.02)
    try:
        report = run(shop, impatient)
    finally:
        impatient.close()
    assert report.created == 0 and len(report.failures) == 4
    assert all("had not applied the batch" in f.reason for f in report.failures)
    assert all(not i.fingerprint for i in items(shop).values())
    meta.running_polls = 2  # Meta is slow, but finishes within the wait
    patient = CatalogClient(meta.url, VERSION, TOKEN, wait_seconds=20, poll_seconds=0.02)
    try:
        assert run(shop, patient).created == 3
    finally:
        patient.close()


def test_a_refused_update_keeps_what_meta_holds_and_is_retried(
    shop: int, client: CatalogClient, meta: FakeCatalog
) -> None:
    run(shop, client)
    set_product(shop, "ATT-1", price_paise=27_000)
    meta.script.append(
        (
            200,
            {
                "handles": [],
                "validation_status": [
                    {"retailer_id": "ATT-1", "errors": [{"message": "price is too high"}]}
                ],
            },
        )
    )
    report = run(shop, client)
    assert [(f.retailer_id, f.method, f.reason) for f in report.failures] == [
        ("ATT-1", "UPDATE", "price is too high")
    ]
    assert meta.catalogs[CATALOG]["ATT-1"]["price"] == "265.00 INR"
    retried = run(shop, client)
    assert (retried.updated, retried.failures) == (1, [])
    assert meta.catalogs[CATALOG]["ATT-1"]["price"] == "270.00 INR"


def test_a_whole_request_refused_is_each_items_error_and_the_sync_stays_due(
    shop: int, client: CatalogClient, meta: FakeCatalog
) -> None:
    wrong = CatalogClient(meta.url, VERSION, "not-the-token", poll_seconds=0.02)
    try:
        with pytest.raises(CatalogError, match=r"HTTP 401 \(code 190\): Invalid OAuth"):
            run(shop, wrong)
    finally:
        wrong.close()
    recorded = items(shop)
    assert sorted(recorded) == ["ATT-1", "DAL-1", "SLT-1", "SUG-1"]
    assert all(not i.fingerprint and "HTTP 401" in i.error for i in recorded.values())
    with session_scope() as s:
        assert meta_sync.due_shops(s) == [shop]
    report = run(shop, client)
    assert (report.created, len(report.failures)) == (3, 1)  # as upserts: Meta took nothing
    assert all(r["method"] == "UPDATE" for r in meta.posts[-1]["requests"])


def test_a_sync_cut_off_after_sending_leaves_its_items_pending_and_sends_them_again(
    shop: int, client: CatalogClient, meta: FakeCatalog
) -> None:
    def sent_then_lost(catalog_id: str, requests: list) -> BatchResult:
        client.apply(catalog_id, requests)  # Meta applies it, but the answer never arrives
        raise CatalogError("the Graph API did not answer: timed out", sent=True)

    with pytest.raises(CatalogError):
        meta_sync.sync(shop, sent_then_lost, "INR")
    assert sorted(meta.catalogs[CATALOG]) == ["ATT-1", "DAL-1", "SUG-1"]
    assert {i.error for i in items(shop).values()} == {meta_sync.PENDING}
    set_product(shop, "DAL-1", active=False)
    report = run(shop, client)
    assert (report.created, report.deleted, len(report.failures)) == (2, 1, 1)
    assert sorted(meta.catalogs[CATALOG]) == ["ATT-1", "SUG-1"]


def test_batches_are_split_and_each_is_recorded(
    shop: int, client: CatalogClient, meta: FakeCatalog
) -> None:
    report = run(shop, client, batch_size=3)
    assert [len(p["requests"]) for p in meta.posts] == [3, 1]
    assert report.created == 3 and len(items(shop)) == 4


def test_a_sync_answers_the_request_but_not_one_made_while_it_ran(
    shop: int, client: CatalogClient, meta: FakeCatalog
) -> None:
    with session_scope() as s:
        assert meta_sync.due_shops(s) == [shop]  # linking asks for the first sync
    run(shop, client)
    with session_scope(write=True) as s:
        assert meta_sync.due_shops(s) == []
        assert meta_sync.request_sync(s, shop)
    set_product(shop, "ATT-1", price_paise=25_000)

    def apply_while_the_merchant_edits(catalog_id: str, requests: list) -> BatchResult:
        with session_scope(write=True) as s:
            row = meta_sync.linked_catalog(s, shop)
            assert row is not None and row.sync_requested_at is not None
            row.sync_requested_at += timedelta(seconds=1)  # a later edit asked again
        return client.apply(catalog_id, requests)

    meta_sync.sync(shop, apply_while_the_merchant_edits, "INR")
    with session_scope() as s:
        assert meta_sync.due_shops(s) == [shop]
        link = s.scalar(select(MetaCatalogLink).where(MetaCatalogLink.shop_id == shop))
        assert link is not None and link.synced_at is not None


def test_a_shop_without_a_catalog_is_refused_and_queues_nothing(database_url: str) -> None:
    with session_scope(write=True) as s:
        shop_id = ensure_shop(s, "plain", "Plain").id
        assert not meta_sync.request_sync(s, shop_id)
        with pytest.raises(InvalidRequest, match="not a Meta catalog id"):
            meta_sync.link(s, shop_id, "catalog-1")
    with pytest.raises(InvalidRequest, match="no Meta catalog"):
        meta_sync.sync(shop_id, lambda c, r: BatchResult(), "INR")


def test_another_catalog_starts_from_nothing(
    shop: int, client: CatalogClient, meta: FakeCatalog
) -> None:
    run(shop, client)
    with session_scope(write=True) as s:
        meta_sync.link(s, shop, "5550001")
    report = run(shop, client)
    assert report.created == 3 and sorted(meta.catalogs["5550001"]) == ["ATT-1", "DAL-1", "SUG-1"]


@pytest.mark.parametrize(
    ("paise", "text"),
    [(0, "0.00 INR"), (5, "0.05 INR"), (4950, "49.50 INR"), (129_900, "1299.00 INR")],
)
def test_prices_are_in_metas_format(paise: int, text: str) -> None:
    assert price_text(paise, "INR") == text
