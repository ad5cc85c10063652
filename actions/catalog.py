"""Catalog actions: browse categories and products, ask a price."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa_sdk.events import SlotSet
from sqlalchemy import select

from actions.faq import answer_from_faqs
from actions.render import cart_buttons, cart_text, choice_question, distinct_labels
from actions.runtime import ShopAction, Turn, product_label
from bot.cart import service as carts
from bot.catalog.cheapest import cheapest, cheapest_question
from bot.catalog.index import keys
from bot.catalog.model import CatalogProduct, format_rupees
from bot.catalog.packs import choose_packs
from bot.db.models import Category
from bot.engine import ItemEngine, ParsedLine
from bot.text.normalize import normalize

MAX_LISTED = 10


def _named_category(text: str, cats: list[Category]) -> str | None:
    """ "सब्ज़ियाँ दिखाओ", "show me fruits": a category named by its English or Hindi name."""
    said = set(keys(text))
    best, hits = None, 0
    for c in cats:
        names = set(keys(c.name)) | set(keys(c.name_hi)) | set(keys(c.slug.replace("-", " ")))
        # "sabzi" is the singular of "सब्ज़ियाँ" (sabjiyan): a word of 4+ letters a name begins with
        named = sum(
            1 for k in said if k in names or (len(k) >= 4 and any(n.startswith(k) for n in names))
        )
        if named > hits:
            best, hits = c.slug, named
    return best


class ActionBrowseCatalog(ShopAction):
    def name(self) -> str:
        return "action_browse_catalog"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        engine, variants = turn.engine()
        cats = list(
            turn.session.scalars(
                select(Category).where(Category.shop_id == turn.shop.id).order_by(Category.position)
            )
        )
        slug = next(
            (
                e["value"]
                for e in turn.tracker.latest_message.get("entities") or []
                if e.get("entity") == "category"
            ),
            None,
        )
        if slug is None:
            offered = _offer_others(turn)
            if offered is not None:
                return offered
            if not _asks_for_options(turn, engine):  # "doodh ke options": milk, not the aisle
                slug = _named_category(turn.text, cats)
        if slug is None:
            lines = engine.parse(turn.text).lines
            named = [(ln.line.item, ln.resolution.product) for ln in lines if ln.resolution.product]
            matched = [ln for ln in lines if ln.resolution.status == "matched"]
            if named and matched and len(lines) == 1:
                # "amul gold doodh ke kaunse pack hai": one product named, its packs to tap
                product = matched[0].resolution.product
                variant = variants.get(product.sku) if product else None
                if variant is not None and len(variant.packs) > 1:
                    return _list_packs(turn, variant.packs)
            if named:  # "paneer kaun kaun se hai", "doodh ke options": that kind, every brand
                said, product = named[0]
                return _list_kind(turn, said or product.kind, product.kind)
            shown = _last_kind(turn)
            if shown is not None:
                # "dusra brand dikhao", "other options?" right after an add: that kind's brands
                return _list_kind(turn, shown.kind, shown.kind)
            for line in lines:  # "do you have fish?": said plainly, then the aisles
                item = line.line.item
                if item and (line.unsold or not engine.resolver.names_something(item)):
                    turn.say("unmatched", item=item)
            # "masale dikhao": the aisle of what the words name
            ranked = engine.resolver.rank(turn.text)
            if ranked and ranked[0].score >= engine.resolver.threshold:
                slug = ranked[0].variant.category
        category = next((c for c in cats if c.slug == slug), None)
        if category is None:
            buttons = [
                {
                    "title": (c.name_hi if turn.language == "hi" and c.name_hi else c.name)[:24],
                    "payload": f'/browse_catalog{{"category":"{c.slug}"}}',
                }
                for c in cats
            ]
            turn.say("categories", buttons=buttons)
            return []
        products = [iv.variant for iv in engine.index.variants if iv.category == category.slug]
        products.sort(key=lambda v: v.position)
        title = category.name_hi if turn.language == "hi" and category.name_hi else category.name
        rows = [turn.t("category_products", category=title)]
        buttons = []
        for v in products[:MAX_LISTED]:
            p = v.first
            rows.append(f"• {turn.label(p)} — {format_rupees(p.price_paise)}")
            buttons.append({"title": turn.label(p), "payload": product_label(p)})
        turn.send("\n".join(rows), buttons)
        return []


class ActionAskPrice(ShopAction):
    def name(self) -> str:
        return "action_ask_price"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        return self.answer(turn, turn.text)

    def answer(self, turn: Turn, text: str) -> list[dict[str, Any]]:
        """The price of what `text` names; "और एक लीटर वाला?" right after a price names the
        product of that earlier question."""
        engine, variants = turn.engine()
        rest = cheapest_question(text)
        if rest is not None:
            answered = self.cheapest(turn, rest)
            if answered is not None:
                return answered
        parsed = engine.parse(text).lines
        earlier = priced_before(turn)
        if earlier and parsed and all(not ln.line.item for ln in parsed):
            text = f"{earlier.line.item} {text}"
            parsed = engine.parse(text).lines
        lines = [line for line in parsed if line.resolution.product is not None]
        if not lines:
            if answer_from_faqs(turn, topics_only=True):  # "delivery ka kitna lagega"
                return []
            unsold = [ln.line.item for ln in parsed if ln.line.item]
            for item in unsold:  # "250 gm badam kitne ka": we don't have it, said plainly
                turn.say("unmatched", item=item)
            if unsold:
                return []
            cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
            if not cart.is_empty:  # "कुल कितने रुपये हुए?", "total?": the cart's total
                turn.send(cart_text(turn, cart), cart_buttons(turn, cart))
                return []
            turn.say("which_price")
            return []
        rows = []
        for line in lines:
            r = line.resolution
            assert r.product is not None  # `lines` holds the resolved ones only
            shown = [r.product, *r.alternatives[:3]] if r.status == "ambiguous" else [r.product]
            for p in shown:
                variant = variants.get(p.sku)
                for pack in variant.packs if variant else [p]:
                    rows.append(
                        turn.t(
                            "price", name=turn.label(pack), price=format_rupees(pack.price_paise)
                        )
                    )
        turn.send("\n".join(dict.fromkeys(rows)))
        return [SlotSet("priced", text)]

    @staticmethod
    def cheapest(turn: Turn, rest: str) -> list[dict[str, Any]] | None:
        """The cheapest pack of what `rest` names, or of what was priced just before
        ("1 लीटर वाला सबसे सस्ता कौन सा है" after the mustard oils); None: nothing named."""
        engine, _ = turn.engine()
        lines = [ln for ln in engine.parse(rest).lines if ln.resolution.product is not None]
        earlier = priced_before(turn)
        if not lines and earlier is not None:
            joined = f"{earlier.line.item} {rest}"
            lines = [ln for ln in engine.parse(joined).lines if ln.resolution.product]
        if not lines:
            return None
        line = lines[0]
        product = line.resolution.product
        assert product is not None  # `lines` holds the resolved ones only
        q = line.line.quantity
        packs = [
            p
            for iv in engine.index.variants
            if iv.variant.first.kind == product.kind
            for p in iv.variant.packs
        ]
        pick = cheapest(packs, q.amount if q else None, q.unit if q else None)
        if pick is None:
            return None
        turn.send(turn.t("price", name=turn.label(pick), price=format_rupees(pick.price_paise)))
        return [SlotSet("priced", f"{pick.name} {pick.pack_size} {pick.pack_unit}")]


OTHER_WORDS = frozenset(
    ["dusra", "doosra", "dusre", "doosre", "aur", "other", "another", "else", "different"]
) | frozenset(["दूसरा", "दूसरे", "और", "अन्य", "brand", "brands", "ब्रांड", "company", "कंपनी"])


def _offer_others(turn: Turn) -> list[dict[str, Any]] | None:
    """ "doodh ke options dikhao", "dusra brand dikhao na" about a line already in the cart:
    the other products of its kind in the amount the line holds, as a question whose answer
    swaps the line (the `offered_changes` a tap on "change" uses). None: no such cart line."""
    engine, variants = turn.engine()
    words = set(normalize(turn.text).split())
    kind: str | None = None
    if words & OPTION_WORDS:
        kinds = [
            ln.resolution.product.kind
            for ln in engine.parse(turn.text).lines
            if ln.resolution.product
        ]
        kind = kinds[0] if kinds else None
    if kind is None:
        shown = _last_kind(turn)
        kind = shown.kind if shown is not None else None
    if not kind:
        return None
    cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
    held = [
        ln
        for ln in cart.lines
        if ln.sku in engine.index.by_sku and engine.index.by_sku[ln.sku].kind == kind
    ]
    if not held:
        return None
    mine = {v.key for ln in held if (v := variants.get(ln.sku)) is not None}
    amount = float(sum(ln.pack_size * ln.count for ln in held))
    unit = held[0].pack_unit
    options: list[CatalogProduct] = []
    for iv in sorted(engine.index.variants, key=lambda iv: iv.variant.position):
        v = iv.variant
        if v.first.kind != kind or v.key in mine or len(options) >= MAX_LISTED:
            continue
        packs = choose_packs(v.packs, amount, engine.resolver.bare_unit(v.first, amount, unit))
        if packs:
            options.append(packs[0][0])
    if not options:
        return None
    text, buttons = choice_question(turn, kind, options)
    turn.send(text, buttons)
    change = {
        "item": kind,
        "amount": amount,
        "unit": unit,
        "options": [p.sku for p in options],
        "placed": [[ln.sku, ln.count] for ln in held],
        "picked": held[0].sku,
        "asked": True,  # the shopper asked for these: naming one of them swaps the line
    }
    return [SlotSet("offered_changes", [change]), SlotSet("pending_choices", None)]


OPTION_WORDS = frozenset(
    ["options", "option", "kaun", "kaunse", "konse", "konsa", "kaunsa", "brands"]
) | frozenset(["कौन", "कौनसे", "विकल्प", "variety", "ब्रांड"])


def _asks_for_options(turn: Turn, engine: ItemEngine) -> bool:
    """Words asking which ones ("kaunse pack", "options") about a product they name."""
    words = set(normalize(turn.text).split())
    if not words & (OPTION_WORDS | {"pack", "packs", "पैक"}):
        return False
    return any(ln.resolution.product for ln in engine.parse(turn.text).lines)


def _last_kind(turn: Turn) -> CatalogProduct | None:
    """The product just put in when the message asks for others ("dusra brand dikhao na")."""
    words = set(normalize(turn.text).split())
    if not words & {"brand", "brands", "ब्रांड", "company", "कंपनी", "options", "option"}:
        return None
    if not words & OTHER_WORDS:
        return None
    last = list(turn.tracker.get_slot("last_added") or [])
    engine, _ = turn.engine()
    return engine.index.by_sku.get(last[-1]) if last else None


def _list_packs(turn: Turn, packs: Sequence[CatalogProduct]) -> list[dict[str, Any]]:
    """One product's packs, each a row whose tap puts that pack in the cart."""
    rows = [turn.t("category_products", category=turn.label(packs[0]).rsplit(" ", 2)[0])]
    buttons = []
    # a row shows 24 characters: "Amul Gold Full Cream Mi…" twice says nothing, "1 L" does
    for pack, short in zip(packs, distinct_labels(turn, packs), strict=True):
        rows.append(f"• {turn.label(pack)} — {format_rupees(pack.price_paise)}")
        buttons.append({"title": short, "payload": product_label(pack)})
    turn.send("\n".join(rows), buttons)
    return []


def _list_kind(turn: Turn, said: str, kind: str) -> list[dict[str, Any]]:
    """Every product of one kind, cheapest pack first within each, as the shop shelves them."""
    engine, _ = turn.engine()
    variants = [iv.variant for iv in engine.index.variants if iv.variant.first.kind == kind]
    variants.sort(key=lambda v: v.position)
    rows = [turn.t("category_products", category=said)]
    buttons = []
    for v in variants[:MAX_LISTED]:
        for pack in v.packs:
            rows.append(f"• {turn.label(pack)} — {format_rupees(pack.price_paise)}")
        buttons.append({"title": turn.label(v.first), "payload": product_label(v.first)})
    turn.send("\n".join(rows), buttons)
    return []


def priced_before(turn: Turn) -> ParsedLine | None:
    """The product whose price the bot gave in answer to the shopper's previous message: what
    "ok add 2 of those", "वही एक डाल दो" and "and the 1 litre one?" refer to."""
    said: str | None = None
    current = False
    for event in reversed(turn.tracker.events):
        kind = event.get("event")
        if kind == "user":
            if current:
                break
            current = True
        elif current and kind == "slot" and event.get("name") == "priced":
            said = event.get("value")
            break
    if not said:
        return None
    engine, _ = turn.engine()
    found = [ln for ln in engine.parse(said).lines if ln.resolution.product is not None]
    return found[0] if found else None
