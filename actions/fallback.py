"""When the bot is unsure: answer what a shopkeeper would simply answer (through the other
actions), else ask "did you mean …?" in the shopper's language, keeping the message for
merchants to label. Nothing imports it: it sits above the actions it hands turns to."""

from __future__ import annotations

from typing import Any

from actions.cart import ActionAddItems, ActionUpdateQuantity
from actions.catalog import ActionAskPrice, ActionBrowseCatalog
from actions.corrections import ActionCorrect
from actions.faq import answer_from_faqs
from actions.runtime import ShopAction, Turn
from actions.unsold import say_unsold
from bot.cart import service as carts
from bot.i18n.messages import INTENT_MEANINGS
from bot.review.service import record
from bot.text.normalize import normalize


class ActionDefaultAskAffirmation(ShopAction):
    """First stage of Rasa's two-stage fallback, replacing its English-only default."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        ranking = [
            r
            for r in turn.tracker.latest_message.get("intent_ranking") or []
            if r.get("name") not in ("nlu_fallback", None)
        ]
        if say_unsold(turn):  # "do u have fish?": no need to ask what was meant
            return []
        answered = _answer_plainly(turn, ranking[0]["name"] if ranking else None)
        if answered is not None:
            return answered
        record(
            turn.session,
            turn.shop.id,
            kind="fallback",
            text=turn.text,
            language=turn.language,
            prediction=ranking[0]["name"] if ranking else None,
            confidence=ranking[0].get("confidence") if ranking else None,
            conversation_id=turn.wa_id,
            details={"ranking": ranking[:3]},
        )
        guess = next((r["name"] for r in ranking if r["name"] in INTENT_MEANINGS), None)
        if guess is None:
            turn.dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        meaning = INTENT_MEANINGS[guess].get(turn.language) or INTENT_MEANINGS[guess]["en"]
        turn.say(
            "did_you_mean_intent",
            meaning=meaning,
            buttons=[
                {"title": meaning[:20], "payload": f"/{guess}"},
                {"title": turn.t("something_else"), "payload": "/out_of_scope"},
            ],
        )
        return []


ASKING = frozenset(
    ["which", "what", "kaun", "kaunsa", "kaunse", "konsa", "konse", "kaunsi", "konsi", "options"]
) | frozenset(["dikhao", "dikha", "कौन", "कौनसा", "कौनसे", "कौन-से", "दिखाओ", "दिखाइए"])
# Words owning up to a mistake: what follows corrects the cart, whatever the model guessed.
OWNING_UP = frozenset(["galat", "wrong", "sorry", "galti", "meant", "गलत", "सॉरी", "गलती"])
_IS = frozenset(["is", "are", "hai", "hain", "h", "है", "हैं"])
ORDERING = frozenset(["add_items", "update_quantity", "choose_option", "inform", "correction"])


def _answer_plainly(turn: Turn, guess: str | None) -> list[dict[str, Any]] | None:
    """What a shopkeeper would answer without asking "did you mean…?": a question the shop's
    FAQs answer ("subah kitne baje se order aata hai"), a question about products it names
    ("doodh ke options dikhao", "amul gold doodh ke kaunse pack hai": that kind, every brand
    and pack), a correction ("galat hai, mother dairy wala chahiye"), a change to a cart line
    ("टमाटर देसी वाले कर दो"), the product bought last time ("also the toor dal i took last
    time"), or an order the model was unsure of that names products and an amount ("Milky
    Mist Paneer 200 g", "ok just 1 small box of hing"). None: ask after all."""
    if answer_from_faqs(turn, topics_only=True):
        return []
    engine, _ = turn.engine()
    said = normalize(turn.text).split()
    words = set(said)
    items = " ".join(w for w in said if w not in ASKING and w not in _IS)  # "दूध कौन से हैं"
    lines = [ln for ln in engine.parse(items).lines if ln.resolution.product is not None]
    if not lines and guess == "ask_price":  # "कुल कितने रुपये हुए?": the cart's total
        return ActionAskPrice().act(turn)
    if not lines:
        return None
    amounts = any(ln.line.quantity is not None for ln in lines)
    if words & OWNING_UP:  # "galat hai, mother dairy wala chahiye": a correction of the cart
        return ActionCorrect().act(turn)
    if words & ASKING or (turn.text.rstrip().endswith("?") and not amounts):
        return ActionBrowseCatalog().act(turn)
    held = {ln.sku for ln in carts.view(turn.session, turn.shop.id, turn.wa_id).lines}
    kinds = {engine.index.by_sku[sku].kind for sku in held if sku in engine.index.by_sku}
    if guess == "update_quantity" and any(
        ln.resolution.product.kind in kinds for ln in lines if ln.resolution.product
    ):
        return ActionUpdateQuantity().act(turn)  # "टमाटर देसी वाले कर दो": that cart line
    if guess == "reorder" and not amounts:
        return ActionAddItems().add(turn, turn.text)  # "the toor dal i took last time"
    if guess in ORDERING and amounts:
        pending = list(turn.tracker.get_slot("pending_choices") or [])
        asked = pending[0]["options"] if pending else []
        answers_open = any(
            p.sku in asked
            for ln in lines
            for p in (ln.resolution.product, *ln.resolution.alternatives)
            if p
        )
        return ActionAddItems().add(
            turn, turn.text, waiting=pending[1:] if answers_open else pending
        )
    return None
