"""Notifications outside WhatsApp's customer-service window, as approved message templates.

Meta delivers a free-form message (text, interactive) only within 24 hours of the shopper's
last message to the business number; later it refuses it (error 131047, "re-engagement
message") and only a template the business had approved in WhatsApp Manager goes through.
An order packed, paid or delivered a day after the chat is exactly that case, so every
outbox notification has a template: its name and language codes come from the settings
(`WHATSAPP_TEMPLATES`, `WHATSAPP_TEMPLATE_LANGUAGES`), its body parameters from here, and
`BODIES` is the text to register with Meta (one language version per code), positional
parameters `{{1}}`, `{{2}}` … in the order of `PARAMETERS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from api.whatsapp.render import Rendered, clip
from bot.catalog.model import format_rupees
from bot.i18n import t
from bot.settings import Settings

SERVICE_WINDOW = timedelta(hours=24)
# A text decided on just inside the window must still be inside it when Meta gets it (a send
# can wait for retries, and clocks differ): closer than this to the end, a template goes.
WINDOW_MARGIN = timedelta(minutes=10)
RE_ENGAGEMENT = 131047  # Meta's error for a free-form message outside the window
PARAMETER_MAX = 200

PARAMETERS: dict[str, tuple[str, ...]] = {
    "order_placed": ("order_id", "total", "slot", "payment"),
    "order_paid": ("order_id", "total"),
    "payment_failed": ("order_id", "total", "pay_url"),
    "payment_flagged": ("order_id",),
    "order_packed": ("order_id",),
    "order_out_for_delivery": ("order_id",),
    "order_delivered": ("order_id",),
    "order_cancelled": ("order_id", "reason"),
    "order_refunded": ("order_id", "total"),
    "cart_reminder": ("items",),
}

BODIES: dict[str, dict[str, str]] = {
    "order_placed": {
        "en": "✅ Order #{{1}} is placed. Total {{2}}, delivery {{3}}. Payment: {{4}}.",
        "hi": "✅ ऑर्डर #{{1}} हो गया। कुल {{2}}, डिलीवरी {{3}}। पेमेंट: {{4}}।",
    },
    "order_paid": {
        "en": "💰 Order #{{1}}: your payment of {{2}} is received. We're packing it now.",
        "hi": "💰 ऑर्डर #{{1}} का {{2}} का पेमेंट मिल गया। हम पैक कर रहे हैं।",
    },
    "payment_failed": {
        "en": "⚠️ Order #{{1}}: the payment of {{2}} didn't go through. Pay again at {{3}} and we'll pack your order.",
        "hi": "⚠️ ऑर्डर #{{1}} का {{2}} का पेमेंट नहीं हुआ। {{3}} पर फिर से पेमेंट कीजिए, फिर हम ऑर्डर पैक करेंगे।",
    },
    "payment_flagged": {
        "en": "Order #{{1}}: we received a payment that the shop needs to check. We'll contact you shortly.",
        "hi": "ऑर्डर #{{1}} का एक पेमेंट दुकान को जाँचना है। हम जल्द आपसे संपर्क करेंगे।",
    },
    "order_packed": {
        "en": "📦 Your order #{{1}} is packed and will leave the shop soon.",
        "hi": "📦 आपका ऑर्डर #{{1}} पैक हो गया है और जल्द निकलेगा।",
    },
    "order_out_for_delivery": {
        "en": "🛵 Your order #{{1}} is out for delivery.",
        "hi": "🛵 आपका ऑर्डर #{{1}} रास्ते में है।",
    },
    "order_delivered": {
        "en": "🎉 Order #{{1}} is delivered. Thank you for shopping with us!",
        "hi": "🎉 ऑर्डर #{{1}} पहुँच गया। हमसे ख़रीदारी के लिए धन्यवाद!",
    },
    "order_cancelled": {
        "en": "❌ Order #{{1}} is cancelled: {{2}}.",
        "hi": "❌ ऑर्डर #{{1}} रद्द हो गया: {{2}}।",
    },
    "order_refunded": {
        "en": "↩️ Order #{{1}}: {{2}} has been refunded.",
        "hi": "↩️ ऑर्डर #{{1}} के {{2}} वापस कर दिए गए।",
    },
    "cart_reminder": {  # marketing: Meta files it so; never sent to a shopper who said STOP
        "en": "🛒 Your cart with {{1}} items is still waiting for you. Reply STOP to get no more reminders.",
        "hi": '🛒 आपका {{1}} सामान वाला कार्ट अभी भी आपका इंतज़ार कर रहा है। ऐसे मैसेज न चाहें तो "मैसेज मत भेजो" लिखिए।',
    },
}

NO_REASON = {"en": "no reason was given", "hi": "कोई कारण नहीं बताया गया"}


def in_window(last_inbound: datetime | None, now: datetime) -> bool:
    """May a free-form message still go to a shopper who last wrote at `last_inbound`?"""
    return last_inbound is not None and now - last_inbound < SERVICE_WINDOW - WINDOW_MARGIN


def _text_language(code: str) -> str:
    """The language of the template's own text: the parameters are written in it."""
    return "hi" if code.split("_")[0] == "hi" else "en"


def _value(name: str, params: Mapping[str, Any], language: str) -> str:
    from bot.orders.slots import slot_label

    if name == "order_id":
        return str(params.get("order_id", ""))
    if name == "total":
        return format_rupees(int(params.get("total_paise") or params.get("amount_paise") or 0))
    if name == "slot":
        return slot_label(str(params.get("delivery_slot") or ""), language)
    if name == "payment":
        return params.get("pay_url") or t("pay_cod", language)
    if name == "pay_url":
        return params.get("pay_url") or ""
    if name == "items":
        return str(params.get("items") or "")
    if name == "reason":
        return params.get("reason") or NO_REASON[language]
    raise KeyError(name)


def parameter(value: str) -> str:
    """Meta refuses template parameters that are empty or hold new lines, tabs or more than four
    spaces in a row."""
    return clip(value, PARAMETER_MAX) or "-"


def template_message(
    template: str, params: Mapping[str, Any], language: str, settings: Settings
) -> Rendered:
    """The outbox message `template` as the approved template, in the shopper's language (a
    language without templates of its own, Hinglish, uses the one its code maps to)."""
    code = (
        settings.whatsapp_template_languages.get(language)
        or settings.whatsapp_template_languages["en"]
    )
    words = _text_language(code)
    values = [parameter(_value(name, params, words)) for name in PARAMETERS[template]]
    return Rendered(
        "template",
        {
            "name": settings.whatsapp_templates[template],
            "language": {"code": code},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}
            ],
        },
    )


def preview(content: Mapping[str, Any], settings: Settings) -> str | None:
    """A template message as the shopper would read it (the simulator shows it), when it is one
    of ours; None otherwise."""
    names = {name: key for key, name in settings.whatsapp_templates.items()}
    key = names.get(content.get("name") or "")
    if key is None:
        return None
    body = BODIES[key][_text_language((content.get("language") or {}).get("code") or "en")]
    values = [
        p.get("text", "")
        for c in content.get("components") or []
        if c.get("type") == "body"
        for p in c.get("parameters") or []
    ]
    for i, v in enumerate(values, 1):
        body = body.replace("{{" + str(i) + "}}", v)
    return body
