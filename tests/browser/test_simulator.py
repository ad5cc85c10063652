"""The simulator in a real browser (headless Debian Chromium through Playwright): a shopper
orders "2 kg atta and milk" to a placed order, tapping list rows and reply buttons. The page
posts signed webhooks to the gateway; replies come back through the Graph API capture endpoint
— the production path. Screenshots go to tests/browser/screenshots/."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import meta_openapi
from tests.api.whatsapp.support import Gateway, gateway_env
from tests.processes import ENGINE_GROUP, Assistant
from tests.shop import free_port, load_shop

pytestmark = ENGINE_GROUP
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).parent / "screenshots"
ADDRESS = "Flat 302, Shanti Apartments, Andheri East, Mumbai 400069"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
if not shutil.which(CHROMIUM):
    pytest.skip(
        f"{CHROMIUM} is absent: `make install` installs Debian's chromium", allow_module_level=True
    )


@pytest.fixture(scope="module")
def simulator(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API and the WhatsApp worker in development mode: no WhatsApp credentials, so the
    worker sends to the API's capture endpoint."""
    load_shop(assistant.database_url)
    port = free_port()
    env = gateway_env(
        assistant.database_url,
        "",
        assistant.url,
        ENVIRONMENT="development",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )
    for key in (
        "WHATSAPP_GRAPH_URL",
        "WHATSAPP_ACCESS_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
        "WHATSAPP_PHONE_NUMBER_ID",
    ):
        env.pop(key)
    gw = Gateway(
        env, port, tmp_path_factory.mktemp("sim"), prefix="test-sim-"
    ).start()  # the API and the worker
    yield gw.url
    gw.stop()


def test_order_2_kg_atta_and_milk_in_the_simulator(simulator: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 900, "height": 820})
        page.goto(f"{simulator}/simulator")
        page.fill("#wa-id", "919811112222")
        page.dispatch_event("#wa-id", "change")

        def incoming() -> int:
            return page.locator(".bubble.in").count()

        def send(text: str) -> None:
            n = incoming()
            page.fill("#message", text)
            page.click("#send")
            page.wait_for_function(
                f"document.querySelectorAll('.bubble.in').length > {n}", timeout=60_000
            )
            page.wait_for_timeout(700)

        def last_text() -> str:
            return page.locator(".bubble.in").last.inner_text()

        send("2 kg atta and milk")
        page.screenshot(path=str(SHOTS / "01-which-atta.png"))
        prefer = re.compile(r"cash|yes|checkout", re.I)
        for step in range(14):
            if re.search(r"Order #\d+", page.locator("#chat").inner_text()):
                break
            n = incoming()
            last = page.locator(".bubble.in").last
            if last.locator(".list-open").count():
                last.locator(".list-open").click()
                page.screenshot(path=str(SHOTS / f"02-list-{step}.png"))
                page.locator("#sheet-rows li").first.click()
            elif (
                page.locator(".buttons").count()
                and page.locator(".buttons").last.locator("button:not([disabled])").count()
            ):
                buttons = page.locator(".buttons").last.locator("button")
                titles = buttons.all_inner_texts()
                index = next((i for i, t in enumerate(titles) if prefer.search(t)), 0)
                buttons.nth(index).click()
            elif re.search(r"address|PIN", last_text(), re.I):
                send(ADDRESS)
                continue
            else:
                send("checkout")
                continue
            page.wait_for_function(
                f"document.querySelectorAll('.bubble.in').length > {n}", timeout=60_000
            )
            page.wait_for_timeout(700)
        chat = page.locator("#chat").inner_text()
        page.screenshot(path=str(SHOTS / "03-order-placed.png"))
        assert re.search(r"Order #\d+", chat), chat
        assert (
            page.locator(".ticks.read").count() > 0
        )  # the gateway marked the shopper's messages read
        browser.close()
    if meta_openapi.available():
        feed = httpx.get(
            f"{simulator}/simulator/api/feed", params={"wa_id": "919811112222"}, timeout=10
        ).json()["events"]
        sent = [e["body"] for e in feed if e["kind"] == "message"]
        refused = {json.dumps(b): found for b in sent if (found := meta_openapi.problems(b))}
        assert sent and not refused, refused  # what the gateway sent, as Meta describes it
