"""The simulator in a real browser (headless Debian Chromium through Playwright): a shopper
orders "2 kg atta and milk" to a placed order, tapping list rows and reply buttons, and another
sends a photo of a shopping list with 📷. The page posts signed webhooks to the gateway;
replies come back through the Graph API capture endpoint — the production path. Screenshots go
to tests/browser/screenshots/.

A step is over when the gateway has nothing left to do and the page shows every message the
feed holds: never after a fixed pause, which a busy machine outlasts."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.cart import service as carts
from bot.db.models import Shop
from bot.db.session import session_scope
from tests import meta_openapi
from tests.api.whatsapp.support import Gateway, gateway_env, inbox_settled
from tests.processes import ENGINE_GROUP, Assistant
from tests.shop import free_port, load_shop

pytestmark = ENGINE_GROUP
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).parent / "screenshots"
ADDRESS = "Flat 302, Shanti Apartments, Andheri East, Mumbai 400069"
LISTS = Path(__file__).parents[2] / "data" / "eval" / "lists"

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
    yield Simulator(gw.url, assistant.database_url)
    gw.stop()


class Simulator:
    def __init__(self, url: str, database_url: str) -> None:
        self.url, self.database_url = url, database_url

    def feed(self, wa_id: str) -> list[dict]:
        answer = httpx.get(f"{self.url}/simulator/api/feed", params={"wa_id": wa_id}, timeout=10)
        return list(answer.json()["events"])

    def settle(self, page: Any, wa_id: str, more_than: int) -> None:
        """Wait for a reply past the `more_than` bubbles shown, then for the gateway to finish
        the turn and the page to show all the feed holds."""
        page.wait_for_function(
            f"document.querySelectorAll('.bubble.in').length > {more_than}", timeout=90_000
        )
        assert inbox_settled(self.database_url)
        shown = sum(1 for e in self.feed(wa_id) if e["kind"] == "message")
        page.wait_for_function(
            f"document.querySelectorAll('.bubble.in').length >= {shown}", timeout=30_000
        )


def test_order_2_kg_atta_and_milk_in_the_simulator(simulator: Simulator) -> None:
    SHOTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 900, "height": 820})
        page.goto(f"{simulator.url}/simulator")
        page.fill("#wa-id", "919811112222")
        page.dispatch_event("#wa-id", "change")

        def incoming() -> int:
            return page.locator(".bubble.in").count()

        def send(text: str) -> None:
            n = incoming()
            page.fill("#message", text)
            page.click("#send")
            simulator.settle(page, "919811112222", n)

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
            if last.locator(".list-open").count() and re.search(
                r"different one", last_text(), re.I
            ):
                send("checkout")  # the bot's pick, offered for a change: keep it
                continue
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
            simulator.settle(page, "919811112222", n)
        chat = page.locator("#chat").inner_text()
        page.screenshot(path=str(SHOTS / "03-order-placed.png"))
        assert re.search(r"Order #\d+", chat), chat
        assert (
            page.locator(".ticks.read").count() > 0
        )  # the gateway marked the shopper's messages read
        browser.close()
    if meta_openapi.available():
        sent = [e["body"] for e in simulator.feed("919811112222") if e["kind"] == "message"]
        refused = {json.dumps(b): found for b in sent if (found := meta_openapi.problems(b))}
        assert sent and not refused, refused  # what the gateway sent, as Meta describes it


def test_a_photo_of_a_list_sent_with_the_camera_button_is_read_into_the_cart(
    simulator: Simulator,
) -> None:
    """📷 with a printed list from the evaluation set: the bot says what it read, as cart
    lines, and the items are in the shopper's cart."""
    photo = LISTS / "latin-printed-01-clean.png"
    wa_id = "919811113333"
    SHOTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 900, "height": 820})
        page.goto(f"{simulator.url}/simulator")
        page.fill("#wa-id", wa_id)
        page.dispatch_event("#wa-id", "change")
        page.set_input_files("#photo-file", str(photo))
        assert page.locator(".bubble.out img.photo").count() == 1  # the photo, shown as sent
        simulator.settle(page, wa_id, 0)
        page.screenshot(path=str(SHOTS / "04-photo-of-a-list.png"))
        chat = page.locator("#chat").inner_text()
        browser.close()
    assert re.search(r"I read \d+ (items|lines)", chat), chat
    for item in ("moong dal", "maida", "chai"):
        assert item in chat.lower(), (item, chat)
    with session_scope(simulator.database_url) as s:
        shop_id = s.scalar(select(Shop.id).where(Shop.slug == "default"))
        assert shop_id is not None
        names = " ".join(line.name.lower() for line in carts.view(s, shop_id, wa_id).lines)
    assert "moong" in names and "maida" in names, names
    sent = [e["body"] for e in simulator.feed(wa_id) if e["kind"] == "message"]
    if meta_openapi.available():
        refused = {json.dumps(b): found for b in sent if (found := meta_openapi.problems(b))}
        assert sent and not refused, refused
