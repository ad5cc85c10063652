"""Cart actions: add (with "which one?" questions), choose, remove, change, view, clear."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from rasa_sdk.events import SlotSet

from actions.catalog import ActionAskPrice, priced_before
from actions.faq import answer_from_faqs
from actions.render import cart_buttons, cart_text, change_offer, choice_question
from actions.runtime import ShopAction, Turn
from bot.cart import service as carts
from bot.catalog.cheapest import cheapest_question
from bot.catalog.choice import Decision, decide
from bot.catalog.index import CatalogIndex
from bot.catalog.model import CatalogProduct
from bot.catalog.packs import choose_packs, sized_packs, target_in_pack_units
from bot.catalog.resolver import Resolver
from bot.engine import ItemEngine, ParsedLine
from bot.orders import service as orders
from bot.parsing.lexicon import AMBIGUOUS_NUMBERS, Unit
from bot.parsing.parser import ItemLine
from bot.parsing.quantity import Quantity, number_value
from bot.review.service import ReviewKind, record
from bot.settings import get_settings
from bot.text.normalize import normalize

ORDINALS = {
    "first": 1,
    "pehla": 1,
    "pehle": 1,
    "pahla": 1,
    "पहला": 1,
    "पहले": 1,
    "second": 2,
    "doosra": 2,
    "dusra": 2,
    "doosre": 2,
    "दूसरा": 2,
    "दूसरे": 2,
    "third": 3,
    "teesra": 3,
    "tisra": 3,
    "तीसरा": 3,
    "fourth": 4,
    "chautha": 4,
    "चौथा": 4,
    "fifth": 5,
    "paanchva": 5,
    "पाँचवाँ": 5,
}


def _pending_entry(line: Any) -> dict[str, Any]:
    r = line.resolution
    options = [r.product, *r.alternatives]
    return {
        "item": line.line.item or line.line.text,
        "amount": line.line.quantity.amount if line.line.quantity else None,
        "unit": line.line.quantity.unit if line.line.quantity else None,
        "options": [p.sku for p in options if p is not None],
    }


class ActionAddItems(ShopAction):
    def name(self) -> str:
        return "action_add_items"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        if cheapest_question(turn.text) is not None:  # "sabse sasta kaunsa hai" orders nothing
            return ActionAskPrice().answer(turn, turn.text)
        swapped = _swap_offered(turn)
        if swapped is not None:
            return swapped
        earlier = priced_before(turn)
        if earlier is None:
            return self.add(turn, turn.text)
        lines = ActionAddItems._engine_lines(turn)
        asked = turn.text.rstrip().endswith("?")
        if asked and all(not ln.line.item or ln.line.quantity is None for ln in lines):
            return ActionAskPrice().answer(turn, turn.text)  # "and tata salt?" after a price
        return self.add_priced(turn, earlier)

    @staticmethod
    def _engine_lines(turn: Turn) -> tuple[ParsedLine, ...]:
        engine, _ = turn.engine()
        return engine.parse(turn.text).lines

    def add_priced(self, turn: Turn, earlier: ParsedLine) -> list[dict[str, Any]]:
        """After a price: "ok add 2 of those", "वही एक डाल दो" put in the pack just priced;
        "Dhara wala 1 daal do" the priced product its words name."""
        engine, variants = turn.engine()
        lines = engine.parse(turn.text).lines
        priced = earlier.resolution.packs[0][0] if earlier.resolution.packs else None
        shown = {
            variants[p.sku].key
            for p in (earlier.resolution.product, *earlier.resolution.alternatives)
            if p is not None and p.sku in variants
        }
        packs: list[tuple[str, int]] = []
        for line in lines:
            q = line.line.quantity
            count = max(1, round(q.amount)) if q and q.unit in (None, "pack") else None
            named = [
                p
                for p in (line.resolution.product, *line.resolution.alternatives)
                if p is not None and p.sku in variants and variants[p.sku].key in shown
            ]
            if not line.line.item and priced is not None:
                variant = variants.get(priced.sku)
                if count or q is None or variant is None:
                    packs.append((priced.sku, count or 1))
                else:  # "दो पैकेट एक लीटर वाले डाल दो": that product, in these packs
                    fit = choose_packs(variant.packs, q.amount, q.unit)
                    sized = sized_packs(variant.packs, fit, q.amount, q.unit, None, q.pack)
                    packs.extend((p.sku, c) for p, c in sized)
            elif named and (count or q is None):
                variant = variants.get(named[0].sku)
                eq = earlier.line.quantity
                chosen = (
                    choose_packs(variant.packs, eq.amount, eq.unit)
                    if variant and eq and eq.unit in ("g", "ml")
                    else [(named[0], 1)]
                )
                packs.extend((p.sku, c * (count or 1)) for p, c in chosen)
        if not packs:
            return self.add(turn, turn.text)
        cart = carts.add_packs(turn.session, turn.shop.id, turn.wa_id, packs)
        turn.send(cart_text(turn, cart, header=turn.t("added")), cart_buttons(turn, cart))
        return [SlotSet("last_added", [sku for sku, _ in packs])]

    def add(
        self, turn: Turn, text: str, waiting: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """Put what `text` asks for in the cart; `waiting` are questions still open before it."""
        engine, _ = turn.engine()
        parsed = engine.parse(text)
        if _names_the_cart(text) and not any(ln.resolution.product for ln in parsed.lines):
            return ActionViewCart().act(turn)  # "कार्ट भेजो एक बार", "cart bhej do": the cart
        parsed = replace(parsed, lines=_refinements(engine, parsed.lines))
        added: list[tuple[CatalogProduct, int]] = []
        pending: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        notes: list[str] = []
        settings = get_settings()
        for line in parsed.lines:
            r = line.resolution
            if r.status == "matched" and r.product is not None:
                if sum(c for _, c in r.packs) > settings.max_packs_unasked:
                    pending.append(_pending_entry(line))  # 40 small packs: ask, never stack
                else:
                    added.extend(r.packs)
            elif r.status == "ambiguous" and r.product is not None:
                decision, bought = self._decide(turn, line)
                if decision.pick is None:
                    pending.append(_pending_entry(line))
                    self._review(
                        turn, "ambiguous", line, [p.sku for p in (r.product, *r.alternatives)]
                    )
                elif _count(packs := self._packs_of(turn, line, decision.pick, bought)) > (
                    settings.max_packs_unasked
                ):
                    pending.append(_pending_entry(line))  # "2 kg hing": 40 small packs, ask
                else:
                    added.extend(packs)
                    changes.append(
                        {
                            **_pending_entry(line),
                            "options": [p.sku for p in decision.others],
                            "placed": [[p.sku, c] for p, c in packs],
                            "picked": decision.pick.sku,
                        }
                    )
            else:
                item = line.line.item or line.line.text
                notes.append(turn.t("unmatched", item=item))
                if r.alternatives and not line.unsold:
                    notes.append(
                        turn.t(
                            "did_you_mean",
                            options=", ".join(turn.label(a) for a in r.alternatives[:3]),
                        )
                    )
                self._review(turn, "unmatched", line, [a.sku for a in r.alternatives])
        if not parsed.lines:
            turn.say("nothing_understood")
            record(
                turn.session,
                turn.shop.id,
                kind="unmatched",
                text=turn.text,
                language=parsed.language,
                prediction="add_items",
                confidence=turn.intent[1],
                conversation_id=turn.wa_id,
            )
            return []
        if added:
            cart = carts.add_packs(
                turn.session, turn.shop.id, turn.wa_id, [(p.sku, c) for p, c in added]
            )
            turn.send(
                cart_text(turn, cart, header=turn.t("added")),
                None if pending else cart_buttons(turn, cart),
            )
        if changes:
            text, buttons = change_offer(turn, changes)
            turn.send(text, buttons)
        for note in notes:
            turn.send(note)
        return [
            *ask_next_choice(turn, [*(waiting or []), *pending]),
            SlotSet("offered_changes", changes or None),
            SlotSet("last_added", [p.sku for p, _ in added] or None),
            SlotSet("priced", None),
        ]

    @staticmethod
    def _decide(turn: Turn, line: ParsedLine) -> tuple[Decision, list[str]]:
        """Ask, or put the usual (or this shopper's own earlier) choice in at once; with the
        SKUs this shopper bought, newest first."""
        r = line.resolution
        _, variants = turn.engine()
        bought = [
            ln.sku
            for order in orders.orders_for(turn.session, turn.shop.id, turn.wa_id, limit=10)
            if order.status not in ("cancelled",)
            for ln in order.lines
        ]
        return decide(
            [p for p in (r.product, *r.alternatives) if p is not None],
            item=line.line.item or "",
            bought_before=bought,
            variant_of={sku: v.key for sku, v in variants.items()},
            price_spread=get_settings().choice_price_spread,
            packs_miss=_packs_miss(r.packs, line),
            specified=line.line.quantity is not None or line.line.size is not None,
        ), bought

    @staticmethod
    def _packs_of(
        turn: Turn, line: ParsedLine, product: CatalogProduct, bought: Sequence[str] = ()
    ) -> list[tuple[CatalogProduct, int]]:
        """The packs of `product` for the line: with no amount said, the very pack this
        shopper bought before ("the toor dal I took last time" is their 1 kg pack)."""
        r = line.resolution
        engine, variants = turn.engine()
        q = line.line.quantity
        variant = variants.get(product.sku)
        count = 1 if q is None else None
        if (
            q is not None
            and variant is not None
            and q.unit in (None, "pack")
            and engine.resolver.bare_unit(variant.first, q.amount, q.unit) == "pack"
        ):
            count = max(1, round(q.amount))  # "2 packet doodh": two of their usual litre
        if count is not None and variant is not None:
            same = {p.sku for p in variant.packs}
            earlier = next((sku for sku in bought if sku in same), None)
            if earlier is not None and earlier in engine.index.by_sku:
                return [(engine.index.by_sku[earlier], count)]
        if r.product is not None and product.sku == r.product.sku:
            return list(r.packs)
        variant = variants[product.sku]
        amount, unit = (q.amount, q.unit) if q else (None, None)
        return choose_packs(
            variant.packs, amount, engine.resolver.bare_unit(variant.first, amount, unit)
        )

    @staticmethod
    def _review(turn: Turn, kind: ReviewKind, line: ParsedLine, candidates: list[str]) -> None:
        record(
            turn.session,
            turn.shop.id,
            kind=kind,
            text=line.line.text,
            language=turn.language,
            prediction=line.resolution.product.sku if line.resolution.product else None,
            confidence=line.resolution.confidence,
            conversation_id=turn.wa_id,
            details={"message": turn.text, "candidates": candidates},
        )


def _refinements(engine: ItemEngine, lines: Sequence[ParsedLine]) -> tuple[ParsedLine, ...]:
    """One product said twice: "तेल भी, same Dhara 1 litre" and "1 kilo basmati chawal, rozana
    wala chalega" are one line each, the second words saying which; never two oils."""
    out: list[ParsedLine] = []
    for line in lines:
        prev = out[-1] if out else None
        a = prev.resolution.product if prev else None
        b = line.resolution.product
        if prev is None or a is None or b is None or a.kind != b.kind:
            out.append(line)
            continue
        if prev.line.quantity is None:
            out[-1] = line  # "तेल भी, same Dhara 1 litre": the second says it all
        elif line.line.quantity is None:
            q = prev.line.quantity
            item = f"{prev.line.item} {line.line.item}"
            joined = engine.resolver.resolve(item, q.amount, q.unit)
            chosen = joined if joined.product and joined.product.kind == a.kind else None
            if chosen is None:
                chosen = engine.resolver.resolve(line.line.item, q.amount, q.unit)
            text = f"{prev.line.text} {line.line.text}"
            out[-1] = ParsedLine(ItemLine(text, item, q), chosen)
        else:
            out.append(line)
    return tuple(out)


CART_WORDS = frozenset(["cart", "kart", "basket", "कार्ट", "टोकरी"])


def _names_the_cart(text: str) -> bool:
    """ "कार्ट भेजो एक बार" read as an order: the shopper wants to see the cart."""
    return bool(set(normalize(text).split()) & CART_WORDS)


def _swap_offered(turn: Turn) -> list[dict[str, Any]] | None:
    """Right after the others of a cart line were offered ("doodh ke options dikhao"), a
    message naming one of them ("Amul Gold wala 1 ltr ke 2") replaces that line rather than
    adding a second milk. None: the message names none of the offered products."""
    changes: list[dict[str, Any]] = list(turn.tracker.get_slot("offered_changes") or [])
    # only the others the shopper asked to see; "I picked X, want a different one?" after an
    # add leaves "1 litre amul gold bhi" an order for a second milk
    if not any(e.get("asked") for e in changes):
        return None
    engine, variants = turn.engine()
    lines = [ln for ln in engine.parse(turn.text).lines if ln.resolution.product is not None]
    if len(lines) != 1:
        return None
    line = lines[0]
    product = line.resolution.product
    assert product is not None  # `lines` holds the resolved ones only
    chosen = variants.get(product.sku)
    entry = next(
        (
            e
            for e in changes
            if e.get("asked")
            and chosen is not None
            and any(
                (v := variants.get(sku)) is not None and v.key == chosen.key for sku in e["options"]
            )
        ),
        None,
    )
    if entry is None or chosen is None:
        return None
    cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
    held = {ln.sku: ln.count for ln in cart.lines}
    for placed, count in entry["placed"]:
        if placed in held:
            carts.set_count(
                turn.session, turn.shop.id, turn.wa_id, placed, max(0, held[placed] - count)
            )
    packs = (
        list(line.resolution.packs)
        if line.line.quantity is not None
        else choose_packs(
            chosen.packs,
            entry["amount"],
            engine.resolver.bare_unit(chosen.first, entry["amount"], entry["unit"]),
        )
    )
    cart = carts.add_packs(turn.session, turn.shop.id, turn.wa_id, [(p.sku, c) for p, c in packs])
    turn.send(cart_text(turn, cart, header=turn.t("changed")), cart_buttons(turn, cart))
    rest = [e for e in changes if e is not entry]
    return [
        SlotSet("offered_changes", rest or None),
        SlotSet("last_added", [p.sku for p, _ in packs] or None),
    ]


def _count(packs: Sequence[tuple[CatalogProduct, int]]) -> int:
    return sum(count for _, count in packs)


def _packs_miss(packs: tuple[tuple[CatalogProduct, int], ...], line: ParsedLine) -> float | None:
    """How far the packs miss the asked amount, relative (None: nothing to compare)."""
    q = line.line.quantity
    if not packs or q is None or q.unit in (None, "pack"):
        return None
    first = packs[0][0]
    target = target_in_pack_units(q.amount, q.unit, first)
    if not target:
        return None
    total = sum(p.pack_size * c for p, c in packs)
    return abs(total - target) / target


def ask_next_choice(turn: Turn, pending: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not pending:
        return [SlotSet("pending_choices", None)]
    engine, _ = turn.engine()
    first = pending[0]
    options = [engine.index.by_sku[s] for s in first["options"] if s in engine.index.by_sku]
    text, buttons = choice_question(turn, first["item"], options)
    turn.send(text, buttons)
    return [SlotSet("pending_choices", pending)]


class ActionChooseOption(ShopAction):
    def name(self) -> str:
        return "action_choose_option"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        return self.choose(turn)

    def choose(self, turn: Turn, text: str | None = None) -> list[dict[str, Any]]:
        """Answer the open question (or swap the bot's pick) with `text`, the message without
        what it takes back ("toned nahi, full cream wala": the full cream), else the message."""
        pending: list[dict[str, Any]] = list(turn.tracker.get_slot("pending_choices") or [])
        if not pending:
            return self._change(turn, text)
        engine, variants = turn.engine()
        first = pending[0]
        sku = _chosen_sku(turn, first["options"], text)
        if sku is None:
            turn.say("bad_choice", n=len(first["options"]))
            return ask_next_choice(turn, pending)
        variant = variants.get(sku)
        packs = (
            choose_packs(
                variant.packs, first["amount"], _unit(engine.resolver, variant.first, first)
            )
            if variant
            else []
        )
        if packs:
            cart = carts.add_packs(
                turn.session, turn.shop.id, turn.wa_id, [(p.sku, c) for p, c in packs]
            )
            if len(pending) == 1:
                turn.send(cart_text(turn, cart, header=turn.t("added")), cart_buttons(turn, cart))
            else:
                turn.send(f"{turn.t('added')} {', '.join(turn.label(p, c) for p, c in packs)}")
        # the chosen line is the one "sorry, 2 kg" or "masoor chahiye thi" changes next
        added = [SlotSet("last_added", [p.sku for p, _ in packs])] if packs else []
        return [*ask_next_choice(turn, pending[1:]), *added]

    @staticmethod
    def _nothing_open(turn: Turn) -> list[dict[str, Any]]:
        """No question open: "Dhara wala 1 daal do" after a price, or "vo wala 2 packet" naming
        a product, is an order, not a choice."""
        engine, _ = turn.engine()
        if priced_before(turn) is not None or any(
            ln.resolution.product is not None for ln in engine.parse(turn.text).lines
        ):
            return ActionAddItems().act(turn)
        turn.say("no_pending_choice")
        return []

    @staticmethod
    def _change(turn: Turn, text: str | None = None) -> list[dict[str, Any]]:
        """A tap on "change" after the bot picked the usual product: swap that line."""
        changes: list[dict[str, Any]] = list(turn.tracker.get_slot("offered_changes") or [])
        offered = [sku for entry in changes for sku in entry["options"]]
        sku = _chosen_sku(turn, offered, text) if offered else None
        entry = next((e for e in changes if sku in e["options"]), None)
        if sku is None or entry is None:
            return ActionChooseOption._nothing_open(turn)
        engine, variants = turn.engine()
        variant = variants.get(sku)
        if variant is None:
            turn.say("no_pending_choice")
            return []
        cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
        held = {line.sku: line.count for line in cart.lines}
        for placed, count in entry["placed"]:
            if placed in held:
                cart = carts.set_count(
                    turn.session, turn.shop.id, turn.wa_id, placed, max(0, held[placed] - count)
                )
        packs = choose_packs(
            variant.packs, entry["amount"], _unit(engine.resolver, variant.first, entry)
        )
        cart = carts.add_packs(
            turn.session, turn.shop.id, turn.wa_id, [(p.sku, c) for p, c in packs]
        )
        turn.send(cart_text(turn, cart, header=turn.t("changed")), cart_buttons(turn, cart))
        rest = [e for e in changes if e is not entry]
        return [
            SlotSet("offered_changes", rest or None),
            SlotSet("last_added", [p.sku for p, _ in packs] or None),
        ]


def _unit(resolver: Resolver, product: CatalogProduct, entry: dict[str, Any]) -> str | None:
    return resolver.bare_unit(product, entry["amount"], entry["unit"])


def _chosen_sku(turn: Turn, options: list[str], text: str | None = None) -> str | None:
    """The option the message picks: a tapped row, a number or ordinal, else the words of
    `text` (default: the message) resolved against just the offered products."""
    entities = turn.tracker.latest_message.get("entities") or []
    for e in entities:
        value: str | None = e.get("value")
        if e.get("entity") == "choice" and value in options:
            return value
    text = turn.text if text is None else text
    words = normalize(text).split()
    for w in words:
        n = ORDINALS.get(w) or (None if w in AMBIGUOUS_NUMBERS else number_value(w))
        if n is not None and float(n).is_integer() and 1 <= int(n) <= len(options):
            return options[int(n) - 1]
    engine, _ = turn.engine()
    # "amul wala": resolve the words against just the offered products
    offered = [engine.index.by_sku[s] for s in options if s in engine.index.by_sku]
    ranked = Resolver(CatalogIndex(offered)).rank(text)
    return ranked[0].variant.variant.first.sku if ranked and ranked[0].score >= 0.5 else None


def _cart_products(turn: Turn) -> tuple[Any, list[CatalogProduct]]:
    cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
    engine, _ = turn.engine()
    return cart, [
        engine.index.by_sku[line.sku] for line in cart.lines if line.sku in engine.index.by_sku
    ]


def _in_products(products: list[CatalogProduct], item: str) -> list[CatalogProduct]:
    """The cart lines an item text means: "milk" is the milk in *this* cart."""
    if not products or not item:
        return []
    ranked = Resolver(CatalogIndex(products), threshold=0.5).rank(item)
    if not ranked or ranked[0].score < 0.5:
        return []
    best = ranked[0].variant.variant
    return list(best.packs)


def in_cart(turn: Turn, item: str) -> list[CatalogProduct]:
    """The packs in this shopper's cart that `item` names."""
    _, products = _cart_products(turn)
    return _in_products(products, item)


def replace_line(turn: Turn, old_sku: str, new_sku: str, quantity: Quantity | None) -> list[str]:
    """Put `new_sku`'s product where `old_sku`'s was: the asked quantity, else as much as the
    old line held ("no, toned milk" keeps the 2 litres). The SKUs put in, for `last_added`."""
    engine, variants = turn.engine()
    old, new = variants.get(old_sku), variants.get(new_sku)
    if new is None:
        return []
    old_skus = {p.sku for p in old.packs} if old else {old_sku}
    cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
    held = [line for line in cart.lines if line.sku in old_skus]
    amount: float | None
    unit: Unit | None
    if quantity is not None:
        amount, unit = quantity.amount, quantity.unit
    elif held:
        amount = float(sum(line.pack_size * line.count for line in held))
        unit = held[0].pack_unit
    else:
        amount, unit = None, None
    for line in held:
        carts.remove(turn.session, turn.shop.id, turn.wa_id, line.sku)
    packs = choose_packs(new.packs, amount, engine.resolver.bare_unit(new.first, amount, unit))
    carts.add_packs(turn.session, turn.shop.id, turn.wa_id, [(p.sku, c) for p, c in packs])
    return [p.sku for p, _ in packs]


class ActionRemoveItems(ShopAction):
    def name(self) -> str:
        return "action_remove_items"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        cart, products = _cart_products(turn)
        if cart.is_empty:
            turn.say("cart_empty")
            return []
        engine, _ = turn.engine()
        removed: list[str] = []
        # "sabun hata do" names what goes; "butter is baar nahi chahiye" what is not wanted
        lines = engine.parse(turn.text).lines or engine.parse(turn.text, wanted=False).lines
        for line in lines:
            hits = _in_products(products, line.line.item)
            if not hits:
                turn.say("not_in_cart", item=line.line.item or line.line.text)
            for p in hits:
                cart = carts.remove(turn.session, turn.shop.id, turn.wa_id, p.sku)
                removed.append(turn.label(p))
        for name in removed:
            turn.say("removed", name=name)
        turn.send(cart_text(turn, cart), cart_buttons(turn, cart))
        return []


class ActionUpdateQuantity(ShopAction):
    def name(self) -> str:
        return "action_update_quantity"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        cart, products = _cart_products(turn)
        if cart.is_empty:
            turn.say("cart_empty")
            return []
        engine, variants = turn.engine()
        by = _by_how_much(turn.text)
        if by is not None:
            changed = _step(turn, *by)
            if changed:
                cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
                turn.send(cart_text(turn, cart), cart_buttons(turn, cart))
                return []
        changed = False
        for line in engine.parse(turn.text).lines:
            hits = _in_products(products, line.line.item)
            q = line.line.quantity
            if hits and q is None and (swap := _other_variant(line, hits)) is not None:
                # "tamatar desi wala kar do": another product of that kind, the amount kept
                placed = replace_line(turn, hits[0].sku, swap.sku, None)
                cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
                counts = {ln.sku: ln.count for ln in cart.lines}
                for sku in placed:
                    product = engine.index.by_sku[sku]
                    turn.say("updated", name=turn.label(product), count=counts.get(sku, 1))
                changed = changed or bool(placed)
                continue
            if not hits or q is None:
                continue
            variant = variants.get(hits[0].sku)
            if variant is None:
                continue
            unit = engine.resolver.bare_unit(variant.first, q.amount, q.unit)
            held = [ln for ln in cart.lines if ln.sku in {p.sku for p in variant.packs}]
            if unit == "pack" and len(held) == 1:  # "doodh 3 kar do": three of the held litre
                cart = carts.set_count(
                    turn.session, turn.shop.id, turn.wa_id, held[0].sku, max(1, round(q.amount))
                )
                turn.say("updated", name=turn.label(held[0]), count=max(1, round(q.amount)))
                changed = True
                continue
            for p in variant.packs:
                if any(cart_line.sku == p.sku for cart_line in cart.lines):
                    cart = carts.remove(turn.session, turn.shop.id, turn.wa_id, p.sku)
            packs = choose_packs(variant.packs, q.amount, unit)
            cart = carts.add_packs(
                turn.session, turn.shop.id, turn.wa_id, [(p.sku, c) for p, c in packs]
            )
            for p, c in packs:
                turn.say("updated", name=turn.label(p), count=c)
            changed = True
        last = list(turn.tracker.get_slot("last_added") or [])
        if not changed and last:
            for line in engine.parse(turn.text).lines:  # "make it 5 kg": the line just added
                if not line.line.item and line.line.quantity is not None:
                    replace_line(turn, last[-1], last[-1], line.line.quantity)
                    cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
                    changed = True
        if not changed:
            turn.say("which_to_change")
        turn.send(cart_text(turn, cart), cart_buttons(turn, cart))
        return []


def _step(turn: Turn, sign: int, text: str) -> bool:
    """Take packs off (or put more on) the cart lines `text` names, by the count it says."""
    engine, _ = turn.engine()
    _, products = _cart_products(turn)
    changed = False
    for line in engine.parse(text).lines:
        q = line.line.quantity
        hits = _in_products(products, line.line.item)
        if not hits or (q is not None and q.unit not in (None, "pack")):
            continue
        step = max(1, round(q.amount)) if q is not None else 1
        held = {ln.sku: ln.count for ln in carts.view(turn.session, turn.shop.id, turn.wa_id).lines}
        sku = next((p.sku for p in hits if p.sku in held), None)
        if sku is None:
            continue
        count = max(0, held[sku] + sign * step)
        carts.set_count(turn.session, turn.shop.id, turn.wa_id, sku, count)
        if count:
            turn.say("updated", name=turn.label(engine.index.by_sku[sku]), count=count)
        else:
            turn.say("removed", name=turn.label(engine.index.by_sku[sku]))
        changed = True
    return changed


FEWER = frozenset(["kam", "less", "fewer", "कम"])
MORE = frozenset(["zyada", "jyada", "more", "extra", "ज़्यादा", "ज्यादा"])


def _by_how_much(text: str) -> tuple[int, str] | None:
    """ "ek maggi kam kar do" is one less, "2 maggi zyada" two more: (sign, the words without
    "kam"/"zyada"); None when the message says neither."""
    words = normalize(text).split()
    sign = -1 if set(words) & FEWER else 1 if set(words) & MORE else 0
    if not sign:
        return None
    return sign, " ".join(w for w in words if w not in FEWER and w not in MORE)


def _other_variant(line: ParsedLine, hits: list[CatalogProduct]) -> CatalogProduct | None:
    """The product a line names when it is another one of the cart line's kind: "desi" of
    "tamatar desi wala kar do" with hybrid tomatoes in the cart; None when it names that one."""
    product = line.resolution.product
    if product is None or line.resolution.status == "unmatched" or not hits:
        return None
    if product.sku in {p.sku for p in hits} or not product.kind or product.kind != hits[0].kind:
        return None
    return product


class ActionViewCart(ShopAction):
    def name(self) -> str:
        return "action_view_cart"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        earlier = priced_before(turn)
        if earlier is not None and any(
            ln.line.quantity is not None for ln in ActionAddItems._engine_lines(turn)
        ):
            # "ठीक है, वही एक डाल दो" read as a plain yes after a price: the priced pack goes in
            return ActionAddItems().add_priced(turn, earlier)
        cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
        if cart.is_empty and answer_from_faqs(turn, topics_only=True):
            return []  # "subah kitne baje se order aata hai" before anything is in the cart
        turn.send(cart_text(turn, cart), cart_buttons(turn, cart))
        return []


class ActionClearCart(ShopAction):
    def name(self) -> str:
        return "action_clear_cart"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        carts.clear(turn.session, turn.shop.id, turn.wa_id)
        turn.say("cleared")
        return [SlotSet("pending_choices", None)]
