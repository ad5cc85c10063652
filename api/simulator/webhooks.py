"""Cloud-API-shaped webhook bodies, exactly as Meta sends them, for the simulator, the tests and
the benchmark; and the signature Meta would put on them."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from api.whatsapp.signature import sign

WABA_ID = "100000000000002"


def message_id() -> str:
    return "wamid.SIM" + secrets.token_hex(12).upper()


def envelope(phone_number_id: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA_ID,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550000000",
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def inbound(
    phone_number_id: str,
    wa_id: str,
    name: str,
    kind: str,
    content: dict[str, Any],
    wamid: str | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One shopper message: `kind` is the message type, `content` its object."""
    message: dict[str, Any] = {
        "from": wa_id,
        "id": wamid or message_id(),
        "timestamp": str(int(time.time())),
        "type": kind,
        kind: content,
    }
    if context:
        message["context"] = context
    return envelope(
        phone_number_id,
        {"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": [message]},
    )


def text(
    phone_number_id: str, wa_id: str, body: str, name: str = "Shopper", wamid: str | None = None
) -> dict[str, Any]:
    return inbound(phone_number_id, wa_id, name, "text", {"body": body}, wamid)


def reply(
    phone_number_id: str,
    wa_id: str,
    kind: str,
    reply_id: str,
    title: str,
    context_id: str | None = None,
    name: str = "Shopper",
) -> dict[str, Any]:
    """A tap on a reply button (`button_reply`) or a list row (`list_reply`)."""
    return inbound(
        phone_number_id,
        wa_id,
        name,
        "interactive",
        {"type": kind, kind: {"id": reply_id, "title": title}},
        context={"from": "15550000000", "id": context_id} if context_id else None,
    )


def status(phone_number_id: str, wamid: str, wa_id: str, state: str) -> dict[str, Any]:
    return envelope(
        phone_number_id,
        {
            "statuses": [
                {
                    "id": wamid,
                    "status": state,
                    "timestamp": str(int(time.time())),
                    "recipient_id": wa_id,
                }
            ]
        },
    )


def signed(payload: dict[str, Any], app_secret: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, app_secret)}
