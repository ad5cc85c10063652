"""The catalog import in a real browser (headless Debian Chromium through Playwright) against a
real uvicorn server: a merchant logs in, uploads a CSV with one new product, one price change
and one bad row, reads the preview (the bad row with its line and reason), applies it, and
finds the new product by the name shoppers use. The preview is docs/console-catalog-import.png."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from bot.catalog.sources import SHOP_COLUMNS, CatalogFile
from tests.api.console.conftest import PASSWORD, make_merchant
from tests.browser import DOCS, SHOTS
from tests.shop import LiveServer, price_of

CHROMIUM = "/usr/bin/chromium"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
if not shutil.which(CHROMIUM):
    pytest.skip(
        f"{CHROMIUM} is absent: `make install` installs Debian's chromium", allow_module_level=True
    )


def merchant_csv(path: Path, seed_catalog: CatalogFile) -> Path:
    atta = next(p for p in seed_catalog.products if p.sku == "STP-0001")
    rows = [
        {
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
        },
        {
            "sku": atta.sku,
            "kind": atta.kind,
            "name": atta.name,
            "name_hi": atta.name_hi,
            "brand": atta.brand,
            "category": atta.category,
            "pack_size": str(atta.pack_size),
            "pack_unit": atta.pack_unit,
            "mrp_paise": str(atta.mrp_paise),
            "price_paise": "6800",
            "stock": "20",
            "aliases": "|".join(atta.aliases),
        },
        {
            "sku": "STP-9002",
            "kind": "sugar",
            "name": "Brown Sugar",
            "name_hi": "",
            "brand": "",
            "category": "staples",
            "pack_size": "1",
            "pack_unit": "kg",
            "mrp_paise": "9000",
            "price_paise": "8500",
            "stock": "5",
            "aliases": "",
        },
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, SHOP_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_merchant_imports_a_csv_after_reading_its_preview(
    live_server: LiveServer, shop_id: int, seed_catalog: CatalogFile, tmp_path: Path
) -> None:
    make_merchant(shop_id, "asha")
    upload = merchant_csv(tmp_path / "new-prices.csv", seed_catalog)
    SHOTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("dialog", lambda dialog: dialog.accept())  # "Apply 1 new and 1 changed products?"
        page.goto(f"{live_server.url}/merchant/catalog")
        page.fill("input[name=username]", "asha")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/merchant/catalog$"))
        assert page.locator("tr[data-sku]").count() == 50

        page.click("text=Import CSV")
        page.set_input_files("input[name=file]", str(upload))
        page.click("text=Upload and preview")
        page.wait_for_selector("#count-new")
        assert [
            page.inner_text(f"#count-{k}") for k in ("new", "changed", "unchanged", "rejected")
        ] == ["1", "1", "0", "1"]
        rejected = page.locator("table.rejected tbody tr").first.inner_text()
        assert rejected.startswith("4") and "pack_unit must be g, ml or pc, not 'kg'" in rejected
        change = page.locator("table.changed tr[data-sku=STP-0001]").inner_text()
        assert re.search(r"price:\s*₹70\s*→\s*₹68", change), change
        assert price_of("STP-0001") == 7000
        page.screenshot(path=str(DOCS / "console-catalog-import.png"), full_page=True)

        page.click("#apply")
        page.wait_for_selector("text=✅ Applied", timeout=60_000)
        assert "1 products added, 1 changed" in page.inner_text("#result")
        page.screenshot(path=str(SHOTS / "console-catalog-applied.png"), full_page=True)

        page.click("text=Back to the catalog")
        page.fill("input[name=q]", "kinwa")
        page.press("input[name=q]", "Enter")
        page.wait_for_url(re.compile(r"q=kinwa"))
        first = page.locator("tr[data-sku]").first
        assert (
            first.get_attribute("data-sku") == "STP-9001"
            and "Organic White Quinoa" in first.inner_text()
        )
        assert first.locator("input[name=price]").input_value() == "259"
        page.screenshot(path=str(SHOTS / "console-catalog-search.png"), full_page=True)

        first.locator("input[name=price]").fill("249.50")  # the inputs belong to the row's own form
        first.locator("button", has_text="Save").click()
        page.wait_for_selector("text=STP-9001: price ₹259 → ₹249.50")
        assert page.locator("tr[data-sku=STP-9001] input[name=price]").input_value() == "249.50"
        browser.close()
    assert (price_of("STP-0001"), price_of("STP-9001")) == (6800, 24950)
