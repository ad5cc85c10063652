"""The validator the fake Graph APIs judge every body with: what Meta's description allows
passes, what it refuses fails with a message that says where and why."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import jsonschema_rs
import pytest

from api.whatsapp import render, templates
from bot.settings import Settings
from tests import meta_openapi
from tests.api.whatsapp.support import ACCESS_TOKEN, PHONE_NUMBER_ID, FakeGraph

pytestmark = pytest.mark.skipif(not meta_openapi.available(), reason=meta_openapi.ABSENT)
TO = "919811112222"


def body(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return render.Rendered(kind, content).request(TO)


def test_the_renderers_text_buttons_list_and_template_pass() -> None:
    sent = [
        *render.text_messages("2 kg atta added. See https://example.com/cart"),
        *render.interactive(
            "Which atta?",
            [{"title": "Aashirvaad 5 kg", "payload": "/pick"}, {"title": "Pillsbury 1 kg"}],
            "en",
        ),
        render.list_page(
            "Which milk?",
            [{"title": f"Amul Taaza {n} ml", "payload": "/x"} for n in range(12)],
            "hi",
            "abcd",
        ),
        templates.template_message(
            "order_placed",
            {"order_id": 12, "total": 45_000, "slot": "today 6-8 pm", "payment": "upi"},
            "hinglish",
            Settings(),
        ),
        render.Rendered("image", {"link": "https://example.com/atta.png"}),
    ]
    assert [m.type for m in sent] == ["text", "interactive", "interactive", "template", "image"]
    for m in sent:
        assert meta_openapi.problems(m.request(TO)) == [], m


def test_a_reply_and_a_read_receipt_with_typing_pass() -> None:
    reply = {**body("text", {"body": "ok"}), "context": {"message_id": "wamid.X"}}
    assert meta_openapi.problems(reply) == []
    read = {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.X",
        "typing_indicator": {"type": "text"},
    }
    assert meta_openapi.problems(read) == []
    assert meta_openapi.problems({**read, "to": TO}) == [
        "/: Additional properties are not allowed ('to' was unexpected)"
    ]


def test_an_unknown_field_says_which() -> None:
    found = meta_openapi.problems(body("text", {"body": "hi", "colour": "red"}))
    assert found == ["/text: Additional properties are not allowed ('colour' was unexpected)"]
    found = meta_openapi.problems({**body("text", {"body": "hi"}), "priority": "high"})
    assert found == ["/: Additional properties are not allowed ('priority' was unexpected)"]


def test_a_wrong_type_says_where() -> None:
    assert meta_openapi.problems(body("text", {"body": 42})) == [
        '/text/body: 42 is not of type "string"'
    ]
    assert meta_openapi.problems({**body("text", {"body": "hi"}), "type": "fax"}) == [
        '/type: "fax" is not one of "audio", "contacts" or 9 other candidates'
    ]


def test_a_button_title_too_long_names_the_button_form() -> None:
    sent = body(
        "interactive",
        {
            "type": "button",
            "body": {"text": "Pay how?"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "t:0", "title": "Cash on delivery please"}}
                ]
            },
        },
    )
    assert meta_openapi.problems(sent) == [
        '/interactive/action/buttons/0/reply/title: "Cash on delivery please" is longer than '
        "20 characters (in form 2 of 9)"
    ]


def test_a_product_list_is_described() -> None:
    products: dict[str, Any] = {
        "type": "product_list",
        "header": {"type": "text", "text": "Atta"},
        "body": {"text": "Pick one"},
        "action": {
            "catalog_id": "1234",
            "sections": [{"title": "Atta", "product_items": [{"product_retailer_id": "ATT-1"}]}],
        },
    }
    assert meta_openapi.problems(body("interactive", products)) == []
    too_many = copy.deepcopy(products)
    too_many["action"]["sections"] *= 11
    (found,) = meta_openapi.problems(body("interactive", too_many))
    assert found.startswith("/interactive/action/sections: [{")
    assert found.endswith("has more than 10 items (in form 3 of 9)") and len(found) < 300


def test_read_literally_the_description_refuses_every_message() -> None:
    """Why the allOfs are merged: the second part of each message schema refuses the base
    fields it does not list, so a perfectly good text message fails."""
    raw = meta_openapi.description()["components"]
    literal = jsonschema_rs.Draft202012Validator(
        {"$ref": "#/components/schemas/TextMessage", "components": raw}
    )
    good = body("text", {"body": "hi"})
    assert not literal.is_valid(good)
    assert meta_openapi.problems(good) == []


def test_the_descriptions_own_examples_pass_but_the_undescribed() -> None:
    refused = {
        name: found
        for name, example in meta_openapi.examples().items()
        if (found := meta_openapi.problems(example))
    }
    assert sorted(refused) == sorted(meta_openapi.UNDESCRIBED), refused
    assert len(meta_openapi.examples()) - len(refused) >= 40


def test_each_quirk_corrects_something_the_description_says() -> None:
    schemas = meta_openapi.description()["components"]["schemas"]
    for name, pointer, value, why in meta_openapi.QUIRKS:
        node: Any = schemas[name]
        for key in pointer.strip("/").split("/"):
            node = node[int(key)] if isinstance(node, list) else node[key]
        assert node != value and why, (name, pointer)


def test_the_fake_graph_api_answers_400_and_fails_the_test_that_sent_it() -> None:
    graph = FakeGraph()
    url = f"{graph.url}/v23.0/{PHONE_NUMBER_ID}/messages"
    auth = {"Authorization": f"Bearer {ACCESS_TOKEN}"}
    try:
        refused = httpx.post(url, json=body("text", {"body": "hi", "colour": "red"}), headers=auth)
        assert refused.status_code == 400
        assert "'colour' was unexpected" in refused.json()["error"]["error_data"]["details"]
        with pytest.raises(AssertionError, match="'colour' was unexpected"):
            graph.messages()
        sent = httpx.post(url, json=body("text", {"body": "hi"}), headers=auth)
        assert sent.status_code == 200 and graph.messages() == [body("text", {"body": "hi"})]
    finally:
        graph.close()
