"""Two shops on one deployment, through the webhook with the real assistant: each business
number's messages are carted from its own catalog and answered from its own number (with its
own token), the same shopper has a cart and a conversation per shop, and a message to a number
no shop owns is kept, flagged and answered nowhere."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select, update

from api.simulator import webhooks
from bot.cart import service as carts
from bot.cart.model import CartView
from bot.catalog.sources import read_shop_catalog
from bot.catalog.store import load_catalog
from bot.db.models import Product
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.settings import PROJECT_ROOT
from bot.shops.directory import by_slug, create_shop
from tests.api.whatsapp.support import (
    ACCESS_TOKEN,
    PHONE_NUMBER_ID,
    FakeGraph,
    Gateway,
    choose,
    gateway_env,
    inbox_settled,
)
from tests.processes import ENGINE_GROUP, Assistant
from tests.shop import free_port, load_shop

pytestmark = ENGINE_GROUP
DAIRY_NUMBER = "200000000000002"
DAIRY_TOKEN = "dairy-own-access-token"
MARKUP_PAISE = 1000  # the dairy sells the same packs ₹10 dearer
UNKNOWN_NUMBER = "300000000000003"


@pytest.fixture(scope="session")
def shops_graph() -> Iterator[FakeGraph]:
    server = FakeGraph()
    yield server
    server.close()


@pytest.fixture(scope="session")
def two_shops(
    assistant: Assistant, shops_graph: FakeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    """The default shop with the whole catalog on the platform's number, and "dudh", a dairy
    with its own number, token and dearer prices, selling only dairy and eggs."""
    load_shop(assistant.database_url)
    with session_scope(assistant.database_url, write=True) as s:
        dairy = by_slug(s, "dudh") or create_shop(
            s, "dudh", "Dudh Dairy", DAIRY_NUMBER, access_token=DAIRY_TOKEN
        )
        load_catalog(
            s, dairy, read_shop_catalog(PROJECT_ROOT / "data/catalog/products/dairy-eggs.csv")
        )
        s.execute(
            update(Product)
            .where(Product.shop_id == dairy.id)
            .values(
                stock=50,
                mrp_paise=Product.mrp_paise + MARKUP_PAISE,
                price_paise=Product.price_paise + MARKUP_PAISE,
            )
        )
        dairy.catalog_version += 1
    gw = Gateway(
        gateway_env(assistant.database_url, shops_graph.url, assistant.url),
        free_port(),
        tmp_path_factory.mktemp("shops-gateway"),
    ).start()
    yield gw
    gw.stop()


@pytest.fixture(autouse=True)
def processing(two_shops: Gateway) -> None:
    two_shops.resume()


class Chat:
    """A shopper writing to one business number."""

    def __init__(self, gw: Gateway, graph: FakeGraph, number: str, wa_id: str) -> None:
        self.gw, self.graph, self.number, self.wa_id = gw, graph, number, wa_id

    def _send(self, payload: dict) -> list[dict]:
        before = len(self._requests())
        assert self.gw.post(payload).status_code == 200
        assert inbox_settled(self.gw.database_url)
        return [r["body"] for r in self._requests()[before:]]

    def _requests(self) -> list[dict]:
        """Messages to this shopper from this number."""
        return [r for r in to_shopper(self.graph, self.wa_id) if number_of(r) == self.number]

    def say(self, text: str) -> list[dict]:
        """Say it, and tap the first offer of every "which one?" that follows."""
        replies = self._send(webhooks.text(self.number, self.wa_id, text, "Asha"))
        everything = list(replies)
        for _ in range(3):
            if not replies or replies[-1]["type"] != "interactive":
                break
            kind, reply_id, title = choose(replies[-1])
            replies = self._send(webhooks.reply(self.number, self.wa_id, kind, reply_id, title))
            everything += replies
        return everything


def to_shopper(graph: FakeGraph, wa_id: str) -> list[dict]:
    return [r for r in graph.requests if r["body"].get("to") == wa_id and r["body"].get("type")]


def number_of(request: dict) -> str:
    return request["path"].split("/")[2]


def cart(database_url: str, slug: str, wa_id: str) -> CartView:
    with session_scope(database_url) as s:
        shop = by_slug(s, slug)
        assert shop is not None
        return carts.view(s, shop.id, wa_id)


def test_one_shopper_talks_to_two_shops_at_once_with_two_carts(
    two_shops: Gateway, shops_graph: FakeGraph, assistant: Assistant
) -> None:
    wa_id = "919800014001"
    kirana = Chat(two_shops, shops_graph, PHONE_NUMBER_ID, wa_id)
    dairy = Chat(two_shops, shops_graph, DAIRY_NUMBER, wa_id)
    db = assistant.database_url

    assert kirana.say("2 kg atta")
    assert dairy.say("1 dozen eggs")
    assert dairy.say("2 kg atta")  # the dairy sells no atta: nothing goes in

    at_kirana = cart(db, "default", wa_id)
    at_dairy = cart(db, "dudh", wa_id)
    assert [ln.name for ln in at_kirana.lines if "tta" in ln.name] and not [
        ln for ln in at_kirana.lines if "Egg" in ln.name
    ]
    assert at_dairy.lines and all("tta" not in ln.name for ln in at_dairy.lines)
    with session_scope(db) as s:
        shop = by_slug(s, "dudh")
        assert shop is not None
        for line in at_dairy.lines:
            product = s.scalar(
                select(Product).where(Product.shop_id == shop.id, Product.sku == line.sku)
            )
            assert product is not None and line.unit_price_paise == product.price_paise
            default_price = s.scalar(
                select(Product.price_paise).where(
                    Product.shop_id != shop.id, Product.sku == line.sku
                )
            )
            assert default_price is None or line.unit_price_paise == default_price + MARKUP_PAISE

    # each shop answers from its own number, the dairy with its own token
    assert {(number_of(r), r["auth"]) for r in to_shopper(shops_graph, wa_id)} == {
        (PHONE_NUMBER_ID, f"Bearer {ACCESS_TOKEN}"),
        (DAIRY_NUMBER, f"Bearer {DAIRY_TOKEN}"),
    }

    # and the engine holds one conversation per shop
    def user_turns(sender: str) -> int:
        events = httpx.get(
            f"{assistant.url}/conversations/{sender}/tracker",
            params={"include_events": "ALL"},
            timeout=30,
        ).json()["events"]
        return sum(1 for e in events if e.get("event") == "user")

    assert user_turns(wa_id) >= 1 and user_turns(f"{wa_id}@dudh") >= 2


def test_a_message_to_a_number_no_shop_owns_is_kept_and_answered_nowhere(
    two_shops: Gateway, shops_graph: FakeGraph, assistant: Assistant
) -> None:
    wa_id = "919800014002"
    payload = webhooks.text(UNKNOWN_NUMBER, wa_id, "2 kg atta", "Asha")
    assert two_shops.post(payload).status_code == 200
    assert inbox_settled(assistant.database_url)
    with session_scope(assistant.database_url) as s:
        rows = s.scalars(select(WhatsAppInbox).where(WhatsAppInbox.wa_id == wa_id)).all()
    assert [(r.state, r.outcome, r.phone_number_id) for r in rows] == [
        ("done", "unknown_number", UNKNOWN_NUMBER)
    ]
    assert not [r for r in shops_graph.requests if r["body"].get("to") == wa_id]
    assert not [r for r in shops_graph.requests if UNKNOWN_NUMBER in r["path"]]
