"""What checkout says to ask for a UPI payment: the order_details sheet for a shop set up for
WhatsApp Pay, or nothing (the caller sends the pay-link text, as for every other shop).

The offer travels from the action server to the WhatsApp gateway as a custom payload
(`{"order_details": {"body", "parameters"}, "text"}`): the gateway's renderer turns it into
an `interactive.type: order_details` message, and a channel that knows nothing of WhatsApp
(the terminal chat) shows `text`, the pay link, instead.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from bot.catalog.model import format_rupees
from bot.db import models as db
from bot.i18n import t
from bot.payments import ledger
from bot.payments.order_details import NotPayable, for_order, pay_setting
from bot.settings import Settings, get_settings

log = logging.getLogger("chatcart.payments.whatsapp")
KEY = "order_details"


def offer(
    session: Session, shop: db.Shop, order_id: int, language: str, settings: Settings | None = None
) -> dict[str, Any] | None:
    """The custom payload offering WhatsApp Pay for the order's open payment; None when the
    shop has no WhatsApp Pay, the order has no payment to take, or Meta's rules refuse it."""
    s = settings or get_settings()
    setting = pay_setting(s.whatsapp_pay, shop.slug)
    if setting is None:
        return None
    order = session.get(db.Order, order_id)
    payment = ledger.payment_for_order(session, order_id)
    if order is None or payment is None or payment.status not in ("created", "failed"):
        return None
    minutes = s.payment_timeout_minutes
    try:
        parameters = for_order(
            order,
            payment,
            setting,
            timeout_minutes=minutes,
            payee=shop.name,
            expiry_text=t("wa_pay_expiry", language, minutes=minutes),
        )
    except NotPayable as e:
        log.info("order %s goes to the pay link, not WhatsApp Pay: %s", order_id, e)
        return None
    return {
        KEY: {
            "body": t("wa_pay_body", language, id=order.id, total=format_rupees(order.total_paise)),
            "parameters": parameters,
        },
        "text": t("pay_now", language, url=payment.pay_url),
    }
