"""After the order: where is it, cancel it, order the same again."""

from __future__ import annotations

from typing import Any

from actions.faq import answer_from_faqs
from actions.render import cart_buttons, cart_text
from actions.runtime import ShopAction, Turn
from bot.catalog.model import format_rupees
from bot.errors import ShopError
from bot.orders import service as orders
from bot.orders.slots import slot_label as next_slot_label

# What a shopper may cancel from the chat: before the shop has packed it. Later, a person decides.
SHOPPER_CANCELLABLE = ("pending_payment", "paid")
ARRIVING = ("pending_payment", "paid", "packed", "out_for_delivery")


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
            if last.status in ("cancelled", "refunded", "delivered"):
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
        recent = orders.orders_for(turn.session, turn.shop.id, turn.wa_id, limit=1)
        if not recent:
            turn.say("no_orders")
            return []
        cart = orders.reorder(turn.session, turn.shop.id, turn.wa_id, recent[0].id)
        turn.say("reordered", id=recent[0].id)
        if cart.skipped:
            turn.say("reorder_skipped", names=", ".join(s.name for s in cart.skipped))
        turn.send(cart_text(turn, cart), cart_buttons(turn, cart))
        return []
