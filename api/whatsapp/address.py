"""WhatsApp's native address form (India only): `interactive.type: address_message` out,
prefilled from the shopper's last address, and the filled form back as an `nfm_reply`
(`name: address_message`, its fields in `response_json`), read into the one line of address
text the checkout form already checks (PIN code, the shop's delivery area).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# The form's fields in the order an Indian address is written; name and phone are not address.
ADDRESS_FIELDS = (
    "house_number",
    "floor_number",
    "tower_number",
    "building_name",
    "address",
    "landmark_area",
    "city",
    "state",
)
FORM_FIELDS = ("name", "phone_number", "in_pin_code", *ADDRESS_FIELDS)


def filled(interactive: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The values of a filled address form (`interactive.nfm_reply`); None for anything else
    (another flow's reply, broken JSON)."""
    reply = (interactive or {}).get("nfm_reply")
    if not isinstance(reply, Mapping) or reply.get("name") != "address_message":
        return None
    try:
        answer = json.loads(str(reply.get("response_json") or ""))
    except ValueError:
        return None
    values = answer.get("values") if isinstance(answer, Mapping) else None
    if not isinstance(values, Mapping):
        return None
    return {k: " ".join(str(v).split()) for k, v in values.items() if k in FORM_FIELDS and v}


def address_text(values: Mapping[str, str]) -> str:
    """ "Flat 302, Shanti Apartments, Andheri East, Mumbai, Maharashtra 400069"."""
    parts = [values[k] for k in ADDRESS_FIELDS if values.get(k)]
    line = ", ".join(dict.fromkeys(parts))
    pin = values.get("in_pin_code") or ""
    return f"{line} {pin}".strip()
