"""What the shop does not sell is said so in the shopper's language, with no silly suggestion,
whatever intent the model read; the other lines of the message still go in."""

from __future__ import annotations

import pytest
from rasa_sdk import Action
from sqlalchemy import select

from actions.cart import ActionAddItems
from actions.catalog import ActionBrowseCatalog
from actions.fallback import ActionDefaultAskAffirmation
from actions.faq import ActionAnswerFaq, ActionHelp, ActionOutOfScope
from bot.cart import service as carts
from bot.db.models import Shop
from bot.db.session import session_scope
from tests.actions.conftest import make_tracker, run
from tests.shop import WA_ID


def kinds_in_cart() -> set[str]:
    with session_scope() as s:
        shop_id = s.scalar(select(Shop.id))
        skus = [line.sku for line in carts.view(s, shop_id, WA_ID).lines]
    return {sku.split("-")[0] for sku in skus}


@pytest.mark.parametrize(
    ("text", "language", "said"),
    [
        ("1 kg chicken and 1 kg sugar", "en", 'we don\'t have "chicken"'),
        ("aadha kilo mutton aur 1 kilo cheeni", "hinglish", '"mutton" hamare paas nahi'),
        ("आधा किलो मटन और 1 किलो चीनी", "hi", '"मटन" हमारे पास नहीं'),
    ],
)
def test_the_unsold_line_is_said_and_the_rest_goes_in(text: str, language: str, said: str) -> None:
    result = run(ActionAddItems(), make_tracker(text, "add_items", slots={"language": language}))
    assert said in result.text
    assert "did you mean" not in result.text.casefold() and "matlab" not in result.text
    assert "क्या आपका मतलब" not in result.text
    assert "मक्खन" not in result.text and "butter" not in result.text.casefold()
    assert kinds_in_cart() == {"STP"}  # the sugar, nothing for the meat
    assert not result.slots()["pending_choices"]


@pytest.mark.parametrize(
    ("action", "intent", "text", "language", "said"),
    [
        (ActionDefaultAskAffirmation(), "nlu_fallback", "do u have beer", "en", '"beer"'),
        (ActionHelp(), "help", "machli milegi kya bhai", "hinglish", '"machli" hamare paas nahi'),
        (ActionAnswerFaq(), "ask_faq", "मछली मिलेगी क्या", "hi", '"मछली" हमारे पास नहीं'),
        (ActionOutOfScope(), "out_of_scope", "crocin bhi nahi milegi?", "hinglish", "crocin"),
        (ActionBrowseCatalog(), "browse_catalog", "any ice cream?", "en", "ice cream"),
    ],
)
def test_asked_for_however_the_model_read_it(
    action: Action, intent: str, text: str, language: str, said: str
) -> None:
    result = run(action, make_tracker(text, intent, slots={"language": language}))
    assert said in result.text, result.text
    assert "did you mean" not in result.text.casefold()
