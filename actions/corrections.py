"""Corrections in context: "no, I meant toned milk" while a choice is open picks it; "sorry,
2 kg" after an add changes that line; "12 nahi 6 ande" changes the eggs; "galat hai, amul wala"
swaps what the bot picked. The words taken back are dropped first (bot.parsing.correction)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.cart import (
    ActionAddItems,
    ActionChooseOption,
    ask_next_choice,
    in_cart,
    replace_line,
)
from actions.render import cart_buttons, cart_text
from actions.runtime import ShopAction, Turn
from bot.cart import service as carts
from bot.engine import ParsedLine
from bot.parsing.correction import corrected
from bot.parsing.quantity import Quantity


class ActionCorrect(ShopAction):
    def name(self) -> str:
        return "action_correct"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        text = corrected(turn.text)
        engine, _ = turn.engine()
        lines = engine.parse(text).lines if text else []
        pending = list(turn.tracker.get_slot("pending_choices") or [])
        if pending:
            first = pending[0]
            if not lines or _names_one_of(turn, text, first["options"]):
                return ActionChooseOption().act(turn)
            if all(_amount_only(line) for line in lines):
                # "sorry, 100 g only" while "which elaichi?" is open: the open question's amount
                asked = f"{_spoken(lines[0].line.quantity)} {first['item']}"
                return ActionAddItems().add(turn, asked, waiting=pending[1:])
            if not any(_in_cart_line(turn, line) for line in lines):
                # "no, I meant sona masoori": not one of the offered, so asked for afresh
                return ActionAddItems().add(turn, text, waiting=pending[1:])
            # "12 nahi 6 ande" about a line already in the cart: changed; the question stays
        else:
            changes = turn.tracker.get_slot("offered_changes") or []
            for change in changes:  # "no, the mother dairy one": the bot's pick, swapped
                if _names_one_of(turn, text, change["options"], against=change.get("picked")):
                    return ActionChooseOption().act(turn)
        cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
        if cart.is_empty:
            return ActionAddItems().add(turn, text) if lines else _nothing(turn)
        last: list[str] = list(turn.tracker.get_slot("last_added") or [])
        changed = False
        for line in lines:
            named = _in_cart_line(turn, line)
            quantity = line.line.quantity
            if named and quantity is not None:
                replace_line(turn, named, named, quantity)
                changed = True
            elif _amount_only(line) and last:
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
        if pending:
            return ask_next_choice(turn, pending)
        return [SlotSet("offered_changes", None)]


def _amount_only(line: ParsedLine) -> bool:
    """A quantity with no product named ("sorry, 5 kg"; leftover words that name nothing)."""
    return line.line.quantity is not None and (
        not line.line.item or line.resolution.product is None
    )


def _spoken(quantity: Quantity | None) -> str:
    if quantity is None:
        return ""
    unit = {"pack": "packet", None: ""}.get(quantity.unit, quantity.unit)
    return f"{quantity.amount:g} {unit}".strip()


def _in_cart_line(turn: Turn, line: ParsedLine) -> str | None:
    """The cart line the correction's item names, if one does — and names as well as anything
    in the catalog: "toned milk" with full cream milk in the cart names the toned milk."""
    named = in_cart(turn, line.line.item) if line.line.item else []
    if not named:
        return None
    best = line.resolution.product
    if best is not None and best.sku not in {p.sku for p in named}:
        standing = _standing(turn, line.line.item)
        if standing.get(best.sku, 0.0) - standing.get(named[0].sku, 0.0) > SINGLES_OUT:
            return None
    return named[0].sku


SINGLES_OUT = 0.05  # how much better one product must be named than another to mean it


def _standing(turn: Turn, text: str) -> dict[str, float]:
    """Each pack's score for `text` against the whole catalog: comparable across products, as
    scores over a few products' own index are not."""
    engine, _ = turn.engine()
    return {
        pack.sku: scored.score
        for scored in engine.resolver.rank(text)
        for pack in scored.variant.variant.packs
    }


def _names_one_of(turn: Turn, text: str, skus: list[str], against: str | None = None) -> bool:
    """Whether `text` singles out one of `skus`: named well, and better than the others (or
    than `against`, the product already picked). "6 eggs" names every egg alike: none of them."""
    standing = _standing(turn, text)
    scores = sorted((standing.get(s, 0.0) for s in set(skus)), reverse=True)
    if not scores or scores[0] < 0.5:
        return False
    rival = standing.get(against, 0.0) if against else (scores[1] if len(scores) > 1 else 0.0)
    return scores[0] - rival > SINGLES_OUT


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
