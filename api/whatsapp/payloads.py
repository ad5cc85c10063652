"""The WhatsApp Cloud API webhook, as Meta documents it, in frozen Pydantic models.

https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components — a delivery is
`{"object": "whatsapp_business_account", "entry": [{"id", "changes": [{"field": "messages",
"value": {...}}]}]}`; a value carries `metadata`, and `contacts` + `messages` (inbound) or
`statuses` (delivery receipts, payments), or `errors`. Meta adds fields over time, so unknown
fields are kept (`extra="allow"`) and never make a delivery fail: what we do not know we record
and answer politely.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)


class Metadata(_Model):
    display_phone_number: str = ""
    phone_number_id: str


class Profile(_Model):
    name: str = ""


class Contact(_Model):
    wa_id: str
    profile: Profile = Profile()


class Context(_Model):
    from_: str | None = Field(default=None, alias="from")
    id: str | None = None
    forwarded: bool | None = None
    frequently_forwarded: bool | None = None


class Text(_Model):
    body: str


class ButtonReply(_Model):
    id: str
    title: str = ""


class ListReply(_Model):
    id: str
    title: str = ""
    description: str | None = None


class Interactive(_Model):
    type: str
    button_reply: ButtonReply | None = None
    list_reply: ListReply | None = None


class Button(_Model):
    """A template's quick-reply button."""

    payload: str = ""
    text: str = ""


class Location(_Model):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class ProductItem(_Model):
    product_retailer_id: str
    quantity: int
    item_price: float | None = None
    currency: str | None = None


class Order(_Model):
    catalog_id: str = ""
    text: str | None = None
    product_items: tuple[ProductItem, ...] = ()


class Reaction(_Model):
    message_id: str
    emoji: str | None = None


class Media(_Model):
    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    url: str | None = None


class Error(_Model):
    code: int | None = None
    title: str | None = None
    message: str | None = None
    error_data: dict[str, Any] | None = None


class Message(_Model):
    from_: str = Field(alias="from")
    id: str
    timestamp: str
    type: str
    context: Context | None = None
    text: Text | None = None
    interactive: Interactive | None = None
    button: Button | None = None
    location: Location | None = None
    order: Order | None = None
    reaction: Reaction | None = None
    image: Media | None = None
    audio: Media | None = None
    video: Media | None = None
    document: Media | None = None
    sticker: Media | None = None
    errors: tuple[Error, ...] = ()


class Amount(_Model):
    value: int
    offset: int = 100


class Transaction(_Model):
    id: str
    type: str | None = None
    status: str | None = None
    amount: Amount | None = None
    currency: str | None = None


class Payment(_Model):
    reference_id: str
    amount: Amount | None = None
    currency: str | None = None
    transaction: Transaction | None = None


class Status(_Model):
    id: str
    status: str
    timestamp: str
    recipient_id: str
    type: str | None = None
    errors: tuple[Error, ...] = ()
    payment: Payment | None = None


class Value(_Model):
    messaging_product: Literal["whatsapp"] = "whatsapp"
    metadata: Metadata
    contacts: tuple[Contact, ...] = ()
    messages: tuple[Message, ...] = ()
    statuses: tuple[Status, ...] = ()
    errors: tuple[Error, ...] = ()


class Change(_Model):
    field: str
    # Other fields (account updates, templates…) are not for us: kept as they came.
    value: Value | dict[str, Any] = Field(union_mode="left_to_right")


class Entry(_Model):
    id: str
    changes: tuple[Change, ...] = ()


class Webhook(_Model):
    object: str
    entry: tuple[Entry, ...] = ()

    def values(self) -> list[Value]:
        return [
            c.value
            for e in self.entry
            for c in e.changes
            if c.field == "messages" and isinstance(c.value, Value)
        ]
