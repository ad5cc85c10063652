"""Corrections change the right line in context: the open choice, the line just added, the
product named, the product the bot picked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.corrections import ActionCorrect
from bot.cart import service as carts
from bot.db.models import Shop
from bot.db.session import session_scope
from tests.actions.conftest import make_tracker, run
from tests.actions.test_cart_actions import add, cart_lines, choosy  # noqa: F401 - the fixture
from tests.shop import WA_ID


def correct(text: str, after: object) -> object:
    slots = after.slots()
    return run(ActionCorrect(), make_tracker(text, "correction", slots=slots))


def test_sorry_i_meant_a_quantity_changes_the_line_just_added() -> None:
    added = add("amul butter")
    result = correct("sorry i meant 5", added)
    assert cart_lines() == {"DRY-0029": 5}
    assert result.text.startswith("Changed.")


def test_hindi_order_negation_takes_back_the_first_number() -> None:
    added = add("paneer 200 g aur 12 white eggs")
    correct("12 nahi 6 ande", added)
    assert cart_lines() == {"DRY-0023": 1, "DRY-0049": 1}  # the paneer stays; six white eggs


def test_no_i_meant_another_product_replaces_it_keeping_the_amount() -> None:
    added = add("amul taaza milk 2 litre")
    assert cart_lines() == {"DRY-0002": 2}
    correct("no, I meant amul gold", added)
    lines = cart_lines()
    assert "DRY-0002" not in lines
    assert lines.get("DRY-0004") == 2  # Amul Gold 1 L × 2: still two litres


@pytest.mark.usefixtures("choosy")
def test_a_correction_while_a_choice_is_open_answers_it() -> None:
    asked = add("1 kg curd")
    options = asked.slots()["pending_choices"][0]["options"]
    correct("nahi, nandini wala", asked)
    assert set(cart_lines()) <= set(options) and cart_lines()


@pytest.mark.usefixtures("choosy")
def test_a_correction_naming_something_else_asks_for_it_afresh() -> None:
    asked = add("1 kg curd")
    result = correct("no I meant paneer, not curd", asked)
    assert set(cart_lines()) <= {
        "DRY-0023",
        "DRY-0024",
        "DRY-0025",
        "DRY-0026",
        "DRY-0027",
        "DRY-0028",
    }
    assert cart_lines() and result.slots()["pending_choices"] is None


def test_make_it_a_quantity_changes_the_line_just_added() -> None:
    from actions.cart import ActionUpdateQuantity

    added = add("amul butter")
    run(
        ActionUpdateQuantity(),
        make_tracker("make it 3", "update_quantity", slots=added.slots()),
    )
    assert cart_lines() == {"DRY-0029": 3}


@pytest.mark.usefixtures("choosy")
def test_a_correction_about_a_cart_line_changes_it_and_keeps_the_open_question() -> None:
    add("12 white eggs")
    asked = add("1 kg curd")
    assert asked.slots()["pending_choices"]
    result = correct("12 nahi 6 ande", asked)
    assert cart_lines().get("DRY-0049") == 1 and "DRY-0051" not in cart_lines()  # six eggs
    assert result.slots()["pending_choices"]  # still: which curd?


@pytest.mark.usefixtures("choosy")
def test_an_amount_alone_while_a_choice_is_open_is_that_items_new_amount() -> None:
    asked = add("1 kg curd")
    result = correct("arre sorry 400 gram hi chahiye", asked)
    pending = result.slots()["pending_choices"]
    assert pending and pending[0]["amount"] == 400 and pending[0]["unit"] == "g"
    assert "curd" in pending[0]["item"]


@pytest.mark.parametrize(
    ("first", "fix", "expected"),
    [
        ("2 kg aata", "oh sorry i meant 5 kg", 5000),
        ("12 white eggs", "12 नही 6 अंडे भैया गलती से लिखा", 6),
        ("12 white eggs", "sorry not 12, only 6 eggs", 6),
        ("2 kg aata", "अरे नहीं 1 किलो, दो गलती से लिख दिया", 1000),
    ],
)
def test_the_line_just_added_takes_the_corrected_amount(
    first: str, fix: str, expected: int
) -> None:
    correct(fix, add(first))
    with session_scope() as s:
        lines = carts.view(s, s.scalar(select(Shop.id)), WA_ID).lines
    assert len(lines) == 1 and lines[0].pack_size * lines[0].count == expected, lines


def test_an_amount_for_the_picked_product_does_not_swap_it_for_an_offered_one() -> None:
    added = add("1 ltr milk and 12 eggs")
    assert added.slots()["offered_changes"]  # "want another?"
    picked = set(cart_lines())
    correct("sorry not 12, only 6 eggs", added)
    eggs = {sku for sku in cart_lines() if sku.startswith(("DRY-004", "DRY-005"))}
    assert eggs == {"DRY-0049"}, (picked, cart_lines())  # the same white eggs, six of them


def test_naming_another_product_of_a_cart_lines_kind_swaps_that_line() -> None:
    added = add("1 litre full cream milk")
    assert cart_lines() == {"DRY-0004": 1}
    correct("no no i meant toned milk, not full cream", added)
    lines = cart_lines()
    assert "DRY-0004" not in lines and len(lines) == 1, lines


def test_the_words_taken_back_name_the_line_that_changes_not_the_last_added() -> None:
    added = add("500 g rajdhani maida aur amul butter")
    assert "STP-0018" in cart_lines() and "DRY-0029" in cart_lines()
    correct("maida nahi sooji chahiye thi", added)
    lines = cart_lines()
    assert lines.get("DRY-0029") == 1  # the butter, added last, stays
    assert "STP-0018" not in lines
    assert "STP-0021" in lines  # said without a brand, the maida's brand is kept: Rajdhani


def test_a_correction_in_hindi_names_the_line_it_withdraws() -> None:
    added = add("500 g rajdhani maida aur amul butter")
    correct("मैदा नहीं सूजी चाहिए थी", added)
    lines = cart_lines()
    assert lines.get("DRY-0029") == 1 and "STP-0018" not in lines
    assert {"STP-0021", "STP-0022"} & set(lines)


@pytest.mark.parametrize(
    ("first", "then", "language"),
    [
        ("1 kg chicken and 1 kg sugar", "chicken nahi to 6 eggs de do", "en"),
        ("aadha kilo mutton aur 1 kilo cheeni", "mutton nahi hai to 6 ande de do", "hinglish"),
        ("आधा किलो मटन और 1 किलो चीनी", "ठीक है, मटन नहीं तो 6 अंडे दे दो", "hi"),
    ],
)
def test_instead_of_something_not_in_the_cart_is_an_order(
    first: str, then: str, language: str
) -> None:
    """ "मटन नहीं तो 6 अंडे": the mutton never went in, so the eggs are added, the sugar stays."""
    added = add(first, slots={"language": language})
    sugar = dict(cart_lines())
    correct(then, added)
    lines = cart_lines()
    assert sugar.items() <= lines.items()
    assert lines.get("DRY-0049") == 1  # six white eggs
