"""Questions about the shop: the merchant's FAQs, and whether it delivers to a PIN code."""

from __future__ import annotations

from typing import Any

from actions.runtime import ShopAction, Turn
from bot.faq.answer import asks_about_area, best_faq
from bot.faq.store import delivery_area, faqs
from bot.parsing.pincode import find_pincode
from bot.review.service import record


class ActionAnswerFaq(ShopAction):
    def name(self) -> str:
        return "action_answer_faq"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        area = delivery_area(turn.session, turn.shop.id)
        pincode = find_pincode(turn.text)
        if pincode and area:
            turn.say("delivers_yes" if pincode in area else "delivers_no", pincode=pincode)
            return []
        match = best_faq(turn.text, faqs(turn.session, turn.shop.id))
        if match is not None:
            turn.send(match.faq.answer_in(turn.language))
            return []
        if area and asks_about_area(turn.text):
            turn.say("delivery_area", pincodes=", ".join(sorted(area)))
            return []
        turn.say("faq_unknown")
        name, confidence = turn.intent
        record(  # the merchant can answer it once, as a new FAQ, for everyone after
            turn.session,
            turn.shop.id,
            kind="out_of_scope",
            text=turn.text,
            language=turn.language,
            prediction=name,
            confidence=confidence,
            conversation_id=turn.wa_id,
            details={"faq": True},
        )
        return []
