"""Meta's own OpenAPI description of the Cloud API as the judge of every Graph API body the
tests record (`POST /{Version}/{Phone-Number-ID}/messages`, operation `sendMessage`), beside the
renderer's `check`, which only knows the limits we wrote down ourselves.

The description is not usable as JSON Schema as it stands, so it is read the way its authors
meant it:

- every `allOf` of plain objects is merged into one object: `TextMessage` is
  `allOf: [BaseMessageProperties, {additionalProperties: false, …}]`, which read literally
  refuses `to` and `messaging_product` (the second part does not list them);
- a `discriminator` picks the one schema its property names (`Message` by `type`, a template
  component by `type`, a parameter by `type`), instead of `oneOf` trying them all: the error
  is then about the message that was sent, not "valid under none of 11 schemas";
- `$ref`s are resolved in place (the message schemas hold no cycles once a discriminator's
  targets stop at their own base).

Where the schema contradicts the description's own examples, the example wins; each such
correction is in `QUIRKS` with its reason, and a test runs every example through the result.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import yaml

from bot.settings import PROJECT_ROOT

SPEC = (
    PROJECT_ROOT.parent
    / "shared"
    / "data"
    / "whatsapp"
    / "meta_openapi"
    / "business-messaging-api_v23.0.yaml"
)
MESSAGES_PATH = "/{Version}/{Phone-Number-ID}/messages"
ABSENT = f"Meta's OpenAPI description is absent ({SPEC}): see ../shared/data/README.md"

# Keywords that only describe; an object holding nothing else beside `properties`, `required`,
# `type` and `additionalProperties: false` is "plain" and merges with its allOf siblings.
_ANNOTATIONS = {"description", "title", "example", "examples", "deprecated", "format"}
_PLAIN = _ANNOTATIONS | {"type", "properties", "required", "additionalProperties"}

# (schema, JSON pointer inside it, the value it gets, why). Each is a place where the schema
# refuses what the description's own examples of sendMessage send.
QUIRKS: tuple[tuple[str, str, Any, str], ...] = (
    (
        "BaseMessageProperties",
        "/required",
        ["messaging_product", "to", "type"],
        '`recipient_type` is listed as required, yet the examples "Send Test Message", "Send '
        'Contact Message" and the sample templates leave it out (Meta: it defaults to '
        "`individual`)",
    ),
    (
        "LanguageObject",
        "/required",
        ["code"],
        "`policy` is listed as required, yet every template example sends "
        "`language: {code: …}` alone (Meta's reference calls `policy` optional)",
    ),
    (
        "LocationMessage",
        "/allOf/1/properties/location/properties/latitude",
        {"type": ["number", "string"]},
        'typed string, yet "Send Location Message" sends numbers, as Meta\'s reference does',
    ),
    (
        "LocationMessage",
        "/allOf/1/properties/location/properties/longitude",
        {"type": ["number", "string"]},
        "as latitude",
    ),
    *(
        (
            name,
            pointer,
            {"type": ["string", "integer"], "pattern": "^[0-9]$", "minimum": 0, "maximum": 9},
            "a button's position, 0-9: the pattern `^[2-6, 11-14]$` is a character class that "
            'refuses the examples\' own `"0"` and `0`',
        )
        for name, pointer in (
            ("TemplateComponent", "/properties/index"),
            ("ButtonComponent", "/allOf/1/properties/index"),
        )
    ),
)

# Examples of sendMessage the description's schemas cannot describe even so, and why; none is
# a body ChatCart sends today. A test checks that these, and only these, are refused.
UNDESCRIBED: dict[str, str] = {
    "Send Catalog Template Message": "catalog buttons (`sub_type: CATALOG`, an `action` "
    "parameter) are missing from the component and parameter schemas",
    "Send Flow Template Message": "flow buttons (`sub_type: flow`, an `action` parameter) are "
    "missing from the component and parameter schemas",
    "Send Multi-Product Message": "its header type is the placeholder `<HEADER_TYPE>`",
    "Send Order Status Message": "its placeholder `reference_id` is 42 characters; Meta takes "
    "35 at most (`ADDITIONS` keeps the limit)",
    "Send Reply to List Message": "no `type` (Meta then assumes text); every body we send "
    "names its type, so `type` stays required",
    "Send Text Message with Preview URL": "no `type`, as above",
    "Send Sample Issue Resolution Template": "text parameters given as booleans",
}

# WhatsApp Pay (India) messages, which the description lists examples of but no schema for:
# `order_details` and `order_status` are missing from the interactive types, `review_and_pay`
# and `review_order` from the actions. Written from Meta's reference for Payments API (India)
# and its examples; both forms of payment configuration are allowed: `payment_settings` (a
# payment gateway with its configuration name, or a UPI intent link) and the older
# `payment_type` + `payment_configuration` of "Send Order Details Message".
_AMOUNT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["value", "offset"],
    "properties": {"value": {"type": "integer", "minimum": 0}, "offset": {"enum": [100]}},
}
_DESCRIBED_AMOUNT: dict[str, Any] = {
    **_AMOUNT,
    "properties": {
        **_AMOUNT["properties"],
        "description": {"type": "string", "maxLength": 60},
        "discount_program_name": {"type": "string", "maxLength": 60},
    },
}
_REFERENCE: dict[str, Any] = {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,35}$"}
_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_PAYMENT_SETTING: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type"],
    "properties": {
        "type": {"enum": ["payment_gateway", "upi_intent_link"]},
        "payment_gateway": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type", "configuration_name"],
            "properties": {
                "type": {"enum": ["razorpay", "payu", "billdesk", "zaakpay"]},
                "configuration_name": _TEXT,
                "razorpay": {"type": "object"},
                "payu": {"type": "object"},
                "billdesk": {"type": "object"},
                "zaakpay": {"type": "object"},
            },
        },
        "upi_intent_link": {
            "type": "object",
            "additionalProperties": False,
            "required": ["link"],
            "properties": {"link": {"type": "string", "pattern": "^upi://pay\\?"}},
        },
    },
    "oneOf": [
        {"properties": {"type": {"const": "payment_gateway"}}, "required": ["payment_gateway"]},
        {"properties": {"type": {"const": "upi_intent_link"}}, "required": ["upi_intent_link"]},
    ],
}
REVIEW_AND_PAY: dict[str, Any] = {
    "required": ["name", "parameters"],
    "properties": {
        "name": {"type": "string", "enum": ["review_and_pay"]},
        "parameters": {
            "type": "object",
            "additionalProperties": False,
            "required": ["reference_id", "type", "currency", "total_amount", "order"],
            "properties": {
                "reference_id": _REFERENCE,
                "type": {"enum": ["digital-goods", "physical-goods"]},
                "payment_type": {"enum": ["upi"]},
                "payment_configuration": _TEXT,
                "payment_settings": {"type": "array", "minItems": 1, "items": _PAYMENT_SETTING},
                "currency": {"enum": ["INR"]},
                "total_amount": _AMOUNT,
                "order": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["status", "items", "subtotal", "tax"],
                    "properties": {
                        "status": {"enum": ["pending"]},
                        "catalog_id": _TEXT,
                        "expiration": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["timestamp"],
                            "properties": {
                                "timestamp": {"type": "string", "pattern": "^[0-9]+$"},
                                "description": {"type": "string", "maxLength": 120},
                            },
                        },
                        "items": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["name", "amount", "quantity"],
                                "properties": {
                                    "retailer_id": _TEXT,
                                    "product_id": _TEXT,
                                    "name": {"type": "string", "minLength": 1, "maxLength": 60},
                                    "amount": _AMOUNT,
                                    "sale_amount": _AMOUNT,
                                    "quantity": {"type": "integer", "minimum": 1},
                                    "country_of_origin": _TEXT,
                                    "importer_name": _TEXT,
                                    "importer_address": {"type": "object"},
                                },
                            },
                        },
                        "subtotal": _AMOUNT,
                        "tax": _DESCRIBED_AMOUNT,
                        "shipping": _DESCRIBED_AMOUNT,
                        "discount": _DESCRIBED_AMOUNT,
                    },
                },
            },
            "oneOf": [
                {"required": ["payment_settings"], "not": {"required": ["payment_configuration"]}},
                {"required": ["payment_type", "payment_configuration"]},
            ],
        },
    },
}
ORDER_STATUSES = ("pending", "processing", "partially_shipped", "shipped", "completed", "canceled")
REVIEW_ORDER: dict[str, Any] = {
    "required": ["name", "parameters"],
    "properties": {
        "name": {"type": "string", "enum": ["review_order"]},
        "parameters": {
            "type": "object",
            "additionalProperties": False,
            "required": ["reference_id", "order"],
            "properties": {
                "reference_id": _REFERENCE,
                "order": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["status"],
                    "properties": {
                        "status": {"enum": list(ORDER_STATUSES)},
                        "description": {"type": "string", "maxLength": 120},
                    },
                },
            },
        },
    },
}
_ADDRESS_VALUES: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        name: {"type": "string", "maxLength": 256}
        for name in (
            "name",
            "phone_number",
            "in_pin_code",
            "house_number",
            "floor_number",
            "tower_number",
            "building_name",
            "address",
            "landmark_area",
            "city",
            "state",
        )
    },
}
# The address form (India only), from Meta's reference for address messages.
ADDRESS_MESSAGE: dict[str, Any] = {
    "required": ["name", "parameters"],
    "properties": {
        "name": {"type": "string", "enum": ["address_message"]},
        "parameters": {
            "type": "object",
            "additionalProperties": False,
            "required": ["country"],
            "properties": {
                "country": {"enum": ["IN"]},
                "values": _ADDRESS_VALUES,
                "saved_addresses": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["id", "value"],
                        "properties": {"id": _TEXT, "value": _ADDRESS_VALUES},
                    },
                },
                "validation_errors": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                },
            },
        },
    },
}
# (schema, JSON pointer to a list in it, what is appended, why): what the description lacks.
ADDITIONS: tuple[tuple[str, str, list[Any], str], ...] = (
    (
        "InteractiveObject",
        "/properties/type/enum",
        ["order_details", "order_status", "address_message"],
        "WhatsApp Pay's interactive types (its own examples send them) and the address form",
    ),
    (
        "ActionObject",
        "/oneOf",
        [REVIEW_AND_PAY, REVIEW_ORDER, ADDRESS_MESSAGE],
        "their actions, as above",
    ),
)

# A read receipt (with the typing indicator) is a sendMessage body in the description's own
# example "Send typing indicator and read receipt", but `Message` has no schema for it: this
# one is written from that example and Meta's reference for marking messages as read.
READ_RECEIPT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["messaging_product", "status", "message_id"],
    "properties": {
        "messaging_product": {"type": "string", "enum": ["whatsapp"]},
        "status": {"type": "string", "enum": ["read"]},
        "message_id": {"type": "string", "minLength": 1},
        "typing_indicator": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type"],
            "properties": {"type": {"type": "string", "enum": ["text"]}},
        },
    },
}


def available() -> bool:
    return SPEC.is_file()


@functools.cache
def description() -> dict[str, Any]:
    with SPEC.open(encoding="utf-8") as f:
        loaded: dict[str, Any] = yaml.load(f, Loader=yaml.CSafeLoader)
    return loaded


def _operation() -> dict[str, Any]:
    operation: dict[str, Any] = description()["paths"][MESSAGES_PATH]["post"]
    assert operation["operationId"] == "sendMessage", operation["operationId"]
    return operation


def examples() -> dict[str, Any]:
    """The description's own example request bodies of sendMessage, by name."""
    content = _operation()["requestBody"]["content"]["application/json"]
    return {name: e["value"] for name, e in content["examples"].items()}


def _patched_schemas() -> dict[str, Any]:
    schemas = copy.deepcopy(description()["components"]["schemas"])
    for name, pointer, value, _why in QUIRKS:
        *parents, last = pointer.strip("/").split("/")
        node = schemas[name]
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value
    for name, pointer, values, _why in ADDITIONS:
        node = schemas[name]
        for key in pointer.strip("/").split("/"):
            node = node[int(key)] if isinstance(node, list) else node[key]
        node.extend(copy.deepcopy(values))
    return schemas


class _Flattener:
    """One pass over the component schemas: refs inlined, allOfs merged, discriminators made
    into if/then on the property they name."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas

    def named(self, name: str, within: frozenset[str] = frozenset()) -> Any:
        # Inside one of its own discriminator's targets a schema is only its base.
        return self.node(self.schemas[name], within | {name}, discriminate=name not in within)

    def node(self, node: Any, within: frozenset[str], discriminate: bool = True) -> Any:
        if isinstance(node, list):
            return [self.node(n, within) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            name = node["$ref"].removeprefix("#/components/schemas/")
            target = self.named(name, within)
            extra = {k: v for k, v in node.items() if k != "$ref" and k not in _ANNOTATIONS}
            return {"allOf": [target, self.node(extra, within)]} if extra else target
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("discriminator", "example", "examples"):
                continue
            if key in ("properties", "patternProperties", "$defs"):
                out[key] = {k: self.node(v, within) for k, v in value.items()}
            else:
                out[key] = self.node(value, within)
        if "allOf" in out:
            out = self._merge_all_of(out)
        if discriminate and isinstance(node.get("discriminator"), dict):
            out = self._discriminated(out, node["discriminator"], within)
        return out

    def _merge_all_of(self, node: dict[str, Any]) -> dict[str, Any]:
        parts = [{k: v for k, v in node.items() if k != "allOf"}, *node["allOf"]]
        if not all(isinstance(p, dict) and set(p) <= _PLAIN for p in parts):
            return node
        if any(p.get("additionalProperties") not in (None, False) for p in parts):
            return node
        merged: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for p in parts:
            for key, value in p.items():
                if key == "properties":
                    for name, schema in value.items():
                        properties[name] = (
                            _merge_property(properties[name], schema)
                            if name in properties
                            else schema
                        )
                elif key == "required":
                    required += [r for r in value if r not in required]
                elif key == "additionalProperties":
                    merged[key] = False
                elif key not in _ANNOTATIONS:
                    merged[key] = value
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged

    def _discriminated(
        self, node: dict[str, Any], discriminator: dict[str, Any], within: frozenset[str]
    ) -> dict[str, Any]:
        prop = discriminator["propertyName"]
        mapping: dict[str, str] = discriminator.get("mapping") or {}
        if not mapping:
            return node
        base = {k: v for k, v in node.items() if k not in ("oneOf", "anyOf")}
        properties = dict(base.get("properties") or {})
        properties[prop] = {**(properties.get(prop) or {}), "enum": sorted(mapping)}
        cases = [
            {
                "if": {"properties": {prop: {"const": value}}, "required": [prop]},
                "then": self.named(ref.removeprefix("#/components/schemas/"), within),
            }
            for value, ref in mapping.items()
        ]
        # The targets say which properties belong; the base alone would refuse theirs.
        base.pop("additionalProperties", None)
        return {
            **base,
            "type": "object",
            "required": [prop, *[r for r in base.get("required") or [] if r != prop]],
            "properties": properties,
            "allOf": cases,
        }


def _merge_property(a: Any, b: Any) -> Any:
    """One property described by two allOf parts (`type: string` in the base, `enum: [text]`
    in the message): one schema when they do not disagree, else both must hold."""
    if isinstance(a, dict) and isinstance(b, dict):
        shared = set(a) & set(b) - _ANNOTATIONS
        if all(a[k] == b[k] for k in shared):
            return {**a, **b}
    return {"allOf": [a, b]}


@dataclass(frozen=True)
class Problem:
    where: str  # a JSON pointer into the body: /interactive/action/buttons/0/reply/title
    what: str

    def __str__(self) -> str:
        return f"{self.where or '/'}: {self.what}"


class MessageValidator:
    """The request body of sendMessage, as JSON Schema (draft 2020-12)."""

    def __init__(self) -> None:
        flat = _Flattener(_patched_schemas())
        self.schema: dict[str, Any] = flat.named("Message")
        self._message = jsonschema_rs.Draft202012Validator(self.schema)
        self._read = jsonschema_rs.Draft202012Validator(READ_RECEIPT)
        self._branches: dict[str, jsonschema_rs.Validator] = {}

    def problems(self, body: Any) -> list[Problem]:
        """Everything Meta's description says is wrong with `body`; empty when it is valid."""
        if isinstance(body, dict) and "status" in body and "type" not in body:
            found = self._explain(self._read, READ_RECEIPT, body, [])
        else:
            found = self._explain(self._message, self.schema, body, [])
        # A property of a discriminator's base is checked by the base and again by its target.
        return list(dict.fromkeys(found))

    def _explain(
        self, validator: jsonschema_rs.Validator, schema: Any, body: Any, prefix: list[str | int]
    ) -> Iterator[Problem]:
        for error in validator.iter_errors(body):
            at = [*prefix, *error.instance_path]
            if error.schema_path and error.schema_path[-1] == "oneOf":
                yield from self._nearest_branch(schema, error, at)
            else:
                yield Problem(_pointer(at), _shortened(error.message))

    def _nearest_branch(
        self, schema: Any, error: jsonschema_rs.ValidationError, at: list[str | int]
    ) -> Iterator[Problem]:
        """A `oneOf` nothing (or more than one form) fits: the errors of the form the body comes
        nearest to — the one whose required properties it has, then the one with the fewest
        errors — rather than the bare "not valid under any of the schemas"."""
        node = schema
        for step in error.schema_path[:-1]:
            node = node[step]
        branches: list[Any] = node["oneOf"]
        instance = error.instance
        ranked = []
        for i, branch in enumerate(branches):
            key = json.dumps(branch, sort_keys=True)
            validator = self._branches.get(key)
            if validator is None:
                validator = self._branches[key] = jsonschema_rs.Draft202012Validator(branch)
            errors = list(validator.iter_errors(instance))
            missing = sum(
                1
                for e in errors
                if not e.instance_path
                and isinstance(e.kind, jsonschema_rs.ValidationErrorKind.Required)
            )
            ranked.append((missing, len(errors), i, validator, branch))
        ranked.sort(key=lambda r: r[:3])
        missing, count, index, validator, branch = ranked[0]
        if count == 0:
            yield Problem(_pointer(at), f"fits more than one of the {len(branches)} forms allowed")
            return
        for problem in self._explain(validator, branch, instance, at):
            yield Problem(problem.where, f"{problem.what} (in form {index + 1} of {len(branches)})")


def _shortened(message: str, limit: int = 240) -> str:
    """A message quotes the offending value whole; a long one keeps its start and its verdict."""
    return message if len(message) <= limit else f"{message[:80]} … {message[-120:]}"


def _pointer(path: list[str | int]) -> str:
    return "".join(f"/{p}" for p in path)


@functools.cache
def validator() -> MessageValidator:
    return MessageValidator()


def problems(body: Any) -> list[str]:
    """Meta's description's objections to one sendMessage request body, readable; empty when
    it is valid."""
    return [str(p) for p in validator().problems(body)]
