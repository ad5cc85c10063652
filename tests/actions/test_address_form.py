"""WhatsApp's address form at checkout: asked of Indian shoppers on WhatsApp in a shop that
sends it, prefilled from their last order's address; everyone else gets today's question."""

from __future__ import annotations

import json
import time

import pytest

from actions.checkout import ActionAskAddress, ActionPlaceOrder, form_values
from api.whatsapp.render import check, render
from bot.settings import get_settings
from tests import meta_openapi
from tests.actions.conftest import make_tracker, run
from tests.actions.test_checkout_actions import confirmed_slots, fill_cart

# The latest user message as the gateway sends it: with its wamid as metadata.
THROUGH_THE_GATEWAY = {
    "event": "user",
    "timestamp": time.time(),
    "text": "checkout",
    "metadata": {"wamid": "wamid.X"},
}


@pytest.fixture
def address_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_ADDRESS_FORM", json.dumps(["*"]))
    get_settings.cache_clear()


def _on_whatsapp(sender: str = "919812345678") -> list[dict]:
    tracker = make_tracker("checkout", "checkout", sender=sender)
    tracker.events.append(THROUGH_THE_GATEWAY)
    return run(ActionAskAddress(), tracker).messages


def test_an_indian_whatsapp_shopper_gets_the_form_prefilled_from_the_last_order(
    address_form: None,
) -> None:
    [first] = _on_whatsapp()
    assert first["custom"]["address_message"]["values"] == {}  # nothing on file yet
    fill_cart()
    run(
        ActionPlaceOrder(),
        make_tracker("yes", "affirm", slots=confirmed_slots(payment_method="cod")),
    )
    [again] = _on_whatsapp()
    form = again["custom"]["address_message"]
    values = form["values"]
    assert values["in_pin_code"] == confirmed_slots()["pincode"]
    assert values["address"] and values["in_pin_code"] not in values["address"]
    assert again["custom"]["text"] == form["body"]  # what a channel without WhatsApp shows
    [message] = render([{"custom": again["custom"]}], "en")
    body = message.request("919812345678")
    assert body["interactive"]["type"] == "address_message"
    assert body["interactive"]["action"]["parameters"]["country"] == "IN"
    assert check(body) == []
    if meta_openapi.available():
        assert meta_openapi.problems(body) == []


def test_no_form_off_whatsapp_outside_india_or_in_a_shop_that_does_not_send_it(
    address_form: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    [typed] = run(ActionAskAddress(), make_tracker("checkout", "checkout")).messages
    assert "custom" not in typed or not typed["custom"]  # the REST channel: the question
    [abroad] = _on_whatsapp(sender="447700900123")
    assert not abroad.get("custom")
    monkeypatch.setenv("WHATSAPP_ADDRESS_FORM", "[]")
    get_settings.cache_clear()
    [off] = _on_whatsapp()
    assert not off.get("custom") and "PIN" in off["text"]


def test_form_values_from_an_address_on_file() -> None:
    assert form_values("Flat 302, Shanti Apartments, Andheri East 400069", "400069") == {
        "address": "Flat 302, Shanti Apartments, Andheri East",
        "in_pin_code": "400069",
    }
    assert form_values("", "") == {}
