"""A filled WhatsApp address form (`nfm_reply`, `name: address_message`) read as one line of
address with its PIN code (the planner: tests/api/whatsapp/test_whatsapp_planners.py)."""

from __future__ import annotations

import json

from api.whatsapp.address import address_text, filled

VALUES = {
    "name": "Asha",
    "phone_number": "+919812300777",
    "in_pin_code": "400069",
    "house_number": "Flat 302",
    "floor_number": "3",
    "tower_number": "",
    "building_name": "Shanti Apartments",
    "address": "Chakala Road",
    "landmark_area": "Andheri East",
    "city": "Mumbai",
    "state": "Maharashtra",
}


def form_reply(values: dict[str, str], name: str = "address_message") -> dict:
    return {
        "type": "nfm_reply",
        "nfm_reply": {
            "name": name,
            "body": "Sent",
            "response_json": json.dumps({"saved_address_id": "a1", "values": values}),
        },
    }


def test_the_form_is_one_line_of_address_with_its_pin_code() -> None:
    values = filled(form_reply(VALUES))
    assert values is not None and "name" in values and "tower_number" not in values
    assert address_text(values) == (
        "Flat 302, 3, Shanti Apartments, Chakala Road, Andheri East, Mumbai, Maharashtra 400069"
    )
    assert filled(form_reply(VALUES, name="flow")) is None
    assert filled({"type": "nfm_reply", "nfm_reply": {"name": "address_message"}}) is None
