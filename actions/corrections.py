"""Corrections in context: "no, I meant toned milk" while a choice is open picks it; "sorry,
2 kg" after an add changes that line; "12 nahi 6 ande" changes the eggs; "galat hai, amul wala"
swaps what the bot picked. The words taken back are dropped first (bot.parsing.correction)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.cart import ActionAddItems, ActionChooseOption, in_cart, replace_line
from actions.render import cart_buttons, cart_text
from actions.runtime import ShopAction, Turn
from bot.cart import service as carts
from bot.catalog.index import CatalogIndex
from bot.catalog.resolver import Resolver
from bot.parsing.correction import corrected


class ActionCorrect(ShopAction):
    def name(self) -> str:
        return "action_correct"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        text = corrected(turn.text)
        engine, _ = turn.engine()
        pending = list(turn.tracker.get_slot("pending_choices") or [])
        if pending:
            if _names_one_of(turn, text, pending[0]["options"]) or not text:
                return ActionChooseOption().act(turn)
            # "no, I meant sona masoori": not one of the offered, so asked for afresh
            return ActionAddItems().add(turn, text, waiting=pending[1:])
        changes = turn.tracker.get_slot("offered_changes") or []
        offered = [s for c in changes for s in c["options"]]
        if offered and _names_one_of(turn, text, offered):
            return ActionChooseOption().act(turn)
        lines = engine.parse(text).lines
        cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
        if cart.is_empty:
            return ActionAddItems().act(turn) if lines else _nothing(turn)
        last: list[str] = list(turn.tracker.get_slot("last_added") or [])
        changed = False
        for line in lines:
            named = in_cart(turn, line.line.item) if line.line.item else []
            quantity = line.line.quantity
            if named and quantity is not None:
                replace_line(turn, named[0].sku, named[0].sku, quantity)
                changed = True
            elif not line.line.item and quantity is not None and last:
                replace_line(turn, last[-1], last[-1], quantity)
                changed = True
            elif line.line.item and line.resolution.product is not None:
                target = _same_kind_in_cart(turn, line.resolution.product.kind) or (
                    last[-1] if last else None
                )
                if target is None:
                    continue
                replace_line(turn, target, line.resolution.product.sku, quantity)
                changed = True
        if not changed:
            return _nothing(turn)
        cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
        turn.send(cart_text(turn, cart, header=turn.t("changed")), cart_buttons(turn, cart))
        return [SlotSet("offered_changes", None)]


def _names_one_of(turn: Turn, text: str, skus: list[str]) -> bool:
    engine, _ = turn.engine()
    products = [engine.index.by_sku[s] for s in skus if s in engine.index.by_sku]
    ranked = Resolver(CatalogIndex(products)).rank(text) if products else []
    return bool(ranked) and ranked[0].score >= 0.5


def _same_kind_in_cart(turn: Turn, kind: str) -> str | None:
    engine, _ = turn.engine()
    for line in reversed(carts.view(turn.session, turn.shop.id, turn.wa_id).lines):
        product = engine.index.by_sku.get(line.sku)
        if product is not None and kind and product.kind == kind:
            return line.sku
    return None


def _nothing(turn: Turn) -> list[dict[str, Any]]:
    turn.say("which_to_change")
    return []
