"""The catalog pages through a real app and database: search, edits, import with a preview,
export that reads back, and nothing of one shop visible or changeable from another."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from api.console.routes import catalog as console_catalog
from api.routes import catalog as catalog_api
from bot.catalog import changes
from bot.catalog.sources import SHOP_COLUMNS, CatalogFile, read_bigbasket, read_shop_catalog
from bot.catalog.store import ensure_shop, load_catalog, shop_catalog
from bot.db.models import Category, Product, Shop
from bot.db.session import session_scope
from bot.settings import PROJECT_ROOT
from cli import app as cli
from tests.api.console.conftest import Console, log_in, make_merchant, session_csrf
from tests.conftest import shared_path
from tests.shop import price_of, stock_of

SEED = PROJECT_ROOT / "data" / "catalog"


@pytest.fixture(autouse=True)
def fresh_search_indexes() -> None:
    """Search indexes are cached per shop and catalog version, which every test's fresh
    database repeats: one test's index must not answer the next test's searches."""
    catalog_api._resolvers.clear()
    console_catalog.RANKERS.clear()


def skus(html: str) -> list[str]:
    return re.findall(r'<tr id="row-\d+" data-sku="([^"]+)"', html)


def version() -> int:
    with session_scope() as s:
        return s.scalar(select(Shop.catalog_version).where(Shop.slug == "default")) or 0


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, SHOP_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def row(**over: str) -> dict[str, str]:
    return {
        "sku": "STP-9001",
        "kind": "quinoa",
        "name": "Organic White Quinoa",
        "name_hi": "जैविक किनोआ",
        "brand": "24 Mantra",
        "category": "staples",
        "pack_size": "500",
        "pack_unit": "g",
        "mrp_paise": "29900",
        "price_paise": "25900",
        "stock": "12",
        "aliases": "quinoa|kinwa|keenwa",
    } | over


def exported_rows(console: Console) -> list[dict[str, str]]:
    response = console.get("/merchant/catalog/export.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def upload(
    console: Console, data: bytes, name: str = "prices.csv", fmt: str = "auto"
) -> httpx.Response:
    return console.post(
        "/merchant/catalog/import", {"format": fmt}, files={"file": (name, data, "text/csv")}
    )


def preview_url(console: Console, data: bytes, fmt: str = "auto") -> str:
    response = upload(console, data, fmt=fmt)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def applied(console: Console, url: str) -> str:
    """Apply a previewed upload and wait for the page to report the outcome."""
    response = console.post(f"{url}/apply")
    assert response.status_code == 303 and response.headers["location"] == url, response.text
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        page = console.get(url)
        if "Applying…" not in page.text:
            return page.text
        assert page.headers["refresh"] == "1"
        time.sleep(0.1)
    raise AssertionError("the import did not finish")


def test_the_catalog_shows_prices_packs_stock_and_aliases(console: Console) -> None:
    page = console.get("/merchant/catalog")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert skus(page.text)[:2] == ["STP-0001", "STP-0002"] and len(skus(page.text)) == 50
    first = page.text[
        page.text.index('data-sku="STP-0001"') : page.text.index('data-sku="STP-0002"')
    ]
    for shown in (
        "Aashirvaad Shudh Chakki Atta",
        "आशीर्वाद शुद्ध चक्की आटा",
        "1 kg",
        "₹74",
        'name="price" value="70"',
        'name="stock" value="20"',
        ">aata<",
        "more</span>",
    ):
        assert shown in first, shown
    assert "111 products" in page.text and "page 1 of 3" in page.text
    last = console.get("/merchant/catalog?page=3")
    assert (
        len(skus(last.text)) == 11 and 'rel="prev"' in last.text and 'rel="next"' not in last.text
    )


@pytest.mark.parametrize(
    ("query", "near_top"),
    [
        (
            "aata",
            {"STP-0012"},
        ),  # an alias, and the shoppers' search: the loose atta first, as the bot does
        ("ashirvaad aata", {"STP-0001"}),  # two misspellings: only the resolver finds it
        ("आटा", {"STP-0012"}),  # the Hindi name
        ("stp-0013", {"STP-0013"}),  # a SKU, whatever the case
        ("Amul", {"DRY-0001", "DRY-0023"}),  # a brand
        ("%%", set()),  # SQL wildcards are characters here, not "anything"
    ],
)
def test_search_finds_what_shoppers_and_merchants_type(
    console: Console, query: str, near_top: set[str]
) -> None:
    found = skus(console.get("/merchant/catalog", params={"q": query}).text)
    assert near_top <= set(found) and bool(found) == bool(near_top), found[:5]
    if query in ("aata", "आटा"):
        assert "STP-0001" in found and all(s.startswith("STP-") for s in found[:5])


def test_a_big_catalog_answers_with_plain_matches_while_its_index_is_built(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console_catalog.RANKERS, "build_inline_up_to", 0)
    page = console.get("/merchant/catalog", params={"q": "aata"})
    assert (
        'id="warming"' in page.text and skus(page.text)[0] == "STP-0001"
    )  # the alias, in shelf order
    deadline = time.monotonic() + 120
    while 'id="warming"' in page.text and time.monotonic() < deadline:
        time.sleep(0.1)
        page = console.get("/merchant/catalog", params={"q": "aata"})
    assert 'id="warming"' not in page.text and skus(page.text)[0] == "STP-0012"  # as the bot ranks


def test_the_aisle_filter_and_search_combine(console: Console) -> None:
    dairy = skus(console.get("/merchant/catalog", params={"category": "dairy-eggs"}).text)
    assert dairy and all(s.startswith("DRY-") for s in dairy)
    paneer = skus(
        console.get("/merchant/catalog", params={"category": "staples", "q": "paneer"}).text
    )
    assert paneer == []


def test_an_inline_edit_saves_exact_paise_and_reaches_the_bots_search(console: Console) -> None:
    before = version()
    api = console.client.get("/api/v1/catalog/products", params={"q": "aashirvaad atta"}).json()
    assert api["items"][0]["price_paise"] == 7000  # the shoppers' index is built and cached
    response = console.post(
        "/merchant/catalog/products/STP-0001",
        {
            "price": "69.90",
            "stock": "20",
            "seen_price": "7000",
            "seen_stock": "20",
            "back": "/merchant/catalog?q=atta",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/merchant/catalog?q=atta&notice=STP-0001")
    assert price_of("STP-0001") == 6990 and version() == before + 1
    api = console.client.get("/api/v1/catalog/products", params={"q": "aashirvaad atta"}).json()
    assert api["items"][0]["price_paise"] == 6990
    page = console.get(response.headers["location"])
    assert "price ₹70 → ₹69.90" in page.text
    assert (
        'name="back" value="/merchant/catalog?q=atta"' in page.text
    )  # the next edit's message will be its own


@pytest.mark.parametrize(
    ("price", "stock", "says"),
    [
        ("80", "20", "above the MRP ₹74"),
        ("69.999", "20", "more than 2 decimals"),
        ("0", "20", "more than ₹0"),
        ("70", "-3", "cannot be negative"),
        ("70", "ten", "not a whole number"),
    ],
)
def test_bad_edits_say_why_and_change_nothing(
    console: Console, price: str, stock: str, says: str
) -> None:
    before = version()
    response = console.post(
        "/merchant/catalog/products/STP-0001",
        {"price": price, "stock": stock, "seen_price": "7000", "seen_stock": "20"},
    )
    assert response.status_code == 303
    page = console.get(response.headers["location"])
    assert says in page.text and 'role="alert"' in page.text
    assert (price_of("STP-0001"), stock_of("STP-0001"), version()) == (7000, 20, before)


def test_an_edit_of_an_unknown_sku_is_refused(console: Console) -> None:
    response = console.post("/merchant/catalog/products/NOPE-1", {"price": "1", "stock": "1"})
    assert response.status_code == 404 and "no product" in response.json()["detail"]


def test_the_export_reads_back_through_the_cli_unchanged(console: Console, tmp_path: Path) -> None:
    response = console.get("/merchant/catalog/export.csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert re.match(
        r'attachment; filename="default-catalog-\d{4}-\d\d-\d\d\.csv"',
        response.headers["content-disposition"],
    )
    path = tmp_path / "export.csv"
    path.write_bytes(response.content)
    with session_scope() as s:
        products, _ = shop_catalog(s, s.scalar(select(Shop.id).where(Shop.slug == "default")))
    assert [
        (p.sku, p.price_paise, p.stock, p.aliases) for p in read_shop_catalog(path).products
    ] == [(p.sku, p.price_paise, p.stock, p.aliases) for p in products]
    result = CliRunner().invoke(cli, ["catalog", "import", str(path), "--format", "shop"])
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 111 unchanged, 0 rejected" in result.output
    with session_scope() as s:  # an export names no aisles: importing it renames none
        assert s.scalar(select(Category.name_hi).where(Category.slug == "staples")) == "आटा और राशन"
    again = console.get(preview_url(console, response.content))
    assert (
        re.search(r'id="count-unchanged">111<', again.text)
        and "This file changes nothing" in again.text
    )


def test_an_import_is_previewed_then_applied_as_previewed(console: Console) -> None:
    rows = exported_rows(console)
    rows[0]["price_paise"] = "6800"
    rows[1]["mrp_paise"] = "100"  # below its price: rejected
    data = csv_bytes([*rows[:3], row()])
    url = preview_url(console, data)
    page = console.get(url)
    counts = {k: int(v) for k, v in re.findall(r'id="count-(\w+)">([\d,]+)<', page.text)}
    assert counts == {"new": 1, "changed": 1, "unchanged": 1, "rejected": 1}
    assert re.search(
        r'<td class="num">3</td><td>pack_size must be positive, stock and price not negative, mrp &gt;= price',
        page.text,
    )
    changed = page.text[page.text.index('<table class="changed">') :]
    assert 'data-sku="STP-0001"' in changed and re.search(
        r'₹70</span> → <span class="new">₹68', changed
    )
    assert 'data-sku="STP-9001"' in page.text[page.text.index('<table class="new-products">') :]
    assert price_of("STP-0001") == 7000  # a preview changes nothing
    before = version()
    report = applied(console, url)
    assert "✅ Applied" in report and re.search(
        r"<strong>1</strong> products added, <strong>1</strong> changed", report
    )
    assert price_of("STP-0001") == 6800 and version() == before + 1
    assert skus(console.get("/merchant/catalog", params={"q": "kinwa"}).text)[0] == "STP-9001"
    assert (
        console.client.get("/api/v1/catalog/products", params={"q": "quinoa"}).json()["items"][0][
            "sku"
        ]
        == "STP-9001"
    )
    rejected = console.get(f"{url}/rejected.csv")
    lines = list(csv.reader(io.StringIO(rejected.text)))
    assert lines[0][:3] == ["line", "reason", "sku"] and lines[1][:3] == [
        "3",
        lines[1][1],
        "STP-0002",
    ]
    assert "already applied" in console.get(console.post(f"{url}/apply").headers["location"]).text


def test_applying_is_refused_when_the_catalog_moved_since_the_preview(console: Console) -> None:
    rows = exported_rows(console)[:2]
    rows[0]["price_paise"] = "6800"
    url = preview_url(console, csv_bytes(rows))
    console.post(
        "/merchant/catalog/products/STP-0002",
        {  # stock of a product in the file moves
            "price": "299",
            "stock": "5",
            "seen_price": "29900",
            "seen_stock": "20",
        },
    )
    report = applied(console, url)
    assert "Not applied" in report and "the catalog changed since this preview" in report
    assert (price_of("STP-0001"), stock_of("STP-0002")) == (7000, 5)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("catalog.xlsx", b"PK\x03\x04 a workbook", "not a CSV file but an Excel workbook"),
        (
            "catalog.csv",
            ",".join(SHOP_COLUMNS).encode() + b"\nA,b,Caf\xe9,,,staples,1,g,1,1,1,\n",
            "not UTF-8 text",
        ),
        ("catalog.csv", b"item,rate\natta,70\n", "unknown header (item, rate)"),
    ],
)
def test_unreadable_uploads_are_refused_with_the_reason(
    console: Console, name: str, data: bytes, says: str
) -> None:
    response = upload(console, data, name)
    assert response.status_code == 422 and says in response.text and name in response.text
    assert 'enctype="multipart/form-data"' in response.text  # the form again, to try another file


def test_an_upload_needs_a_file(console: Console) -> None:
    response = console.post("/merchant/catalog/import", {"format": "shop"})
    assert response.status_code == 422 and "Choose a CSV file" in response.text


def test_a_discarded_or_unknown_upload_is_gone(console: Console) -> None:
    url = preview_url(console, csv_bytes([row()]))
    assert console.post(f"{url}/discard").status_code == 303
    for response in (
        console.get(url),
        console.post(f"{url}/apply"),
        console.get("/merchant/catalog/import/" + "x" * 24),
    ):
        assert response.status_code == 404 and "upload the file again" in response.text
    assert console.client.get("/api/v1/catalog/products/STP-9001").status_code == 404


def test_a_bigbasket_slice_previews_and_applies(console: Console, tmp_path: Path) -> None:
    source = shared_path("catalog", "bigbasket_products.csv")
    data = "".join(source.read_text("utf-8").splitlines(keepends=True)[:2001]).encode()
    path = tmp_path / "slice.csv"
    path.write_bytes(data)
    cli = read_bigbasket(path, changes._seed_kinds(SEED, SEED.stat().st_mtime_ns))
    url = preview_url(console, data)
    page = console.get(url)
    assert "BigBasket export" in page.text and "2,000 rows" in page.text
    assert re.search(rf'id="count-new">{len(cli.products):,}<', page.text)
    assert re.search(rf'id="count-rejected">{len(cli.rejections)}<', page.text)
    assert "duplicate of line" in page.text
    report = applied(console, url)
    assert f"<strong>{len(cli.products):,}</strong> products added" in report
    assert (
        skus(console.get("/merchant/catalog", params={"q": "bb-00002"}).text)[0] == "BB-00002"
    )  # exact SKU first


@pytest.fixture
def shop_b(console: Console) -> tuple[Console, int]:
    """A second shop with a product of the same SKU as the first shop's atta, and its merchant."""
    with session_scope() as s:
        shop = ensure_shop(s, "other", "Other Kirana")
        seed = read_shop_catalog(SEED)
        load_catalog(
            s,
            shop,
            CatalogFile(
                products=[p for p in seed.products if p.sku in ("STP-0001", "BEV-0001")],
                categories=seed.categories,
            ),
        )
        shop_id = shop.id
    make_merchant(shop_id, "bina")
    other = TestClient(console.client.app, base_url="http://127.0.0.1")
    assert log_in(other, "bina").status_code == 303
    return Console(other, "bina", session_csrf("bina")), shop_id


def b_price(shop_id: int, sku: str) -> int:
    with session_scope() as s:
        return s.scalar(
            select(Product.price_paise).where(Product.shop_id == shop_id, Product.sku == sku)
        )


def test_one_shop_never_sees_or_changes_anothers_catalog(
    console: Console, shop_b: tuple[Console, int]
) -> None:
    b, b_id = shop_b
    assert skus(b.get("/merchant/catalog").text) == ["STP-0001", "BEV-0001"]
    assert skus(b.get("/merchant/catalog", params={"q": "paneer"}).text) == []
    assert "DRY-0001" not in skus(b.get("/merchant/catalog", params={"q": "DRY-0001"}).text)
    b.post(
        "/merchant/catalog/products/STP-0001",
        {"price": "65", "stock": "20", "seen_price": "7000", "seen_stock": "20"},
    )
    assert (b_price(b_id, "STP-0001"), price_of_default("STP-0001")) == (6500, 7000)
    response = b.post(
        "/merchant/catalog/products/DRY-0001",
        {"price": "1", "stock": "0", "seen_price": "2800", "seen_stock": "20"},
    )
    assert response.status_code == 404 and stock_of_default("DRY-0001") == 20
    assert [r["sku"] for r in exported_rows(b)] == ["STP-0001", "BEV-0001"]
    url = preview_url(console, csv_bytes([row()]))  # shop A's upload: unknown to shop B
    for response in (
        b.get(url),
        b.post(f"{url}/apply"),
        b.post(f"{url}/discard"),
        b.get(f"{url}/rejected.csv"),
    ):
        assert response.status_code == 404
    assert console.get(url).status_code == 200
    b_url = preview_url(b, csv_bytes([row(sku="STP-0001", price_paise="6000")]))
    assert "applied" in applied(b, b_url).lower()
    assert (b_price(b_id, "STP-0001"), price_of_default("STP-0001")) == (6000, 7000)


def price_of_default(sku: str) -> int:
    return b_price(default_id(), sku)


def stock_of_default(sku: str) -> int:
    with session_scope() as s:
        return s.scalar(
            select(Product.stock).where(Product.shop_id == default_id(), Product.sku == sku)
        )


def default_id() -> int:
    with session_scope() as s:
        return s.scalar(select(Shop.id).where(Shop.slug == "default"))
