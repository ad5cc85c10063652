"""The review queue in a real browser (headless Debian Chromium through Playwright) against a
real uvicorn server: log in, find "desi khand" (which the bot could not place), search the shelf
for it, map it to loose sugar — then the real `chatcart parse` command, run against the same
database, resolves "2 kg desi khand" to that sugar. Screenshot: docs/console-review.png."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db.session import session_scope
from bot.review.service import record
from bot.settings import PROJECT_ROOT
from tests.api.console.conftest import PASSWORD, make_merchant
from tests.browser import DOCS
from tests.shop import LiveServer, start_server, stop_server

CHROMIUM = "/usr/bin/chromium"
SUGAR = "STP-0029"  # Sugar (loose) 1 kg
CHATCART = Path(sys.executable).parent / "chatcart"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
if not shutil.which(CHROMIUM):
    pytest.skip(
        f"{CHROMIUM} is absent: `make install` installs Debian's chromium", allow_module_level=True
    )


def parse(database_url: str, text: str) -> dict:
    """The real command line, in its own process, on the shop's database."""
    done = subprocess.run(
        [str(CHATCART), "parse", "--json", text],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        check=False,  # the return code is asserted with the output
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _a_week_of_misunderstandings(shop_id: int) -> None:
    with session_scope(write=True) as s:
        for i, (text, language) in enumerate(
            [
                ("2 kg desi khand", "hinglish"),
                ("desi khand 1 kilo", "hinglish"),
                ("2 kg Desi Khand", "en"),
                ("2 kg desi khand", "hinglish"),
            ]
        ):
            record(
                s,
                shop_id,
                kind="unmatched",
                text=text,
                language=language,
                conversation_id=f"91982001000{i}",
                details={"message": f"{text} bhej do", "candidates": []},
            )
        for text, kind, language, prediction in [
            ("kya aap sunday ko khule ho", "fallback", "hinglish", "help"),
            ("kya aap sunday ko khule ho", "low_confidence", "hinglish", "greet"),
            ("bill ka photo bhejo", "fallback", "hinglish", "order_status"),
            ("do you deliver to powai", "low_confidence", "en", "checkout"),
            ("nahi mera matlab dahi tha", "correction", "hinglish", "deny"),
        ]:
            record(
                s,
                shop_id,
                kind=kind,
                text=text,
                language=language,
                prediction=prediction,
                confidence=0.41,
                conversation_id="919820020000",
            )


@pytest.fixture
def console_server(shop_id: int, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(
        database_url,
        tmp_path / "uvicorn.log",
        EXPIRE_UNPAID_EVERY_SECONDS="0",
        WHATSAPP_OUTBOX_EVERY_SECONDS="0",
    )
    yield server
    stop_server(server)


def test_map_a_misunderstood_term_and_the_next_parse_resolves_it(
    shop_id: int, database_url: str, console_server: LiveServer
) -> None:
    make_merchant(shop_id, "owner")
    _a_week_of_misunderstandings(shop_id)
    before = parse(database_url, "2 kg desi khand")["lines"][0]
    assert before["status"] == "unmatched"
    DOCS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{console_server.url}/merchant/review")
        assert "/merchant/login" in page.url
        page.fill("input[name=username]", "owner")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("h1:has-text('Review queue')")
        group = page.locator("article.group").first
        assert group.get_attribute("data-text") == "2 kg desi khand"
        assert group.locator(".count").inner_text() == "3×"
        assert page.locator("article.group[data-text='desi khand 1 kilo']").count() == 1

        group.locator("input[type=search]").fill("sugar")
        group.locator("button:has-text('Map to a product')").click()
        page.wait_for_selector("#search-results")
        assert page.locator("#term").input_value() == "desi khand"
        page.check(f"#search-results input[value={SUGAR}]")
        page.click("#map-form button[type=submit]")
        page.wait_for_selector(".flash.notice")
        assert (
            "“desi khand” now means Sugar (loose) 1 kg"
            in page.locator(".flash.notice").inner_text()
        )
        assert page.locator("article.group[data-text='2 kg desi khand']").count() == 0
        assert (
            page.locator("article.group[data-text='desi khand 1 kilo']").count() == 0
        )  # the same item
        assert page.locator("#group-count").inner_text() == "4 groups."
        assert "Owner" in page.locator("#recent-actions li").first.inner_text()
        assert "4 messages" in page.locator("#recent-actions li").first.inner_text()
        page.screenshot(path=str(DOCS / "console-review.png"), full_page=True)
        browser.close()

    after = parse(database_url, "2 kg desi khand")["lines"][0]
    assert (after["status"], after["product"]["sku"], after["quantity"], after["unit"]) == (
        "matched",
        SUGAR,
        2000,
        "g",
    )
