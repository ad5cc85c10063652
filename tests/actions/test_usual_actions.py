""" "My usual", "same atta as last time", "the toor dal I took last time": what this shopper
bought before, in English, Hinglish and Hindi."""

from __future__ import annotations

from itertools import count

from actions.cart import ActionAddItems, ActionClearCart, ActionUpdateQuantity
from actions.checkout import ActionPlaceOrder
from actions.orders import ActionReorder
from tests.actions.conftest import make_tracker, run
from tests.actions.test_cart_actions import cart_lines
from tests.actions.test_checkout_actions import confirmed_slots

_CHECKOUTS = count()
PILLSBURY = {"STP-0005", "STP-0006", "STP-0007"}  # Pillsbury Chakki Fresh Atta, every pack


def ordered(text: str) -> None:
    """An earlier order of what `text` asks for, placed (cash on delivery) and so out of the
    cart."""
    checkout_id = f"usual-{next(_CHECKOUTS)}"
    run(ActionClearCart(), make_tracker("clear cart", "clear_cart"))
    run(ActionAddItems(), make_tracker(text, "add_items"))
    run(
        ActionPlaceOrder(),
        make_tracker(
            "yes", "affirm", slots=confirmed_slots(payment_method="cod", checkout_id=checkout_id)
        ),
    )
    assert cart_lines() == {}


def test_same_atta_as_last_time_is_that_atta_in_the_asked_amount() -> None:
    ordered("pillsbury chakki atta 5 kg and amul taaza milk 1 l")
    run(ActionReorder(), make_tracker("same atta as last time, 10 kilo", "reorder"))
    lines = cart_lines()
    assert set(lines) <= PILLSBURY and lines  # the atta only, not the milk again


def test_mera_usual_plus_an_extra_is_the_order_and_the_extra() -> None:
    ordered("pillsbury chakki atta 5 kg and amul taaza milk 1 l")
    run(
        ActionReorder(),
        make_tracker(
            "mera usual bhej do, plus 1 kg cheeni extra", "reorder", slots={"language": "hinglish"}
        ),
    )
    lines = cart_lines()
    assert "DRY-0002" in lines and set(lines) & PILLSBURY
    assert {"STP-0027", "STP-0028", "STP-0029"} & set(lines)  # a sugar, never cinnamon


def test_the_usual_without_one_item_leaves_it_out() -> None:
    ordered("pillsbury chakki atta 5 kg and amul taaza milk 1 l")
    run(
        ActionReorder(),
        make_tracker(
            "पिछली बार वाला सामान भेज दो, दूध इस बार नहीं", "reorder", slots={"language": "hi"}
        ),
    )
    lines = cart_lines()
    assert set(lines) & PILLSBURY and "DRY-0002" not in lines


def test_the_pack_bought_before_when_no_amount_is_said() -> None:
    ordered("amul taaza milk 1 l and amul butter")
    run(ActionAddItems(), make_tracker("also the milk i took last time", "add_items"))
    assert cart_lines() == {"DRY-0002": 1}  # their litre, not the usual half litre


def test_a_bare_count_for_a_held_line_keeps_its_pack() -> None:
    run(ActionAddItems(), make_tracker("amul taaza milk 1 l", "add_items"))
    assert cart_lines() == {"DRY-0002": 1}
    run(
        ActionUpdateQuantity(),
        make_tracker("is baar doodh 3 kar do", "update_quantity", slots={"language": "hinglish"}),
    )
    assert cart_lines() == {"DRY-0002": 3}


def test_a_count_of_packs_is_of_the_pack_bought_before() -> None:
    ordered("amul gold full cream milk 1 l and amul butter")
    run(
        ActionAddItems(),
        make_tracker("2 packet doodh bhej do", "add_items", slots={"language": "hinglish"}),
    )
    assert cart_lines() == {"DRY-0004": 2}  # two of their litre of Amul Gold
