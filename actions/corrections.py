"""Corrections in context: "no, I meant toned milk" while a choice is open picks it; "sorry,
2 kg" after an add changes that line; "12 nahi 6 ande" changes the eggs; "galat hai, amul wala"
swaps what the bot picked. The words taken back are dropped first (bot.parsing.correction),
and name the line that changes: "toor nahi moong chahiye thi" swaps the toor dal, whatever was
added last; a brand alone ("mother dairy wala") means that brand of the line it corrects."""

from __future__ import annotations

from collections.abc import Sequence
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
from bot.catalog.model import CatalogProduct
from bot.engine import ParsedLine
from bot.parsing.correction import corrected, taken_back
from bot.parsing.quantity import Quantity
from bot.text.normalize import normalize


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
                return ActionChooseOption().choose(turn, text or None)
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
                    return ActionChooseOption().choose(turn, text)
        cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
        if cart.is_empty or _instead_of_nothing(turn, lines):
            return ActionAddItems().add(turn, text) if lines else _nothing(turn)
        last: list[str] = list(turn.tracker.get_slot("last_added") or [])
        withdrawn = _withdrawn(turn)
        placed: list[str] = []
        changed = False
        for line in lines:
            named = _in_cart_line(turn, line)
            quantity = line.line.quantity
            if named and quantity is not None:
                placed += replace_line(turn, named, named, quantity)
                changed = True
            elif _amount_only(line) and (withdrawn or last):
                target = withdrawn or last[-1]
                placed += replace_line(turn, target, target, quantity)
                changed = True
            elif line.line.item and line.resolution.product is not None:
                swap = _swap(turn, line, withdrawn, last)
                if swap is None:
                    continue
                target, product = swap
                placed += replace_line(turn, target, product.sku, quantity)
                changed = True
        if not changed:
            return _nothing(turn)
        cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
        turn.send(cart_text(turn, cart, header=turn.t("changed")), cart_buttons(turn, cart))
        events: list[dict[str, Any]] = [SlotSet("last_added", placed or last or None)]
        if pending:
            return [*ask_next_choice(turn, pending), *events]
        return [SlotSet("offered_changes", None), *events]


def _instead_of_nothing(turn: Turn, lines: Sequence[ParsedLine]) -> bool:
    """ "मटन नहीं तो 6 अंडे दे दो", "chicken nahi to eggs": the words taken back name nothing in
    the cart (the mutton never went in), and what is said instead is of kinds the cart does not
    hold: an order, not a change to whatever was added last."""
    phrases = [p for p in taken_back(turn.text) if any(ch.isalpha() for ch in p)]
    if not phrases or any(in_cart(turn, p) for p in phrases):
        return False
    products = [ln.resolution.product for ln in lines if ln.resolution.product is not None]
    engine, _ = turn.engine()
    held = {
        engine.index.by_sku[ln.sku].kind
        for ln in carts.view(turn.session, turn.shop.id, turn.wa_id).lines
        if ln.sku in engine.index.by_sku
    }
    return bool(products) and all(p.kind not in held for p in products)


def _withdrawn(turn: Turn) -> str | None:
    """The cart line the words taken back name: the toor dal of "toor nahi moong chahiye"."""
    for phrase in taken_back(turn.text):
        if not any(ch.isalpha() for ch in phrase):
            continue  # "12 nahi 6": a number taken back names no line
        named = in_cart(turn, phrase)
        if named:
            return _held(turn, named)
    return None


def _held(turn: Turn, packs: list[CatalogProduct]) -> str:
    """Of a product's packs, one the cart holds (else the first)."""
    held = {line.sku for line in carts.view(turn.session, turn.shop.id, turn.wa_id).lines}
    return next((p.sku for p in packs if p.sku in held), packs[0].sku)


def _swap(
    turn: Turn, line: ParsedLine, withdrawn: str | None, last: list[str]
) -> tuple[str, CatalogProduct] | None:
    """Which cart line a correction naming a product changes, and to what: the line its taken-
    back words name, else one of the same kind, else the line its words complete ("mother
    dairy wala" and the paneer in the cart: Mother Dairy paneer), else one of the same aisle,
    else the line just added. Said without a brand, the old line's brand is kept ("toor nahi
    moong" of Tata Sampann toor is Tata Sampann moong)."""
    engine, _ = turn.engine()
    product = line.resolution.product
    if product is None:
        return None
    item = line.line.item or ""
    cart = [
        engine.index.by_sku[ln.sku]
        for ln in carts.view(turn.session, turn.shop.id, turn.wa_id).lines
        if ln.sku in engine.index.by_sku
    ]
    newest = sorted(cart, key=lambda p: last.index(p.sku) if p.sku in last else -1, reverse=True)
    target = withdrawn or _same_kind_in_cart(turn, product.kind)
    if target is None and not _names_its_kind(item, product):
        for held in newest:
            fit = engine.resolver.resolve(f"{item} {held.kind}")
            if fit.product is not None and held.kind and fit.product.kind == held.kind:
                return held.sku, fit.product  # "mother dairy wala": that brand of this line
        target = next((p.sku for p in newest if p.category == product.category), None)
    if target is None:
        target = last[-1] if last else None
    if target is None:
        return None
    old = engine.index.by_sku.get(target)
    if (
        old is not None
        and old.brand
        and old.brand != product.brand
        and not _names_a_brand(turn, item)
    ):
        kept = engine.resolver.resolve(f"{old.brand} {item}")
        if kept.product is not None and kept.product.kind == product.kind:
            product = kept.product
    return target, product


def _names_its_kind(item: str, product: CatalogProduct) -> bool:
    """Whether the words say what kind of thing they mean ("sugar", "chini", "moong dal"),
    not only a brand or a variant ("mother dairy wala", "full cream")."""
    brand = set(normalize(product.brand).split()) if product.brand else set()
    said = set(normalize(item).split()) - brand
    kinds = {w for phrase in (product.kind, *product.aliases) for w in normalize(phrase).split()}
    return bool(said & (kinds - brand))


def _names_a_brand(turn: Turn, item: str) -> bool:
    """Whether the words name some brand of the shop ("amul wala", "टाटा वाली")."""
    engine, _ = turn.engine()
    words = f" {normalize(item)} "
    for p in engine.index.by_sku.values():
        for brand in (
            p.brand,
            p.brand_hi,
            p.name_hi.split(" ")[0] if p.brand and p.name_hi else "",
        ):
            key = normalize(brand) if brand else ""
            if key and f" {key} " in words:
                return True
    return False


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
