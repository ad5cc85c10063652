"""Each planner on its own: a real database (the shop's catalog, the options a sent message
offered), a stand-in engine over HTTP answering the tracker's slots, and the fake Graph API
for media. A planner writes nothing; `commit` stores its plan with the row's move."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

import pytest
from sqlalchemy import select

from api.simulator import webhooks
from api.whatsapp import inbox, render
from api.whatsapp.graph import GraphClient
from api.whatsapp.inbox import InboxRow
from api.whatsapp.payloads import Message, Webhook
from api.whatsapp.plan import Context, Plan, commit
from api.whatsapp.planners import PLANNERS, plan
from bot.cart import service as carts
from bot.catalog.store import ensure_shop
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing
from bot.i18n import t
from bot.rasa_api import EngineClient
from bot.settings import Settings, get_settings
from tests.api.whatsapp.support import ACCESS_TOKEN, PHONE_NUMBER_ID, FakeGraph
from tests.loopback import JsonHandler, serve
from tests.shop import load_shop

SHOPPER = "919812300777"
ADDRESS_FORM = {
    "name": "Asha",
    "in_pin_code": "400069",
    "house_number": "Flat 302",
    "building_name": "Shanti Apartments",
    "landmark_area": "Andheri East",
    "city": "Mumbai",
}
Params = ParamSpec("Params")
Returned = TypeVar("Returned")


class Slots:
    """The engine's tracker, answering the slots a test sets."""

    def __init__(self) -> None:
        self.slots: dict[str, Any] = {}
        slots = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_json(200, {"slots": slots.slots, "events": []})

        self.server, self.url = serve(Handler)


@pytest.fixture
def engine() -> Iterator[Slots]:
    stand_in = Slots()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


async def _db(
    fn: Callable[Params, Returned], /, *args: Params.args, **kwargs: Params.kwargs
) -> Returned:
    return await asyncio.to_thread(fn, *args, **kwargs)


@pytest.fixture
def planning(database_url: str, engine: Slots, graph: FakeGraph) -> Callable[..., Plan]:
    """`planning(message, ocr=None)` → the plan for a message of SHOPPER."""
    load_shop(database_url)
    settings = get_settings()
    with session_scope(write=True) as s:
        shop_id = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name).id
    graph_settings = Settings(
        whatsapp_graph_url=graph.url,
        whatsapp_access_token=ACCESS_TOKEN,
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
    )

    def run(payload: dict[str, Any], ocr: str | None = "no Tesseract here") -> Plan:
        async def go() -> Plan:
            rasa, client = EngineClient(engine.url), GraphClient(graph_settings)
            try:
                ctx = Context(rasa, client, _db, lambda: shop_id, lambda: ocr)
                return await plan(ctx, row_of(payload), message_of(payload))
            finally:
                await rasa.aclose()
                await client.aclose()

        return asyncio.run(go())

    return run


def message_of(payload: dict[str, Any]) -> Message:
    [value] = Webhook.model_validate(payload).values()
    return value.messages[0]


def row_of(payload: dict[str, Any], row_id: int = 0) -> InboxRow:
    [fields] = inbox.rows_of(Webhook.model_validate(payload))
    return InboxRow(
        row_id,
        fields["key"],
        "message",
        fields["type"],
        fields["wa_id"],
        fields["phone_number_id"],
        fields["payload"],
        "pending",
        0,
        None,
        None,
    )


def said(text: str) -> tuple[render.Rendered, ...]:
    return tuple(render.text_messages(text))


def message(kind: str, content: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return webhooks.inbound(PHONE_NUMBER_ID, SHOPPER, "Asha", kind, content, **extra)


def address_form_reply(values: dict[str, str]) -> dict[str, Any]:
    """WhatsApp's address form as the shopper sends it back filled."""
    return {
        "type": "nfm_reply",
        "nfm_reply": {
            "name": "address_message",
            "body": "Sent",
            "response_json": json.dumps({"values": values}),
        },
    }


def test_every_message_type_we_read_has_its_planner() -> None:
    assert set(PLANNERS) == {
        "text",
        "interactive",
        "button",
        "location",
        "order",
        "image",
        "document",
        "system",
        "reaction",
    }


def test_text_goes_to_the_engine_as_typed_and_blank_text_is_answered(
    planning: Callable[..., Plan],
) -> None:
    assert planning(webhooks.text(PHONE_NUMBER_ID, SHOPPER, "2 kg atta")) == Plan(
        "text", forward="2 kg atta", customer=True
    )
    assert planning(webhooks.text(PHONE_NUMBER_ID, SHOPPER, "  ")) == Plan(
        "polite:text", said(t("wa_unsupported", "en"))
    )


def test_a_tapped_option_is_the_payload_its_message_offered(
    planning: Callable[..., Plan],
) -> None:
    choices = [
        {"title": f"{i}. Atta pack number {i}", "payload": f'/choose_option{{"choice":"SKU-{i}"}}'}
        for i in range(14)
    ]
    [offered] = render.render([{"text": "Which atta?", "buttons": choices}], "en")
    with session_scope(write=True) as s:
        s.add(
            WhatsAppOutgoing(
                wa_id=SHOPPER,
                phone_number_id=PHONE_NUMBER_ID,
                type=offered.type,
                body=offered.request(SHOPPER),
                options=offered.options,
                state="sent",
                wamid="wamid.OFFERED",
            )
        )
    rows = offered.content["action"]["sections"][0]["rows"]

    def tap(row: dict[str, Any]) -> Plan:
        return planning(
            webhooks.reply(
                PHONE_NUMBER_ID, SHOPPER, "list_reply", row["id"], row["title"], "wamid.OFFERED"
            )
        )

    assert tap(rows[2]) == Plan("payload", forward=choices[2]["payload"], customer=True)
    more = tap(rows[-1])
    assert more.outcome == "next_page" and more.forward is None
    assert more.replies == (
        render.list_page("Which atta?", choices, "en", offered.options["token"], 1),
    )
    stranger = {"id": "someone-else:3", "title": "Atta"}
    assert tap(stranger) == Plan("unknown_choice", forward="Atta", customer=True)
    assert planning(message("interactive", {"type": "nfm_reply"})).outcome == "polite:interactive"


def test_a_template_quick_reply_is_its_payload(planning: Callable[..., Plan]) -> None:
    tapped = message("button", {"payload": "/order_status", "text": "Where is my order?"})
    assert planning(tapped) == Plan("quick_reply", forward="/order_status", customer=True)


def test_a_location_is_the_address_only_while_checkout_asks_for_one(
    planning: Callable[..., Plan], engine: Slots
) -> None:
    shared = {
        "latitude": 19.1136,
        "longitude": 72.8697,
        "name": "Shanti Apartments",
        "address": "Andheri East, Mumbai 400069",
    }
    engine.slots = {"language": "hi"}
    assert planning(message("location", shared)) == Plan(
        "location_outside_checkout", said(t("wa_location_later", "hi"))
    )
    engine.slots = {"language": "en", "requested_slot": "address"}
    where = "Shanti Apartments, Andheri East, Mumbai 400069 (📍 19.113600, 72.869700)"
    assert planning(message("location", shared)) == Plan(
        "location_address", forward=where, customer=True
    )
    pinless = {**shared, "address": "Andheri East, Mumbai"}
    assert planning(message("location", pinless)).outcome == "location_without_pincode"


def test_a_catalog_order_fills_the_cart_with_the_plan(
    planning: Callable[..., Plan], engine: Slots
) -> None:
    engine.slots = {"language": "en"}
    lines = [
        {"product_retailer_id": "DRY-0002", "quantity": 2},
        {"product_retailer_id": "GONE-1", "quantity": 1},
        {"product_retailer_id": "DRY-0002", "quantity": 1},
    ]
    sent = message("order", {"catalog_id": "1", "product_items": lines})
    planned = planning(sent)
    assert planned == Plan(
        "order:1_lines",
        said(t("wa_order_unknown", "en", skus="GONE-1")),
        forward="/view_cart",
        packs=(("DRY-0002", 3),),
        customer=True,
    )
    nothing = message("order", {"catalog_id": "1", "product_items": lines[1:2]})
    assert planning(nothing) == Plan(
        "order_rejected", said(t("wa_order_unknown", "en", skus="GONE-1")), customer=True
    )
    row_id = stored(sent)
    commit(row_of(sent, row_id), planned, shop_id())
    with session_scope() as s:
        cart = carts.view(s, shop_id(), SHOPPER)
        row = s.get_one(WhatsAppInbox, row_id)
        first = s.scalars(select(WhatsAppOutgoing.seq).where(WhatsAppOutgoing.inbox_id == row_id))
        assert [(ln.sku, ln.count) for ln in cart.lines] == [("DRY-0002", 3)]
        assert (row.state, row.payload["forward"], list(first)) == (
            "forwarding",
            "/view_cart",
            [-1],
        )


def test_a_cart_the_shop_refuses_is_answered_and_not_forwarded(
    planning: Callable[..., Plan],
) -> None:
    too_many = get_settings().max_count_per_line + 1
    sent = message(
        "order", {"product_items": [{"product_retailer_id": "DRY-0002", "quantity": too_many}]}
    )
    planned = planning(sent)
    assert planned.packs == (("DRY-0002", too_many),)
    row_id = stored(sent)
    commit(row_of(sent, row_id), planned, shop_id())
    with session_scope() as s:
        row = s.get_one(WhatsAppInbox, row_id)
        bodies = [o.body["text"]["body"] for o in s.scalars(select(WhatsAppOutgoing))]
        assert (row.state, row.outcome, "forward" in row.payload) == (
            "replied",
            "order_rejected",
            False,
        )
        assert len(bodies) == 1 and bodies[0].startswith("Sorry, I couldn't add that cart")
        assert carts.view(s, shop_id(), SHOPPER).lines == ()


def test_reactions_notices_and_what_the_engine_cannot_read(planning: Callable[..., Plan]) -> None:
    target = {"message_id": "wamid.X"}
    assert planning(message("reaction", {**target, "emoji": "👍"})) == Plan(
        "polite:reaction", said(t("wa_reaction", "en"))
    )
    assert planning(message("reaction", target)) == Plan("unreaction")
    assert planning(
        message("system", {"body": "changed number", "type": "user_changed_number"})
    ) == Plan("system")
    assert planning(message("audio", {"id": "1", "mime_type": "audio/ogg"})) == Plan(
        "polite:audio", said(t("wa_unsupported_audio", "en"))
    )
    assert planning(message("sticker", {"id": "2"})).replies == said(
        t("wa_unsupported_sticker", "en")
    )
    picture = message("image", {"id": "3", "mime_type": "image/jpeg"})
    assert planning(picture, ocr="no Tesseract here") == Plan(
        "polite:image", said(t("wa_unsupported_image", "en"))
    )
    pdf = message("document", {"id": "4", "mime_type": "application/pdf"})
    assert planning(pdf, ocr=None).outcome == "polite:document"


def test_a_photo_the_graph_api_will_not_give_is_answered(planning: Callable[..., Plan]) -> None:
    """Photos can be read here, but Meta no longer has this one (the fake Graph API knows no
    media id 5): the shopper hears so, and nothing reaches the engine."""
    picture = message("image", {"id": "5", "mime_type": "image/jpeg"})
    assert planning(picture, ocr=None) == Plan("photo_refused", said(t("photo_failed", "en")))


def shop_id() -> int:
    settings = get_settings()
    with session_scope(write=True) as s:
        return ensure_shop(s, settings.default_shop_slug, settings.default_shop_name).id


def stored(payload: dict[str, Any]) -> int:
    [fields] = inbox.rows_of(Webhook.model_validate(payload))
    with session_scope(write=True) as s:
        row = WhatsAppInbox(**fields, state="pending", attempts=0)
        s.add(row)
        s.flush()
        return row.id


def test_a_filled_form_is_the_address_only_while_checkout_asks_for_one(
    planning: Callable[..., Plan], engine: Slots
) -> None:
    engine.slots = {"language": "hinglish"}
    assert planning(message("interactive", address_form_reply(ADDRESS_FORM))) == Plan(
        "address_outside_checkout", said(t("wa_location_later", "hinglish"))
    )
    engine.slots = {"language": "en", "requested_slot": "address"}
    assert planning(message("interactive", address_form_reply(ADDRESS_FORM))) == Plan(
        "address_form",
        forward="Flat 302, Shanti Apartments, Andheri East, Mumbai 400069",
        customer=True,
    )
    pinless = {**ADDRESS_FORM, "in_pin_code": ""}
    assert planning(message("interactive", address_form_reply(pinless))).outcome == (
        "address_without_pincode"
    )
