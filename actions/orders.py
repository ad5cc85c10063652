"""After the order: where is it, cancel it, order the same again."""

from __future__ import annotations

from typing import Any

from actions.faq import answer_from_faqs
from actions.render import cart_buttons, cart_text
from actions.runtime import ShopAction, Turn
from bot.cart import service as carts
from bot.catalog.model import Variant, format_rupees
from bot.catalog.packs import choose_packs
from bot.engine import ParsedLine
from bot.errors import ShopError
from bot.orders import service as orders
from bot.orders.slots import slot_label as next_slot_label
from bot.text.normalize import normalize

# What a shopper may cancel from the chat: before the shop has packed it. Later, a person decides.
SHOPPER_CANCELLABLE = ("pending_payment", "paid")
ARRIVING = ("pending_payment", "paid", "packed", "out_for_delivery")
# "mera usual, plus 1 kg chini", "last order repeat, aur atta bhi": the whole order, and more
_WHOLE_ORDER = frozenset(
    normalize(w)
    for w in ["usual", "order", "ऑर्डर", "आर्डर", "repeat", "रिपीट", "saman", "samaan", "सामान",
              "everything", "sab", "सब", "हमेशा"]
)  # fmt: skip


def status_text(turn: Turn, status: str, payment_method: str = "upi") -> str:
    """A cash-on-delivery order is not waiting for a payment: it is confirmed."""
    if status == "pending_payment" and payment_method == "cod":
        status = "confirmed_cod"
    try:
        return turn.t(f"status_{status}")
    except KeyError:
        return status


class ActionOrderStatus(ShopAction):
    def name(self) -> str:
        return "action_order_status"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        recent = orders.orders_for(turn.session, turn.shop.id, turn.wa_id, limit=3)
        if not recent:  # "डिलीवरी का कितना लगेगा?" reads like a delivery question: it is one
            if not answer_from_faqs(turn, topics_only=True):
                turn.say("no_orders")
            return []
        for order in recent[:1]:
            turn.say(
                "order_status",
                id=order.id,
                total=format_rupees(order.total_paise),
                status=status_text(turn, order.status, order.payment_method),
            )
            if order.status in ARRIVING:
                slot = next_slot_label(order.delivery_slot, turn.language)
                turn.say("arrives", slot=slot)
            if order.status == "pending_payment" and order.payment and order.payment.pay_url:
                turn.say("pay_now", url=order.payment.pay_url)
        return []


class ActionCancelOrder(ShopAction):
    def name(self) -> str:
        return "action_cancel_order"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        recent = orders.orders_for(turn.session, turn.shop.id, turn.wa_id, limit=5)
        if not recent:
            turn.say("no_orders")
            return []
        target = next((o for o in recent if o.status in SHOPPER_CANCELLABLE), None)
        if target is None:
            last = recent[0]
            if last.status == "cancelled":  # "is it cancelled? cancel it": it is, once
                turn.say("already_cancelled", id=last.id)
            elif last.status in ("refunded", "delivered"):
                turn.say("nothing_to_cancel")
            else:
                turn.say(
                    "cannot_cancel",
                    id=last.id,
                    status=status_text(turn, last.status, last.payment_method),
                )
            return []
        try:
            orders.cancel_order(
                turn.session, turn.shop.id, target.id, actor=f"shopper:{turn.wa_id}"
            )
        except ShopError:
            turn.say("cannot_cancel", id=target.id, status=status_text(turn, target.status))
            return []
        turn.say("cancelled", id=target.id)
        return []


class ActionReorder(ShopAction):
    def name(self) -> str:
        return "action_reorder"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        recent = orders.orders_for(turn.session, turn.shop.id, turn.wa_id, limit=10)
        if not recent:
            turn.say("no_orders")
            return []
        engine, variants = turn.engine()
        named = [ln for ln in engine.parse(turn.text).lines if ln.resolution.product is not None]
        bought = [ln.sku for order in recent if order.status != "cancelled" for ln in order.lines]
        earlier = [(ln, _bought_one(ln, bought, variants)) for ln in named]
        whole = bool(_WHOLE_ORDER & set(normalize(turn.text).split()))
        if not whole and any(sku for _, sku in earlier):  # "same atta as last time": that only
            packs: list[tuple[str, int]] = []
            for line, sku in earlier:
                packs.extend(_packs_for(turn, line, sku, recent))
            cart = carts.add_packs(turn.session, turn.shop.id, turn.wa_id, packs)
            turn.send(cart_text(turn, cart, header=turn.t("added")), cart_buttons(turn, cart))
            return []
        cart = orders.reorder(turn.session, turn.shop.id, turn.wa_id, recent[0].id)
        turn.say("reordered", id=recent[0].id)
        if cart.skipped:
            turn.say("reorder_skipped", names=", ".join(s.name for s in cart.skipped))
        extra = [(p.sku, c) for ln in named for p, c in ln.resolution.packs]
        if extra:  # "mera usual, plus 1 kg chini extra"
            cart = carts.add_packs(turn.session, turn.shop.id, turn.wa_id, extra)
        held = {line.sku for line in cart.lines}
        for line in engine.parse(turn.text, wanted=False).lines:  # "but no biscuits this time"
            product = line.resolution.product
            variant = variants.get(product.sku) if product else None
            for p in variant.packs if variant else []:
                if p.sku in held:
                    cart = carts.remove(turn.session, turn.shop.id, turn.wa_id, p.sku)
        turn.send(cart_text(turn, cart), cart_buttons(turn, cart))
        return []


def _bought_one(line: ParsedLine, bought: list[str], variants: dict[str, Variant]) -> str | None:
    """The SKU this shopper bought before that the line names: its own product or one of the
    same kind among the options ("same atta" is the atta they took)."""
    r = line.resolution
    options = [p for p in (r.product, *r.alternatives) if p is not None]
    keys = {variants[p.sku].key for p in options if p.sku in variants}
    kinds = {p.kind for p in options}
    for sku in bought:
        variant = variants.get(sku)
        if variant is not None and (variant.key in keys or variant.first.kind in kinds):
            return sku
    return None


def _packs_for(
    turn: Turn, line: ParsedLine, sku: str | None, recent: list[Any]
) -> list[tuple[str, int]]:
    """The asked amount of the product bought before, else as many as last time."""
    engine, variants = turn.engine()
    if sku is None:
        return [(p.sku, c) for p, c in line.resolution.packs]
    q = line.line.quantity
    if q is None:
        count = next((ln.count for o in recent for ln in o.lines if ln.sku == sku), 1)
        return [(sku, count)]
    variant = variants[sku]
    unit = engine.resolver.bare_unit(variant.first, q.amount, q.unit)
    return [(p.sku, c) for p, c in choose_packs(variant.packs, q.amount, unit)]
