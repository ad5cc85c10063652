"""One planner per WhatsApp message type: what the message means for the engine, or the reply
we give ourselves for what the engine cannot read. `plan` looks the type up in `PLANNERS`; a
planner that finds its message not what it seemed (a text without words, a button without
its payload) returns None and the shopper gets the polite reply for the type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from api.whatsapp import inbox
from api.whatsapp.address import address_text, filled
from api.whatsapp.inbox import InboxRow
from api.whatsapp.payloads import Message
from api.whatsapp.photos import photo_of, plan_photo
from api.whatsapp.plan import Context, Plan, language_of, polite
from api.whatsapp.privacy import plan_privacy
from api.whatsapp.render import list_page, resolve, text_messages
from bot.db import models as db
from bot.db.session import session_scope
from bot.i18n import t

Planner = Callable[[Context, InboxRow, Message], Awaitable[Plan | None]]
UNSUPPORTED = {
    "audio": "wa_unsupported_audio",
    "voice": "wa_unsupported_audio",
    "image": "wa_unsupported_image",  # when Tesseract is not installed (make tesseract)
    "sticker": "wa_unsupported_sticker",
}


async def text(ctx: Context, row: InboxRow, m: Message) -> Plan | None:
    if m.text is None or not m.text.body.strip():
        return None
    return Plan("text", forward=m.text.body, customer=True)


async def interactive(ctx: Context, row: InboxRow, m: Message) -> Plan | None:
    """A tapped button or list row: the payload the message offered under that id (looked up
    by the message it answers), or the next page of a long list; a filled address form."""
    if m.interactive is not None and m.interactive.type == "nfm_reply":
        return await address_form(ctx, row, m)
    choice = (m.interactive.button_reply or m.interactive.list_reply) if m.interactive else None
    if choice is None:
        return None
    context = m.context.id if m.context else None
    options = await ctx.db(inbox.options_for, row.wa_id, choice.id, context, row.phone_number_id)
    meaning = resolve(options, choice.id) if options else None
    if meaning and meaning[0] == "page" and options is not None:
        page = list_page(
            options.get("body") or "",
            options["choices"],
            options.get("language") or "en",
            options["token"],
            meaning[1],
        )
        return Plan("next_page", (page,))
    said = meaning[1] if meaning else (choice.title or choice.id)
    return Plan("payload" if meaning else "unknown_choice", forward=said, customer=True)


async def button(ctx: Context, row: InboxRow, m: Message) -> Plan | None:
    """A template's quick-reply button."""
    if m.button is None:
        return None
    return Plan("quick_reply", forward=m.button.payload or m.button.text, customer=True)


async def location(ctx: Context, row: InboxRow, m: Message) -> Plan | None:
    """A shared location is the delivery address while checkout asks for one — with a PIN
    code, by the checkout form's own rule; otherwise it waits for checkout."""
    from bot.parsing.pincode import find_pincode

    if m.location is None:
        return None
    slots = await ctx.slots(row.wa_id)
    language = language_of(slots.get("language"))
    place = ", ".join(x for x in (m.location.name, m.location.address) if x)
    pin = f"📍 {m.location.latitude:.6f}, {m.location.longitude:.6f}"
    where = f"{place} ({pin})" if place else pin
    if slots.get("requested_slot") != "address":
        return polite("location_outside_checkout", "wa_location_later", language)
    if not find_pincode(place):
        reply = text_messages(t("wa_location_no_pincode", language, place=where))
        return Plan("location_without_pincode", tuple(reply))
    return Plan("location_address", forward=where, customer=True)


async def address_form(ctx: Context, row: InboxRow, m: Message) -> Plan | None:
    """WhatsApp's address form, filled (`api/whatsapp/address.py`): the delivery address as
    one line of text while checkout asks for one, which the checkout form checks as if typed."""
    from bot.parsing.pincode import find_pincode

    values = filled(m.interactive.model_dump(by_alias=True) if m.interactive else None)
    if not values:
        return None
    slots = await ctx.slots(row.wa_id)
    language = language_of(slots.get("language"))
    where = address_text(values)
    if slots.get("requested_slot") != "address":
        return polite("address_outside_checkout", "wa_location_later", language)
    if not find_pincode(where):
        reply = text_messages(t("wa_location_no_pincode", language, place=where))
        return Plan("address_without_pincode", tuple(reply))
    return Plan("address_form", forward=where, customer=True)


def _known_skus(shop_id: int, skus: list[str]) -> set[str]:
    with session_scope() as s:
        return set(
            s.scalars(
                select(db.Product.sku).where(
                    db.Product.shop_id == shop_id,
                    db.Product.active.is_(True),
                    db.Product.sku.in_(skus),
                )
            )
        )


async def order(ctx: Context, row: InboxRow, m: Message) -> Plan | None:
    """A cart sent from the WhatsApp catalog: its lines (SKU = product_retailer_id) go into
    the cart and the engine shows the cart; SKUs the shop no longer sells are said first."""
    if m.order is None:
        return None
    language = await ctx.language(row.wa_id)
    wanted: dict[str, int] = {}
    for item in m.order.product_items:
        wanted[item.product_retailer_id] = wanted.get(item.product_retailer_id, 0) + item.quantity
    known = await ctx.db(_known_skus, ctx.shop_id(), list(wanted))
    unknown = [sku for sku in wanted if sku not in known]
    note = (
        text_messages(t("wa_order_unknown", language, skus=", ".join(unknown))) if unknown else []
    )
    packs = tuple((sku, n) for sku, n in wanted.items() if sku in known and n > 0)
    if not packs:
        replies = note or text_messages(t("wa_unsupported", language))
        return Plan("order_rejected", tuple(replies), customer=True)
    return Plan(
        f"order:{len(packs)}_lines",
        tuple(note),
        forward="/view_cart",
        packs=packs,
        customer=True,
        language=language,
    )


async def picture(ctx: Context, row: InboxRow, m: Message) -> Plan | None:
    """An image, or a document that is one: a photo of a shopping list, if photos can be
    read here."""
    media = photo_of(m)
    if media is None or ctx.ocr_problem() is not None:
        return None
    return await plan_photo(ctx, row, media, await ctx.language(row.wa_id))


async def system(ctx: Context, row: InboxRow, m: Message) -> Plan | None:
    """Meta's own notice (a shopper changed their number): nothing to answer."""
    return Plan("system")


async def reaction(ctx: Context, row: InboxRow, m: Message) -> Plan | None:
    if not (m.reaction and m.reaction.emoji):
        return Plan("unreaction")  # a reaction taken back
    return polite("polite:reaction", "wa_reaction", await ctx.language(row.wa_id))


PLANNERS: dict[str, Planner] = {
    "text": text,
    "interactive": interactive,
    "button": button,
    "location": location,
    "order": order,
    "image": picture,
    "document": picture,
    "system": system,
    "reaction": reaction,
}


async def plan(ctx: Context, row: InboxRow, m: Message) -> Plan:
    """The type's planner; whatever it would forward — typed, tapped or a template's quick
    reply — is first read for STOP, START and "delete my data" (api/whatsapp/privacy)."""
    planner = PLANNERS.get(m.type)
    found = await planner(ctx, row, m) if planner is not None else None
    if found is not None and found.forward is not None and not found.packs:
        return await plan_privacy(ctx, row, found.forward) or found
    if found is not None:
        return found
    language = await ctx.language(row.wa_id)
    return polite(f"polite:{m.type}", UNSUPPORTED.get(m.type, "wa_unsupported"), language)
