"""Checkout: cart check, the form (address with PIN code, slot, payment, confirmation), and
placing the order exactly once however often the shopper says yes."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.render import cart_text
from actions.runtime import ShopAction, Turn, shop_of
from bot.cart import service as carts
from bot.catalog.model import format_rupees
from bot.db.session import session_scope
from bot.errors import ShopError
from bot.i18n import t
from bot.orders import service as orders
from bot.orders.slots import DeliverySlot, next_slots, slot_label
from bot.parsing.lexicon import AMBIGUOUS_NUMBERS
from bot.parsing.pincode import find_pincode
from bot.parsing.quantity import number_value
from bot.payments.whatsapp_offer import offer
from bot.settings import get_settings
from bot.shops import terms_of
from bot.shops.area import area_of
from bot.text.normalize import normalize

UPI_WORDS = {"upi", "gpay", "googlepay", "phonepe", "paytm", "bhim", "online", "qr"}
COD_WORDS = {"cod", "cash", "nakad", "naqad", "नकद", "कैश", "cashondelivery"}
CLOCK_WORDS = {"am", "pm", "baje", "बजे", "o'clock", "oclock", "bje"}
SLOT_WORDS = {
    "today": 0,
    "aaj": 0,
    "आज": 0,
    "tomorrow": 1,
    "kal": 1,
    "कल": 1,
}
CONFIRM_CONFIDENCE = 0.9
SLOTS_ACCEPTED = 12  # four are offered as buttons; "kal subah" may name a later one
RESET_CHECKOUT = ("delivery_slot", "payment_method", "order_confirmed", "checkout_id", "cart_ready")


def _option_number(words: list[str], limit: int) -> int | None:
    """A number the shopper picked from a list: not "do" ("bhej do"), not a clock time."""
    for i, w in enumerate(words):
        n = None if w in AMBIGUOUS_NUMBERS else number_value(w)
        after = words[i + 1] if i + 1 < len(words) else ""
        if n is None or not float(n).is_integer() or after in CLOCK_WORDS:
            continue
        if 1 <= int(n) <= limit:
            return int(n)
    return None


def payment_choice(text: str) -> str | None:
    norm = normalize(text)
    words = set(norm.split()) | {norm.replace(" ", "")}
    if words & COD_WORDS or "cash on delivery" in norm:
        return "cod"
    if words & UPI_WORDS:
        return "upi"
    return {1: "upi", 2: "cod"}.get(_option_number(norm.split(), 2) or 0)


def slot_choice(text: str, offered: list[DeliverySlot]) -> str | None:
    """A slot id from a button payload, words like "kal shaam", or a number from the list."""
    raw = text.strip()
    if any(s.id == raw for s in offered):
        return raw
    words = normalize(text).split()
    day = next((SLOT_WORDS[w] for w in words if w in SLOT_WORDS), None)
    evening = any(w in ("evening", "shaam", "sham", "शाम", "night", "raat") for w in words)
    morning = any(w in ("morning", "subah", "सुबह") for w in words)
    if day is not None or evening or morning:
        for s in offered:
            label = s.label.lower()
            if (day == 0 and not label.startswith("today")) or (
                day == 1 and not label.startswith("tomorrow")
            ):
                continue
            if (evening and s.start.hour < 16) or (morning and s.start.hour >= 12):
                continue
            return s.id
        return None
    n = _option_number(words, len(offered))
    return offered[n - 1].id if n else None


class ActionCheckCart(ShopAction):
    def name(self) -> str:
        return "action_check_cart"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
        ready = (
            not cart.is_empty
            and not cart.below_minimum
            and all(line.in_stock for line in cart.lines)
        )
        if not ready:
            turn.send(cart_text(turn, cart))
            return [SlotSet("cart_ready", False)]
        # A fresh checkout: a new idempotency key, nothing carried over but the address on file.
        return [
            SlotSet("cart_ready", True),
            SlotSet("checkout_id", uuid.uuid4().hex),
            SlotSet("address", None),
            SlotSet("delivery_slot", None),
            SlotSet("payment_method", None),
            SlotSet("order_confirmed", None),
        ]


class ValidateCheckoutForm(FormValidationAction):
    def name(self) -> str:
        return "validate_checkout_form"

    def _language(self, tracker: Tracker) -> str:
        return tracker.get_slot("language") or "en"

    def validate_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        pin = find_pincode(text)
        if not pin or len(text) < 10:
            dispatcher.utter_message(text=t("bad_pincode", self._language(tracker)))
            return {"address": None}
        with session_scope() as session:
            area = area_of(session, shop_of(session, tracker).id)
        if not area.serves(pin):
            dispatcher.utter_message(text=t("outside_area", self._language(tracker), pincode=pin))
            return {"address": None}
        return {"address": text, "pincode": pin}

    def validate_delivery_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        with session_scope() as session:
            terms = terms_of(shop_of(session, tracker))
        chosen = slot_choice(str(value or ""), next_slots(count=SLOTS_ACCEPTED, terms=terms))
        if chosen is None:
            dispatcher.utter_message(text=t("bad_slot", self._language(tracker)))
        return {"delivery_slot": chosen}

    def validate_payment_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        chosen = payment_choice(str(value or ""))
        if chosen is None:
            dispatcher.utter_message(text=t("bad_payment", self._language(tracker)))
        return {"payment_method": chosen}

    def validate_order_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Money is at stake: only a clear yes places the order (a button, or a confident
        "haan"); anything murkier is asked again."""
        message = tracker.latest_message or {}
        confidence = (message.get("intent") or {}).get("confidence") or 0.0
        clicked = (message.get("text") or "").startswith("/")
        if value is True and not clicked and confidence < CONFIRM_CONFIDENCE:
            return {"order_confirmed": None}
        return {"order_confirmed": value}


class ActionAskAddress(ShopAction):
    def name(self) -> str:
        return "action_ask_address"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        last = orders.orders_for(turn.session, turn.shop.id, turn.wa_id, limit=1)
        if address_form_wanted(turn):  # the gateway renders WhatsApp's address form from it
            values = form_values(last[0].address, last[0].pincode) if last else {}
            ask = turn.t("ask_address")
            turn.dispatcher.utter_message(
                json_message={"address_message": {"body": ask, "values": values}, "text": ask}
            )
            return []
        buttons = [{"title": last[0].address[:20], "payload": last[0].address}] if last else []
        turn.say("ask_address", buttons=buttons)
        return []


def form_values(address: str, pincode: str) -> dict[str, str]:
    """The address form's prefilled values from an address on file (free text with its PIN)."""
    street = address.replace(pincode, "").strip(" ,")[:256] if pincode else address[:256]
    return {k: v for k, v in (("address", street), ("in_pin_code", pincode)) if v}


def address_form_wanted(turn: Turn) -> bool:
    """WhatsApp's address form exists for India only: a shopper with an Indian number, writing
    over WhatsApp (the gateway sends the message's wamid as metadata), in a shop that sends
    it (WHATSAPP_ADDRESS_FORM)."""
    wanted = get_settings().whatsapp_address_form
    if turn.shop.slug not in wanted and "*" not in wanted:
        return False
    if not turn.wa_id.startswith("91"):
        return False
    for event in reversed(turn.tracker.events):
        if event.get("event") == "user":
            return bool((event.get("metadata") or {}).get("wamid"))
    return False


class ActionAskDeliverySlot(ShopAction):
    def name(self) -> str:
        return "action_ask_delivery_slot"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        slots = next_slots(terms=terms_of(turn.shop))
        labels = [s.label_in(turn.language) for s in slots]
        lines = [turn.t("ask_slot")] + [f"{i}. {label}" for i, label in enumerate(labels, 1)]
        turn.send(
            "\n".join(lines),
            [
                {"title": label, "payload": f'/inform{{"delivery_slot":"{s.id}"}}'}
                for s, label in zip(slots, labels, strict=True)
            ],
        )
        return []


class ActionAskPaymentMethod(ShopAction):
    def name(self) -> str:
        return "action_ask_payment_method"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        turn.say(
            "ask_payment",
            buttons=[
                {"title": turn.t("pay_upi"), "payload": '/inform{"payment_method":"upi"}'},
                {"title": turn.t("pay_cod"), "payload": '/inform{"payment_method":"cod"}'},
            ],
        )
        return []


def _slot_label(slot_id: str | None, language: str = "en") -> str:
    return slot_label(slot_id, language) if slot_id else ""


class ActionAskOrderConfirmed(ShopAction):
    def name(self) -> str:
        return "action_ask_order_confirmed"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        cart = carts.view(turn.session, turn.shop.id, turn.wa_id)
        slots = turn.tracker.current_slot_values()
        method = turn.t("pay_upi") if slots.get("payment_method") == "upi" else turn.t("pay_cod")
        text = "\n\n".join(
            [
                turn.t("summary"),
                cart_text(turn, cart),
                turn.t(
                    "summary_details",
                    address=slots.get("address"),
                    slot=_slot_label(slots.get("delivery_slot"), turn.language),
                    payment=method,
                ),
                turn.t("confirm_question"),
            ]
        )
        turn.send(
            text,
            [
                {"title": turn.t("yes")[:20], "payload": "/affirm"},
                {"title": turn.t("no"), "payload": "/deny"},
            ],
        )
        return []


class ActionPlaceOrder(ShopAction):
    def name(self) -> str:
        return "action_place_order"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        slots = turn.tracker.current_slot_values()
        reset = [SlotSet(s, None) for s in RESET_CHECKOUT]
        if slots.get("order_confirmed") is not True:
            turn.dispatcher.utter_message(response="utter_checkout_stopped")
            return reset
        try:
            order = orders.place_order(
                turn.session,
                turn.shop.id,
                turn.wa_id,
                idempotency_key=f"chat:{turn.wa_id}:{slots.get('checkout_id') or 'none'}",
                address=slots.get("address") or "",
                pincode=slots.get("pincode") or "",
                delivery_slot=slots.get("delivery_slot") or "",
                payment_method=slots.get("payment_method") or "cod",
            )
        except ShopError as e:
            turn.say("order_failed", reason=str(e))
            return reset
        total = format_rupees(order.total_paise)
        turn.say(
            "order_placed",
            id=order.id,
            total=total,
            slot=_slot_label(order.delivery_slot, turn.language),
        )
        if order.payment_method == "upi" and order.payment and order.payment.pay_url:
            whatsapp_pay = offer(turn.session, turn.shop, order.id, turn.language)
            if whatsapp_pay is not None:  # the gateway renders it as an order_details sheet
                turn.dispatcher.utter_message(json_message=whatsapp_pay)
            else:
                turn.say("pay_now", url=order.payment.pay_url)
        else:
            turn.say("cod_note", total=total)
        return reset


class ActionStopCheckout(ShopAction):
    def name(self) -> str:
        return "action_stop_checkout"

    def act(self, turn: Turn) -> list[dict[str, Any]]:
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *[SlotSet(s, None) for s in RESET_CHECKOUT],
        ]
