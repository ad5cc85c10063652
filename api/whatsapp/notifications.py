"""Notifications: the outbox's messages (an order packed, a payment received) sent to the
shopper in their language — as text inside their 24-hour customer-service window, as the
approved template outside it or once Meta refuses the text."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from api.whatsapp import inbox, order_status, routing, templates
from api.whatsapp.graph import GraphClient, GraphError
from api.whatsapp.lock import OUTBOX, LostOwnership, Ownership
from api.whatsapp.plan import Database, language_of
from api.whatsapp.render import text_messages
from bot.catalog.model import format_rupees
from bot.db import models as db
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppOutgoing
from bot.i18n import t
from bot.notifications import outbox
from bot.settings import Settings
from bot.shops.directory import sending_number

log = logging.getLogger("chatcart.whatsapp")


class Notifier:
    """Sends the outbox while this process holds its lane (`lock.OUTBOX`): one worker at a
    time, another taking over when it dies. Each shopper's notifications go out in order by
    a sender of their own, and shoppers are served at once: a shopper whose messages fail —
    each retried by the Graph API client with its back-off — delays only themselves."""

    def __init__(
        self, settings: Settings, graph: GraphClient, db: Database, owner: Ownership
    ) -> None:
        self.settings = settings
        self.graph = graph
        self.db = db
        self.owner = owner
        self._senders: dict[str, asyncio.Task[int]] = {}
        self._owned = False

    @property
    def tasks(self) -> list[asyncio.Task[int]]:
        return list(self._senders.values())

    async def run(self) -> None:
        while True:
            try:
                await self.round()
            except Exception:
                log.exception("draining the outbox failed")
            await asyncio.sleep(self.settings.whatsapp_outbox_every_seconds)

    async def _holding(self) -> bool:
        if not self._owned:
            self._owned = await self.db(self.owner.take, OUTBOX)
            return self._owned
        try:
            await self.db(self.owner.confirm, OUTBOX)
        except LostOwnership as e:
            log.warning("the outbox is no longer this worker's: %s", e)
            self._owned = False
        return self._owned

    async def round(self) -> None:
        """A sender for every shopper with due notifications and none running yet."""
        if not await self._holding():
            return
        self._senders = {k: task for k, task in self._senders.items() if not task.done()}
        for wa_id, items in (await self.db(_due_by_shopper)).items():
            if wa_id not in self._senders:
                self._senders[wa_id] = asyncio.create_task(
                    self._send_all(items), name=f"whatsapp-notify-{wa_id}"
                )

    async def _send_all(self, items: list[outbox.OutboxItem]) -> int:
        sent = 0
        for item in items:
            try:
                await self.db(self.owner.confirm, OUTBOX)
                sent += await self.send(item)
            except LostOwnership:
                self._owned = False
                return sent
            except Exception:
                log.exception("outbox %s: sending failed; tried again later", item.id)
        return sent

    async def send(self, item: outbox.OutboxItem) -> bool:
        """One notification, unless the chat said it already; True when it was sent."""
        if await self.db(_said_in_chat, item):
            return False
        outgoing_id, body, wamid = await self.db(self._notification, item)
        if wamid is None:
            try:
                wamid = await self._send(item, body)
            except GraphError as e:
                await self.db(_failed, item.id, outgoing_id, str(e))
                return False
        await self.db(_sent, item.id, outgoing_id, wamid)
        return True

    async def _send(self, item: outbox.OutboxItem, body: dict[str, Any]) -> str:
        """From the number of the order's shop (with its own token, if it has one)."""
        shop = await self.db(routing.of_shop, item.shop_id, self.settings)
        number = shop.number
        self.graph.speak_for(number, shop.access_token)
        try:
            return await self.graph.send(body, number)
        except GraphError as e:
            if e.code in order_status.REFUSALS and _is_order_status(body):
                # Meta refused the move (2046) or cancelling a paid order (2047): say it as text.
                log.warning("outbox %s: %s; sending the text instead", item.id, e)
                _, body, _ = await self.db(self._notification, item, False, True)
                return await self._send(item, body)
            if e.code != templates.RE_ENGAGEMENT or body.get("type") == "template":
                raise
            log.warning("outbox %s: %s; sending the template instead", item.id, e)
        _, body, _ = await self.db(self._notification, item, True)  # the same row, now the template
        return await self.graph.send(body, number)

    def _notification(
        self, item: outbox.OutboxItem, as_template: bool = False, plain: bool = False
    ) -> tuple[int, dict[str, Any], str | None]:
        """The notification's outgoing row (made once: a crash between sending and marking
        finds it), its request body, and its wamid if it was sent already. Until it is sent,
        the body is decided again on every try: while the shopper's customer-service window
        is open, an `order_status` update on the order's WhatsApp Pay sheet when there is an
        allowed move (`order_status`; not when `plain`), else text; the template once the
        window has closed or Meta refused the text."""
        with session_scope(write=True) as s:
            number = sending_number(s.get_one(db.Shop, item.shop_id), self.settings)
            out = s.scalar(select(WhatsAppOutgoing).where(WhatsAppOutgoing.outbox_id == item.id))
            if out is not None and out.state == "sent":
                return out.id, dict(out.body), out.wamid
            customer = s.scalar(
                select(db.Customer).where(
                    db.Customer.shop_id == item.shop_id, db.Customer.wa_id == item.wa_id
                )
            )
            language = language_of(customer.language if customer else item.language)
            as_template = (
                as_template
                or (out is not None and out.type == "template")
                or not templates.in_window(inbox.last_inbound(s, item.wa_id, number), inbox.now())
            )
            if as_template:
                message = templates.template_message(
                    item.template, item.params, language, self.settings
                )
            else:
                text = notification_text(item.template, item.params, language)
                in_thread = (
                    None
                    if plain
                    else order_status.update(s, item, number, text)
                    or order_status.sheet_again(s, item, number, text, language, self.settings)
                )
                [message] = [in_thread] if in_thread else text_messages(text)
            if out is None:
                out = WhatsAppOutgoing(
                    outbox_id=item.id, wa_id=item.wa_id, phone_number_id=number, options={}
                )
                s.add(out)
            out.type, out.body = message.type, message.request(item.wa_id)
            out.options = dict(message.options)
            s.flush()
            return out.id, dict(out.body), None


def _is_order_status(body: dict[str, Any]) -> bool:
    return (body.get("interactive") or {}).get("type") == "order_status"


def _due_by_shopper() -> dict[str, list[outbox.OutboxItem]]:
    with session_scope() as s:
        due = outbox.pending(s)
    shoppers: dict[str, list[outbox.OutboxItem]] = {}
    for item in due:
        shoppers.setdefault(item.wa_id, []).append(item)
    return shoppers


def _said_in_chat(item: outbox.OutboxItem) -> bool:
    """An order placed in the WhatsApp conversation was confirmed there already (with the
    pay link): its `order_placed` notification would say it twice. Marked done, unsent."""
    if item.template != "order_placed" or item.order_id is None:
        return False
    with session_scope(write=True) as s:
        order = s.get(db.Order, item.order_id)
        if order is None or not order.idempotency_key.startswith("chat:"):
            return False
        outbox.mark_sent(s, item.id, None)
    log.info(
        "outbox %s: order %s was confirmed in the chat; not sent again", item.id, item.order_id
    )
    return True


def _sent(outbox_id: int, outgoing_id: int, wamid: str) -> None:
    with session_scope(write=True) as s:
        outbox.mark_sent(s, outbox_id, wamid)
        inbox.mark_sent(s, outgoing_id, wamid)  # after: an early "failed" status may resend


def _failed(outbox_id: int, outgoing_id: int, error: str) -> None:
    with session_scope(write=True) as s:
        status = outbox.mark_failed(s, outbox_id, error)
        out = s.get(WhatsAppOutgoing, outgoing_id)
        if out is not None and status == "dead":
            out.state, out.error = "failed", error[:2000]


def notification_text(template: str, params: Mapping[str, Any], language: str) -> str:
    from bot.orders.slots import slot_label

    p = dict(params)
    values = {
        "order_id": p.get("order_id", ""),
        "total": format_rupees(int(p.get("total_paise") or p.get("amount_paise") or 0)),
        "pay_url": p.get("pay_url") or "",
        "slot": slot_label(str(p.get("delivery_slot") or ""), language),
        "reason": f": {p['reason']}" if p.get("reason") else "",
    }
    text = t(f"notify_{template}", language, **values)
    if template == "order_placed" and p.get("pay_url"):
        text += "\n" + t("pay_now", language, url=p["pay_url"])
    return text
