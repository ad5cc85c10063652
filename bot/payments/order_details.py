"""WhatsApp Pay's `order_details` message (`action.name: review_and_pay`), built from an order.

Pure: an order's lines, fees and payment in, the message's `action.parameters` out, so the
money rules can be tested alone and every caller (checkout, a re-send) builds the same thing:

- `reference_id` is the payment's public id plus a random suffix: unique per message, as Meta
  asks (a re-sent order gets a new one), ≤ 35 characters of `[A-Za-z0-9_.-]`, and the public id
  comes back from any reference with `payment_public_id`;
- INR only, every amount `{value, offset: 100}` in paise, item quantities integers (an order
  line is already a count of packs: a loose item sold by weight goes as its packs, its pack
  size in the name);
- `total_amount` = subtotal + tax + shipping − discount exactly, checked here, and the
  order's own total must agree;
- the shop's payment setting (a payment gateway with its `configuration_name`, or a UPI
  intent link to the shop's VPA) from `WHATSAPP_PAY`;
- an expiry at the payment's timeout (`PAYMENT_TIMEOUT_MINUTES` after the order), when the
  unpaid order is cancelled anyway.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.catalog.model import format_pack
from bot.db import models as db
from bot.db.base import as_utc
from bot.payments.upi import intent_link

OFFSET = 100  # Meta's amounts are value / offset rupees: paise
REFERENCE_MAX = 35
REFERENCE_RE = re.compile(r"[A-Za-z0-9_.-]{1,35}")
SUFFIX_SEP = "."
UPI_CAP_PAISE = 5_00_000 * 100  # UPI's ceiling per payment, ₹5,00,000
ITEM_NAME_MAX = 60
GATEWAYS = ("razorpay", "payu", "billdesk", "zaakpay")


class NotPayable(ValueError):
    """This order cannot be paid inside WhatsApp (the pay-link page stays); the reason says why."""


@dataclass(frozen=True, slots=True)
class PaySetting:
    """How a shop takes WhatsApp Pay: `kind` "payment_gateway" (with `gateway` and
    `configuration_name`, the name of the configuration in WhatsApp Manager) or
    "upi_intent_link" (with the shop's `vpa`)."""

    kind: Literal["payment_gateway", "upi_intent_link"]
    gateway: str = ""
    configuration_name: str = ""
    vpa: str = ""


def pay_setting(
    configured: Mapping[str, Mapping[str, str]], shop_slug: str | None
) -> PaySetting | None:
    """The shop's setting from `WHATSAPP_PAY` (its slug, else "*"); None: no WhatsApp Pay.
    Raises `ValueError` for a setting that is neither form, so a typo is not silently a
    pay link."""
    raw = configured.get(shop_slug or "") or configured.get("*")
    if not raw:
        return None
    if raw.get("configuration_name"):
        gateway = raw.get("gateway") or "razorpay"
        if gateway not in GATEWAYS:
            raise ValueError(f"WhatsApp Pay gateway {gateway!r}: one of {', '.join(GATEWAYS)}")
        return PaySetting("payment_gateway", gateway, raw["configuration_name"])
    if raw.get("upi_vpa"):
        return PaySetting("upi_intent_link", vpa=raw["upi_vpa"])
    raise ValueError(f"WhatsApp Pay setting {dict(raw)!r}: give configuration_name or upi_vpa")


def reference_for(public_id: str) -> str:
    """A reference id for one message about this payment."""
    reference = f"{public_id}{SUFFIX_SEP}{secrets.token_hex(3)}"
    if not REFERENCE_RE.fullmatch(reference):
        raise NotPayable(f"payment id {public_id!r} makes no WhatsApp Pay reference")
    return reference


def payment_public_id(reference_id: str) -> str:
    """The payment a reference id names (a reference without our suffix names itself)."""
    return reference_id.partition(SUFFIX_SEP)[0]


def money(paise: int) -> dict[str, int]:
    return {"value": int(paise), "offset": OFFSET}


@dataclass(frozen=True, slots=True)
class Item:
    retailer_id: str
    name: str
    unit_paise: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Amounts:
    subtotal: int
    tax: int = 0
    shipping: int = 0
    discount: int = 0

    @property
    def total(self) -> int:
        return self.subtotal + self.tax + self.shipping - self.discount


def parameters(
    *,
    reference_id: str,
    items: Sequence[Item],
    amounts: Amounts,
    setting: PaySetting,
    expires_at: datetime,
    payee: str,
    note: str,
    expiry_text: str,
) -> dict[str, Any]:
    """`action.parameters` of an order_details message. Raises `NotPayable` when the order
    breaks one of Meta's rules (the caller falls back to the pay link)."""
    if not REFERENCE_RE.fullmatch(reference_id):
        raise NotPayable(f"reference id {reference_id!r}")
    if not items or any(i.quantity < 1 or i.unit_paise < 0 for i in items):
        raise NotPayable("an order needs items with positive quantities")
    if min(amounts.subtotal, amounts.tax, amounts.shipping, amounts.discount) < 0:
        raise NotPayable("amounts cannot be negative")
    if sum(i.unit_paise * i.quantity for i in items) != amounts.subtotal:
        raise NotPayable("the items do not add up to the subtotal")
    total = amounts.total
    if not 0 < total <= UPI_CAP_PAISE:
        raise NotPayable(f"a UPI payment is ₹1 to ₹5,00,000, not {total} paise")
    order: dict[str, Any] = {
        "status": "pending",
        "items": [
            {
                "retailer_id": i.retailer_id,
                "name": i.name[:ITEM_NAME_MAX],
                "amount": money(i.unit_paise),
                "quantity": int(i.quantity),
            }
            for i in items
        ],
        "subtotal": money(amounts.subtotal),
        "tax": {**money(amounts.tax), "description": "GST included"},
        "shipping": {**money(amounts.shipping), "description": "Delivery"},
        "expiration": {
            "timestamp": str(int(as_utc(expires_at).timestamp())),
            "description": expiry_text,
        },
    }
    if amounts.discount:
        order["discount"] = {**money(amounts.discount), "description": "Discount"}
    return {
        "reference_id": reference_id,
        "type": "physical-goods",
        "payment_settings": [_payment_setting(setting, reference_id, total, payee, note)],
        "currency": "INR",
        "total_amount": money(total),
        "order": order,
    }


def _payment_setting(
    setting: PaySetting, reference_id: str, total: int, payee: str, note: str
) -> dict[str, Any]:
    if setting.kind == "payment_gateway":
        return {
            "type": "payment_gateway",
            "payment_gateway": {
                "type": setting.gateway,
                "configuration_name": setting.configuration_name,
            },
        }
    return {
        "type": "upi_intent_link",
        "upi_intent_link": {
            "link": intent_link(setting.vpa, payee, total, reference_id, note),
        },
    }


def item_name(line: db.OrderLine) -> str:
    """The line's name with its pack, so "2 × Chakki Atta (loose) 1 kg" reads right."""
    return f"{line.name} {format_pack(line.pack_size, line.pack_unit)}"


def for_order(
    order: db.Order,
    payment: db.Payment,
    setting: PaySetting,
    *,
    timeout_minutes: int,
    payee: str,
    expiry_text: str,
    reference_id: str | None = None,
) -> dict[str, Any]:
    """The parameters for this order's payment (a new reference each call unless given)."""
    if payment.currency != "INR":
        raise NotPayable(f"WhatsApp Pay takes INR, not {payment.currency}")
    amounts = Amounts(subtotal=order.subtotal_paise, shipping=order.delivery_fee_paise)
    if amounts.total != order.total_paise or payment.amount_paise != order.total_paise:
        raise NotPayable(f"order #{order.id}'s total does not add up")
    return parameters(
        reference_id=reference_id or reference_for(payment.public_id),
        items=[Item(li.sku, item_name(li), li.unit_price_paise, li.count) for li in order.lines],
        amounts=amounts,
        setting=setting,
        expires_at=as_utc(order.created_at) + timedelta(minutes=timeout_minutes),
        payee=payee,
        note=f"Order {order.id}",
        expiry_text=expiry_text,
    )
