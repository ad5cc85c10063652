"""The assistant's replies (text + buttons with payloads) → WhatsApp Cloud API messages, within
every limit Meta documents — the renderer enforces them, never Meta's error:

- text: body ≤ 4,096 characters; longer text is split at a paragraph, line or word boundary;
- reply buttons: ≤ 3, titles ≤ 20, ids ≤ 256, body ≤ 1,024;
- list: ≤ 10 rows over ≤ 10 sections, row title ≤ 24, description ≤ 72, id ≤ 200, button
  text ≤ 20, body ≤ 1,024; more than 10 choices are paginated (9 rows + "More options");
- template (notifications outside the 24-hour window, `api/whatsapp/templates.py`): a name,
  a language code, text parameters without new lines, tabs or runs of spaces.

Interactive ids are short tokens (`<token>:<n>`); what each id means (the payload the assistant
offered, and later pages) is stored with the outgoing message in `options`, so a reply maps
back to exactly what was offered.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import t

TEXT_MAX = 4096
BODY_MAX = 1024
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
SECTION_TITLE_MAX = 24
# WhatsApp Pay (India): order_details and order_status.
REFERENCE_RE = re.compile(r"[A-Za-z0-9_.-]{1,35}")
ORDER_ACTIONS = {"order_details": "review_and_pay", "order_status": "review_order"}
ORDER_STATUSES = ("pending", "processing", "partially_shipped", "shipped", "completed", "canceled")
ORDER_DESCRIPTION_MAX = 120


@dataclass(frozen=True)
class Rendered:
    """One message to send: its type, the type's object (`{"body": …}`, `{"type": "button", …}`)
    and what its interactive ids mean."""

    type: str
    content: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)

    def request(self, to: str) -> dict[str, Any]:
        """The Graph API request body (`POST /{phone-number-id}/messages`)."""
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": self.type,
            self.type: self.content,
        }


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """Pieces of at most `limit` characters, cut at a blank line, a line end or a space when
    one is near enough (in the second half of a piece), else hard."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            at = window.rfind(sep)
            if at >= limit // 2:
                cut = at
                break
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def _split_for_body(text: str) -> tuple[list[str], str]:
    """Text messages to send first, and a last piece that fits an interactive body."""
    pieces = split_text(text, TEXT_MAX)
    if not pieces:
        return [], ""
    last = pieces.pop()
    if len(last) > BODY_MAX:
        tail = split_text(last, BODY_MAX)
        last = tail.pop()
        pieces.extend(split_text("\n".join(tail), TEXT_MAX))
    return pieces, last


def text_messages(text: str) -> list[Rendered]:
    return [
        Rendered("text", {"preview_url": "http" in piece, "body": piece})
        for piece in split_text(text)
    ]


def _choices(buttons: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for b in buttons:
        title = str(b.get("title") or b.get("payload") or "").strip()
        payload = str(b.get("payload") or title)
        if title:
            out.append({"title": title, "payload": payload})
    return out


def _fits_buttons(choices: list[dict[str, str]]) -> bool:
    titles = [c["title"] for c in choices]
    return (
        0 < len(choices) <= BUTTONS_MAX
        and all(len(x) <= BUTTON_TITLE_MAX for x in titles)
        and len(set(titles)) == len(titles)
    )


def _row(token: str, index: int, choice: dict[str, str]) -> dict[str, str]:
    row = {"id": f"{token}:{index}"[:ROW_ID_MAX], "title": clip(choice["title"], ROW_TITLE_MAX)}
    if len(choice["title"]) > ROW_TITLE_MAX:
        row["description"] = clip(choice["title"], ROW_DESCRIPTION_MAX)
    elif choice.get("description"):
        row["description"] = clip(choice["description"], ROW_DESCRIPTION_MAX)
    return row


def list_page(
    body: str, choices: list[dict[str, str]], language: str, token: str, page: int = 0
) -> Rendered:
    """Page `page` of a list of choices: 10 rows, or 9 and a "More options" row."""
    per = ROWS_MAX if len(choices) <= ROWS_MAX else ROWS_MAX - 1
    start = page * per
    shown = choices[start : start + per]
    rows = [_row(token, start + i, c) for i, c in enumerate(shown)]
    more = start + per < len(choices)
    if more:
        rows.append(
            {
                "id": f"{token}:more:{page + 1}",
                "title": clip(t("wa_more", language), ROW_TITLE_MAX),
                "description": clip(
                    t("wa_more_description", language, count=len(choices) - start - per),
                    ROW_DESCRIPTION_MAX,
                ),
            }
        )
    content = {
        "type": "list",
        "body": {"text": body or t("wa_choose_prompt", language)},
        "action": {
            "button": clip(t("wa_list_button", language), LIST_BUTTON_MAX),
            "sections": [
                {"title": clip(t("wa_list_section", language), SECTION_TITLE_MAX), "rows": rows}
            ],
        },
    }
    options = {
        "token": token,
        "kind": "list",
        "page": page,
        "body": body,
        "choices": choices,
        "language": language,
    }
    return Rendered("interactive", content, options)


def interactive(
    text: str, buttons: list[dict[str, Any]], language: str, token: str | None = None
) -> list[Rendered]:
    choices = _choices(buttons)
    if not choices:
        return text_messages(text)
    token = token or secrets.token_hex(4)
    before, body = _split_for_body(text)
    out = [m for piece in before for m in text_messages(piece)]
    if _fits_buttons(choices):
        content = {
            "type": "button",
            "body": {"text": body or t("wa_choose_prompt", language)},
            "action": {
                "buttons": [
                    {
                        "type": "reply",
                        "reply": {"id": f"{token}:{i}"[:BUTTON_ID_MAX], "title": c["title"]},
                    }
                    for i, c in enumerate(choices)
                ]
            },
        }
        out.append(
            Rendered(
                "interactive",
                content,
                {"token": token, "kind": "button", "choices": choices, "language": language},
            )
        )
    else:
        out.append(list_page(body, choices, language, token))
    return out


def render(responses: list[dict[str, Any]], language: str) -> list[Rendered]:
    """Rasa's REST channel output (`[{"text", "buttons", "image", "custom"}]`) → messages."""
    out: list[Rendered] = []
    for r in responses:
        text = str(r.get("text") or "")
        buttons = r.get("buttons") or []
        if buttons:
            out.extend(interactive(text, buttons, language))
        elif text:
            out.extend(text_messages(text))
        if r.get("image"):
            out.append(Rendered("image", {"link": str(r["image"])}))
        custom = r.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("order_details"), dict):
            out.append(order_details(custom["order_details"]))
        elif isinstance(custom, dict) and isinstance(custom.get("address_message"), dict):
            out.append(address_form(custom["address_message"]))
        elif isinstance(custom, dict) and isinstance(custom.get("text"), str):
            out.extend(text_messages(custom["text"]))
    return out


def order_details(offer: dict[str, Any]) -> Rendered:
    """WhatsApp Pay's sheet (`bot.payments.whatsapp_offer`): the order, its total and the
    "Review and pay" button; its reference id is kept with the sent message."""
    parameters = offer["parameters"]
    content = {
        "type": "order_details",
        "body": {"text": clip(str(offer.get("body") or ""), BODY_MAX)},
        "action": {"name": "review_and_pay", "parameters": parameters},
    }
    return Rendered(
        "interactive",
        content,
        {"kind": "order_details", "reference_id": parameters["reference_id"]},
    )


def address_form(form: dict[str, Any]) -> Rendered:
    """WhatsApp's address form for India (`api/whatsapp/address.py`), prefilled."""
    parameters: dict[str, Any] = {"country": "IN"}
    values = {k: str(v) for k, v in (form.get("values") or {}).items() if v}
    if values:
        parameters["values"] = values
    content = {
        "type": "address_message",
        "body": {"text": clip(str(form.get("body") or ""), BODY_MAX)},
        "action": {"name": "address_message", "parameters": parameters},
    }
    return Rendered("interactive", content, {"kind": "address_message"})


def order_status(reference_id: str, status: str, body: str, description: str = "") -> Rendered:
    """WhatsApp Pay's order update (`review_order`) for the order a reference id named."""
    order: dict[str, str] = {"status": status}
    if description:
        order["description"] = clip(description, ORDER_DESCRIPTION_MAX)
    content = {
        "type": "order_status",
        "body": {"text": clip(body, BODY_MAX)},
        "action": {
            "name": "review_order",
            "parameters": {"reference_id": reference_id, "order": order},
        },
    }
    return Rendered("interactive", content, {"kind": "order_status", "reference_id": reference_id})


def resolve(options: dict[str, Any], reply_id: str) -> tuple[str, Any] | None:
    """What an interactive reply id means: `("payload", "/affirm")` or `("page", n)`."""
    token = options.get("token")
    if not token or not reply_id.startswith(f"{token}:"):
        return None
    rest = reply_id[len(token) + 1 :]
    if rest.startswith("more:"):
        page = rest[5:]
        return ("page", int(page)) if page.isdigit() else None
    if not rest.isdigit():
        return None
    choices = options.get("choices") or []
    index = int(rest)
    return ("payload", choices[index]["payload"]) if index < len(choices) else None


def check(message: dict[str, Any]) -> list[str]:
    """Everything about one Graph API request body that breaks Meta's documented limits
    (empty when it is a valid message). Tests run every recorded request through this."""
    problems: list[str] = []
    if message.get("messaging_product") != "whatsapp":
        problems.append("messaging_product must be whatsapp")
    if message.get("status") == "read":
        return problems if message.get("message_id") else [*problems, "read without message_id"]
    kind = message.get("type")
    if not message.get("to"):
        problems.append("no recipient")
    content = message.get(kind or "")
    if not isinstance(content, dict):
        return [*problems, f"no {kind} object"]
    if kind == "text":
        body = content.get("body") or ""
        if not body or len(body) > TEXT_MAX:
            problems.append(f"text body of {len(body)} characters")
    elif kind == "interactive":
        body = (content.get("body") or {}).get("text") or ""
        if not body or len(body) > BODY_MAX:
            problems.append(f"interactive body of {len(body)} characters")
        action = content.get("action") or {}
        if content.get("type") == "button":
            buttons = action.get("buttons") or []
            if not 1 <= len(buttons) <= BUTTONS_MAX:
                problems.append(f"{len(buttons)} reply buttons")
            ids, titles = [], []
            for b in buttons:
                reply = b.get("reply") or {}
                ids.append(reply.get("id"))
                titles.append(reply.get("title"))
                if (
                    b.get("type") != "reply"
                    or not reply.get("id")
                    or len(reply["id"]) > BUTTON_ID_MAX
                ):
                    problems.append(f"bad button {b}")
                if not reply.get("title") or len(reply["title"]) > BUTTON_TITLE_MAX:
                    problems.append(f"button title {reply.get('title')!r}")
            if len(set(ids)) != len(ids) or len(set(titles)) != len(titles):
                problems.append("button ids and titles must be unique")
        elif content.get("type") == "list":
            button = action.get("button") or ""
            if not button or len(button) > LIST_BUTTON_MAX:
                problems.append(f"list button {button!r}")
            sections = action.get("sections") or []
            rows = [r for s in sections for r in s.get("rows") or []]
            if not 1 <= len(sections) <= 10 or not 1 <= len(rows) <= ROWS_MAX:
                problems.append(f"{len(sections)} sections, {len(rows)} rows")
            if len(sections) > 1 and not all(s.get("title") for s in sections):
                problems.append("several sections need titles")
            for s in sections:
                if len(s.get("title") or "") > SECTION_TITLE_MAX:
                    problems.append(f"section title {s.get('title')!r}")
            ids = [r.get("id") for r in rows]
            if len(set(ids)) != len(ids):
                problems.append("row ids must be unique")
            for r in rows:
                if not r.get("id") or len(r["id"]) > ROW_ID_MAX:
                    problems.append(f"row id {r.get('id')!r}")
                if not r.get("title") or len(r["title"]) > ROW_TITLE_MAX:
                    problems.append(f"row title {r.get('title')!r}")
                if len(r.get("description") or "") > ROW_DESCRIPTION_MAX:
                    problems.append(f"row description {r.get('description')!r}")
        elif content.get("type") == "address_message":
            parameters = action.get("parameters") or {}
            if action.get("name") != "address_message" or parameters.get("country") != "IN":
                problems.append("an address_message is for India: address_message, country IN")
        elif content.get("type") in ("order_details", "order_status"):
            problems += _order_problems(content["type"], action)
        else:
            problems.append(f"interactive type {content.get('type')!r}")
    elif kind in ("image", "audio", "document", "video", "sticker"):
        if not (content.get("link") or content.get("id")):
            problems.append(f"{kind} without link or id")
    elif kind == "template":
        problems += _template_problems(content)
    else:
        problems.append(f"unknown type {kind!r}")
    return problems


def _order_problems(kind: str, action: dict[str, Any]) -> list[str]:
    """WhatsApp Pay's rules for order_details (review_and_pay) and order_status
    (review_order): the reference id, INR amounts in paise that add up, integer quantities."""
    problems: list[str] = []
    parameters = action.get("parameters") or {}
    if action.get("name") != ORDER_ACTIONS[kind]:
        problems.append(f"{kind} action {action.get('name')!r}")
    if not REFERENCE_RE.fullmatch(str(parameters.get("reference_id") or "")):
        problems.append(f"reference_id {parameters.get('reference_id')!r}")
    order = parameters.get("order") or {}
    if kind == "order_status":
        if order.get("status") not in ORDER_STATUSES:
            problems.append(f"order status {order.get('status')!r}")
        return problems
    if parameters.get("currency") != "INR":
        problems.append(f"currency {parameters.get('currency')!r}")

    def paise(amount: Any) -> int:
        if amount is None:
            return 0
        if not isinstance(amount, dict) or amount.get("offset") != 100:
            problems.append(f"amount {amount!r} is not {{value, offset: 100}}")
            return 0
        value = amount.get("value")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f"amount value {value!r}")
            return 0
        return value

    items = order.get("items") or []
    if not items:
        problems.append("an order without items")
    lines = 0
    for item in items:
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            problems.append(f"item quantity {quantity!r}")
            continue
        lines += paise(item.get("amount")) * quantity
    subtotal = paise(order.get("subtotal"))
    if lines != subtotal:
        problems.append(f"items come to {lines}, the subtotal says {subtotal}")
    total = subtotal + paise(order.get("tax")) + paise(order.get("shipping"))
    total -= paise(order.get("discount"))
    if paise(parameters.get("total_amount")) != total:
        problems.append(f"total_amount is not subtotal + tax + shipping - discount ({total})")
    if not parameters.get("payment_settings"):
        problems.append("no payment_settings")
    return problems


def _template_problems(content: dict[str, Any]) -> list[str]:
    """A template message: the approved template's name, its language code, and parameters
    for its components (text parameters non-empty, without new lines, tabs or more than four
    spaces in a row)."""
    problems = []
    if not re.fullmatch(r"[a-z0-9_]{1,512}", content.get("name") or ""):
        problems.append(f"template name {content.get('name')!r}")
    language = content.get("language")
    if not isinstance(language, dict) or not language.get("code"):
        problems.append(f"template language {language!r}")
    components = content.get("components") or []
    if not isinstance(components, list):
        return [*problems, "template components must be a list"]
    for c in components:
        if c.get("type") not in ("header", "body", "button"):
            problems.append(f"template component {c.get('type')!r}")
        for p in c.get("parameters") or []:
            if p.get("type") == "text":
                text = p.get("text") or ""
                if not text.strip() or re.search(r"[\n\t]| {5,}", text) or len(text) > TEXT_MAX:
                    problems.append(f"template text parameter {text!r}")
            elif p.get("type") not in (
                "currency",
                "date_time",
                "image",
                "document",
                "video",
                "payload",
                "location",
            ):
                problems.append(f"template parameter type {p.get('type')!r}")
    return problems
