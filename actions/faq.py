"""Questions about the shop: the merchant's FAQs, and whether it delivers to a PIN code."""

from __future__ import annotations

from typing import Any

from actions.misunderstood import record_misunderstood
from actions.runtime import ShopAction, Turn
from actions.unsold import say_unsold
from bot.faq.answer import asks_about_area, best_faq, faq_on
from bot.faq.store import Faq, delivery_area, faqs
from bot.parsing.pincode import find_pincode
from bot.shops.area import area_of


def answer_from_faqs(turn: Turn, *, topics_only: bool = False) -> bool:
    """Answer from the shop's area and FAQs if the message is one of their questions."""
    area = delivery_area(turn.session, turn.shop.id)
    shop_faqs = faqs(turn.session, turn.shop.id)
    pincode = find_pincode(turn.text)
    if pincode and area and (not topics_only or asks_about_area(turn.text)):
        if pincode in area:
            turn.say("delivers_yes", pincode=pincode)
        else:  # a shopper just outside wants to know where the shop does go: one message,
            # so the "no" and the places it does deliver are read together
            no = turn.t("delivers_no", pincode=pincode)
            turn.send(f"{no}\n{_area_text(turn, area, shop_faqs)}")
        return True
    place = area_of(turn.session, turn.shop.id).locality_in(turn.text) if area else None
    if place and asks_about_area(turn.text):  # "do you deliver to Marol?": one of its places
        turn.say("delivers_yes", pincode=place)
        return True
    match = best_faq(turn.text, shop_faqs)
    if match is not None and (match.topic or not topics_only):
        turn.send(match.faq.answer_in(turn.language))
        return True
    if area and asks_about_area(turn.text):
        _say_area(turn, area, shop_faqs)
        return True
    return False


def _say_area(turn: Turn, area: frozenset[str], shop_faqs: list[Faq]) -> None:
    turn.send(_area_text(turn, area, shop_faqs))


def _area_text(turn: Turn, area: frozenset[str], shop_faqs: list[Faq]) -> str:
    """The merchant's words for the delivery area (areas people know by name), else the PINs."""
    own = faq_on("area", shop_faqs)
    if own is not None:
        return own.answer_in(turn.language)
    return turn.t("delivery_area", pincodes=", ".join(sorted(area)))


class ActionOutOfScope(ShopAction):
    """What the model calls out of scope may still be a shop question ("till what time ur
    open"): the merchant's answer then; else the polite decline, kept for review."""

    def name(self) -> str:
        return "action_out_of_scope"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        if answer_from_faqs(turn, topics_only=True) or say_unsold(turn):
            return []
        turn.dispatcher.utter_message(response="utter_out_of_scope")
        record_misunderstood(turn)
        return []


class ActionHelp(ShopAction):
    """ "payment kaise karna hai?" and "COD chalega na?" read as a call for help, or a stray
    no: the shop's answer when it is one of its questions, else how to order."""

    def name(self) -> str:
        return "action_help"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        if not answer_from_faqs(turn, topics_only=True) and not say_unsold(turn):
            turn.dispatcher.utter_message(response="utter_help")
        return []


class ActionAnswerFaq(ShopAction):
    def name(self) -> str:
        return "action_answer_faq"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        if answer_from_faqs(turn) or say_unsold(turn):
            return []
        turn.say("faq_unknown")
        record_misunderstood(turn, {"faq": True})  # answered once, as a new FAQ, for all after
        return []
