"""Cart actions against a real database: add (matched, ambiguous, unmatched), choose, remove,
change a quantity, view, clear."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions.cart import (
    ActionAddItems,
    ActionChooseOption,
    ActionClearCart,
    ActionRemoveItems,
    ActionUpdateQuantity,
    ActionViewCart,
)
from bot.cart import service as carts
from bot.db.session import session_scope
from bot.settings import get_settings
from tests.actions.conftest import make_tracker, review_items, run
from tests.shop import WA_ID


def cart_lines(wa_id: str = WA_ID) -> dict[str, int]:
    from sqlalchemy import select

    from bot.db.models import Shop

    with session_scope() as s:
        shop_id = s.scalar(select(Shop.id))
        return {line.sku: line.count for line in carts.view(s, shop_id, wa_id).lines}


def add(text: str, **kw) -> object:
    return run(ActionAddItems(), make_tracker(text, "add_items", **kw))


def choose(text: str, pending: list[dict], entities: list[dict] | None = None, **kw) -> object:
    return run(
        ActionChooseOption(),
        make_tracker(
            text,
            "choose_option",
            entities=entities,
            slots={"pending_choices": pending, **kw.pop("slots", {})},
            **kw,
        ),
    )


@pytest.fixture
def choosy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A shop that asks once unit prices are twice apart (curd, eggs), for the questions."""
    monkeypatch.setenv("CHOICE_PRICE_SPREAD", "2.0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --- add --------------------------------------------------------------------------------------


def test_matched_items_go_to_the_cart() -> None:
    result = add("amul butter and amul taaza milk 1 l")
    lines = cart_lines()
    assert lines.get("DRY-0029") == 1  # Amul Butter
    assert lines.get("DRY-0002") == 1  # Amul Taaza Toned Milk 1 L
    assert "Added to your cart:" in result.text
    assert "Amul Butter" in result.text and "Total" in result.text
    assert result.slots() == {
        "pending_choices": None,
        "offered_changes": None,
        "last_added": ["DRY-0029", "DRY-0002"],
        "priced": None,  # an add ends a price follow-up
    }
    assert {"title": "Checkout", "payload": "/checkout"} in result.buttons
    assert review_items() == []


def test_near_identical_options_put_the_usual_in_with_a_one_tap_change() -> None:
    result = add("2 kg atta and 2 litre milk")
    assert cart_lines() == {"STP-0013": 1, "DRY-0002": 2}  # loose atta 2 kg, Amul Taaza 2 × 1 L
    assert result.slots()["pending_choices"] is None
    changes = result.slots()["offered_changes"]
    assert [c["item"] for c in changes] == ["atta", "milk"]
    assert "I picked" in result.texts[-1] and "(atta)" in result.texts[-1]
    offered = [b["payload"] for b in result.buttons]
    assert f'/choose_option{{"choice":"{changes[1]["options"][0]}"}}' in offered
    assert review_items("ambiguous") == []  # nothing was asked


def test_a_tap_on_another_one_swaps_the_picked_line() -> None:
    changes = add("2 litre milk").slots()["offered_changes"]
    other = changes[0]["options"][0]
    result = choose(
        f'/choose_option{{"choice":"{other}"}}',
        [],
        entities=[{"entity": "choice", "value": other}],
        slots={"offered_changes": changes},
    )
    lines = cart_lines()
    assert "DRY-0002" not in lines and sum(lines.values()) >= 1
    # the swapped line is the one a correction that follows changes
    assert result.slots() == {"offered_changes": None, "last_added": list(lines)}
    assert result.text.startswith("Changed.")


@pytest.mark.usefixtures("choosy")
def test_options_far_apart_in_price_are_asked_about() -> None:
    result = add("500 g curd")  # plain or organic set curd: more than twice the price a kilo
    assert cart_lines() == {}
    assert result.text.startswith("Which curd?")


def test_a_brand_alone_means_its_usual_product() -> None:
    result = add("2 packet amul")  # milk, butter, cheese: Amul's usual, the rest a tap away
    assert len(cart_lines()) == 1 and "I picked" in result.text


@pytest.mark.parametrize(
    ("text", "language"), [("need amul", "en"), ("amul ka bhejo", "hinglish"), ("अमूल", "hi")]
)
def test_a_brand_alone_that_makes_different_kinds_of_thing_is_asked(
    text: str, language: str
) -> None:
    """Milk, butter, cheese or paneer: nothing in the words says which Amul."""
    result = add(text, slots={"language": language})
    assert cart_lines() == {}, text
    assert result.slots()["pending_choices"], text


@pytest.mark.parametrize(
    ("text", "language"),
    [("1 kg ragi flour", "en"), ("ragi atta 1 kilo bhejo", "hinglish"), ("रागी आटा 1 किलो", "hi")],
)
def test_a_usual_pick_twice_the_cheapest_is_asked(text: str, language: str) -> None:
    """The organic ragi flour at ₹88 beside the loose one at ₹42: asked, never put in unasked."""
    result = add(text, slots={"language": language})
    assert cart_lines() == {}, text
    assert {"STP-0052", "STP-0053"} <= set(result.slots()["pending_choices"][0]["options"])


def test_the_shoppers_own_earlier_choice_goes_in() -> None:
    from sqlalchemy import select

    from bot.db.models import Shop
    from bot.orders import service as orders
    from tests.shop import slot

    with session_scope(write=True) as s:
        shop_id = s.scalar(select(Shop.id))
        carts.add_packs(s, shop_id, WA_ID, [("DRY-0003", 2), ("STP-0001", 1)])
        orders.place_order(
            s,
            shop_id,
            WA_ID,
            idempotency_key="earlier",
            address="Flat 1, Andheri East 400069",
            pincode="400069",
            delivery_slot=slot(),
            payment_method="cod",
        )
    add("1 litre milk")
    assert set(cart_lines()) == {"DRY-0004"}  # Amul Gold again, in the pack that makes 1 L


def test_a_stack_of_small_packs_is_asked_about() -> None:
    for text in ("40 packet amul butter", "10 kg paneer"):  # matched, and the usual pick
        result = add(text)
        assert cart_lines() == {}, text
        assert result.slots()["pending_choices"], text


@pytest.mark.usefixtures("choosy")
def test_ambiguous_item_asks_which_one_with_numbered_buttons() -> None:
    result = add("1 kg curd")
    pending = result.slots()["pending_choices"]
    assert len(pending) == 1
    entry = pending[0]
    assert entry["item"] == "curd" and entry["amount"] == 1000 and entry["unit"] == "g"
    assert len(entry["options"]) >= 2
    assert cart_lines() == {}  # nothing added until the shopper chooses
    assert "Which curd? Reply with a number:" in result.text
    assert "\n1. " in result.text and "\n2. " in result.text
    payloads = [b["payload"] for b in result.buttons]
    assert (
        payloads[: len(entry["options"])]
        == [f'/choose_option{{"choice":"{sku}"}}' for sku in entry["options"]][: len(payloads)]
    )
    assert result.buttons[0]["title"].startswith("1. ")
    [item] = review_items("ambiguous")
    assert item.text == "1 kg curd" and item.conversation_id == WA_ID
    assert item.details["candidates"] == entry["options"]


@pytest.mark.usefixtures("choosy")
def test_matched_and_ambiguous_in_one_message() -> None:
    result = add("amul butter and curd")
    assert cart_lines() == {"DRY-0029": 1}
    assert len(result.slots()["pending_choices"]) == 1
    assert "Added to your cart:" in result.texts[0]
    assert result.texts[-1].startswith("Which curd?")


def test_unmatched_item_gets_suggestions_and_is_kept_for_review() -> None:
    result = add("cheddar cheese", slots={"language": "en"})
    assert 'Sorry, we don\'t have "cheddar cheese".' in result.text
    assert "Did you mean:" in result.text and "Cheese" in result.text
    assert cart_lines() == {}
    [item] = review_items("unmatched")
    assert item.text == "cheddar cheese" and item.language == "en"
    assert item.details["candidates"]  # the suggestions, for the merchant to alias


def test_unmatched_item_in_hindi() -> None:
    result = add("2 kg xyzzy", slots={"language": "hi"})
    assert "हमारे पास नहीं है" in result.text
    assert len(review_items("unmatched")) == 1


def test_no_item_at_all_is_recorded() -> None:
    result = add("please", confidence=0.61)
    assert "I couldn't find any items" in result.text
    [item] = review_items("unmatched")
    assert item.text == "please" and item.prediction == "add_items"


@pytest.mark.usefixtures("choosy")
def test_hindi_message_hindi_reply() -> None:
    result = add("दो किलो दही", slots={"language": "hi"})
    assert result.text.startswith("दही — कौन-सा विकल्प चाहिए?")
    assert result.slots()["pending_choices"][0]["amount"] == 2000


# --- choose -----------------------------------------------------------------------------------


def pending_curd() -> list[dict]:
    return add("1 kg curd").slots()["pending_choices"]


@pytest.mark.usefixtures("choosy")
def test_choose_by_number() -> None:
    pending = pending_curd()
    result = choose("2", pending)
    second = pending[0]["options"][1]
    assert sum(cart_lines().values()) >= 1
    assert any(sku.split("-")[0] == second.split("-")[0] for sku in cart_lines())
    assert result.slots() == {"pending_choices": None, "last_added": list(cart_lines())}
    assert "Added to your cart:" in result.text


@pytest.mark.usefixtures("choosy")
def test_choose_first_gets_the_asked_quantity_in_packs() -> None:
    pending = pending_curd()
    choose("1", pending)
    assert cart_lines() == {"DRY-0020": 2}  # 1 kg of Nandini curd: two 500 g packs


@pytest.mark.usefixtures("choosy")
def test_choose_by_ordinal_words() -> None:
    for word in ("the first one", "pehla wala", "पहला वाला"):
        with session_scope() as s:
            from sqlalchemy import select

            from bot.db.models import Shop

            carts.clear(s, s.scalar(select(Shop.id)), WA_ID)
        choose(word, pending_curd())
        assert cart_lines() == {"DRY-0020": 2}, word


@pytest.mark.usefixtures("choosy")
def test_choose_second_by_ordinal_word() -> None:
    pending = pending_curd()
    by_number = pending[0]["options"][1]
    choose("doosra", pending)
    lines = cart_lines()
    assert len(lines) == 1
    [sku] = lines
    assert sku == by_number or sku.split("-")[0] == by_number.split("-")[0]


@pytest.mark.usefixtures("choosy")
def test_choose_by_button_payload_entity() -> None:
    pending = pending_curd()
    chosen = pending[0]["options"][1]
    result = choose(
        f'/choose_option{{"choice":"{chosen}"}}',
        pending,
        entities=[{"entity": "choice", "value": chosen}],
    )
    assert len(cart_lines()) == 1
    assert result.slots() == {"pending_choices": None, "last_added": list(cart_lines())}


@pytest.mark.usefixtures("choosy")
def test_choosing_one_of_two_questions_asks_the_next() -> None:
    pending = add("1 kg curd and 12 eggs").slots()["pending_choices"]
    assert [p["item"] for p in pending] == ["curd", "eggs"]
    result = choose("1", pending)
    assert cart_lines() == {"DRY-0020": 2}
    left = result.slots()["pending_choices"]
    assert [p["item"] for p in left] == ["eggs"]
    assert result.texts[-1].startswith("Which eggs?")


@pytest.mark.usefixtures("choosy")
def test_bad_choice_asks_again() -> None:
    pending = pending_curd()
    result = choose("7", pending)
    assert "Please reply with a number from 1 to" in result.text
    assert result.slots()["pending_choices"] == pending
    assert cart_lines() == {}


def test_nothing_to_choose() -> None:
    result = choose("2", [])
    assert "There's nothing to choose right now" in result.text
    assert result.events == []


# --- remove, update, view, clear --------------------------------------------------------------


def test_remove_an_item() -> None:
    add("amul butter and amul taaza milk 1 l")
    result = run(ActionRemoveItems(), make_tracker("remove the milk", "remove_items"))
    assert cart_lines() == {"DRY-0029": 1}
    assert "Removed Amul Taaza Toned Milk 1 L." in result.text


@pytest.mark.parametrize(
    "text",
    [
        "butter is baar nahi chahiye",
        "no butter this time",
        "मक्खन इस बार नहीं चाहिए",
        "skip the butter",
    ],
)
def test_not_wanted_this_time_removes_it(text: str) -> None:
    add("amul butter and amul taaza milk 1 l")
    run(ActionRemoveItems(), make_tracker(text, "remove_items"))
    assert cart_lines() == {"DRY-0002": 1}


def test_remove_something_not_in_the_cart() -> None:
    add("amul butter")
    result = run(ActionRemoveItems(), make_tracker("remove the paneer", "remove_items"))
    # the reply names the item (today the verb stays in it: '"remove paneer" isn't in your cart')
    assert "paneer" in result.texts[0] and "isn't in your cart." in result.texts[0]
    assert cart_lines() == {"DRY-0029": 1}


def test_remove_from_an_empty_cart() -> None:
    result = run(
        ActionRemoveItems(),
        make_tracker("doodh hata do", "remove_items", slots={"language": "hinglish"}),
    )
    assert "Aapka cart khaali hai" in result.text


def test_update_a_quantity() -> None:
    add("amul taaza milk 1 l")
    result = run(ActionUpdateQuantity(), make_tracker("make the milk 3 litres", "update_quantity"))
    assert cart_lines() == {"DRY-0002": 3}
    assert "Updated: Amul Taaza Toned Milk 1 L × 3." in result.text


def test_update_in_hindi() -> None:
    add("amul butter")
    result = run(
        ActionUpdateQuantity(),
        make_tracker("अमूल बटर 2 कर दो", "update_quantity", slots={"language": "hi"}),
    )
    assert cart_lines() == {"DRY-0029": 2}
    assert "बदल दिया" in result.text


def test_update_without_an_item_asks_which() -> None:
    add("amul butter")
    result = run(ActionUpdateQuantity(), make_tracker("change it", "update_quantity"))
    assert "Which item should I change?" in result.text
    assert cart_lines() == {"DRY-0029": 1}


def test_view_and_clear() -> None:
    add("amul butter")
    view = run(ActionViewCart(), make_tracker("show my cart", "view_cart"))
    assert "🛒 Your cart:" in view.text and "Amul Butter" in view.text and "Total:" in view.text
    cleared = run(
        ActionClearCart(),
        make_tracker("empty my cart", "clear_cart", slots={"pending_choices": [{"item": "milk"}]}),
    )
    assert "Your cart is now empty." in cleared.text
    assert cleared.slots() == {"pending_choices": None}
    assert cart_lines() == {}
    empty = run(
        ActionViewCart(), make_tracker("cart dikhao", "view_cart", slots={"language": "hinglish"})
    )
    assert "Aapka cart khaali hai" in empty.text
    assert empty.buttons == []


def test_carts_are_per_shopper() -> None:
    add("amul butter")
    run(ActionAddItems(), make_tracker("amul taaza milk 1 l", "add_items", sender="919800000001"))
    assert cart_lines() == {"DRY-0029": 1}
    assert cart_lines("919800000001") == {"DRY-0002": 1}


@pytest.mark.parametrize("text", ["send the cart once", "cart bhejo ek baar", "कार्ट भेजो एक बार"])
def test_the_cart_asked_for_as_an_order_is_shown(text: str) -> None:
    add("2 kg atta")
    result = add(text)
    assert "Chakki Atta" in result.text or "चक्की आटा" in result.text, result.text
    assert "don't have" not in result.text and "नहीं है" not in result.text
    assert cart_lines() == {"STP-0013": 1}


@pytest.mark.parametrize(
    ("text", "language", "count"),
    [
        ("one less amul butter", "en", 2),
        ("ek amul butter kam kar do", "hinglish", 2),
        ("एक अमूल मक्खन कम कर दो", "hi", 2),
        ("2 amul butter aur zyada", "hinglish", 5),
    ],
)
def test_one_less_or_more_steps_the_line(text: str, language: str, count: int) -> None:
    add("3 amul butter")
    assert cart_lines() == {"DRY-0029": 3}
    run(ActionUpdateQuantity(), make_tracker(text, "update_quantity", slots={"language": language}))
    assert cart_lines() == {"DRY-0029": count}
