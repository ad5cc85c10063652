"""The gateway's background work: per-shopper lanes over the durable inbox, the engine, the
renderer and the Graph API; the status lane; the notifications outbox.

A message row moves `pending` → `forwarding` → `replied` → `done`, and every move is committed
before the next step starts:

- `pending`: the message is read (blue ticks, typing indicator) and turned into what to tell
  the engine — text, the payload a button or list row offered, a location as the address, a
  catalog order put into the cart (in the same transaction as the move), or a polite reply
  of our own for what the engine cannot read;
- `forwarding`: sent to the engine with the WhatsApp id in the metadata. After a crash the
  engine's tracker tells whether the turn ran: if it did, its replies are read back from the
  tracker instead of asking again (nothing doubled); if not, the message is sent (nothing lost);
- `replied`: the rendered replies are stored; each is sent once and marked with its wamid.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import select

from api.whatsapp import inbox, templates
from api.whatsapp.graph import GraphClient, GraphError, MediaTooLarge
from api.whatsapp.inbox import InboxRow
from api.whatsapp.lock import ProcessorLock
from api.whatsapp.payloads import Media, Message, Status
from api.whatsapp.rasa import EngineUnavailable, RasaClient
from api.whatsapp.render import Rendered, list_page, render, resolve, text_messages
from bot.cart import service as carts
from bot.catalog.model import format_rupees
from bot.catalog.store import ensure_shop
from bot.db import models as db
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing
from bot.errors import ShopError
from bot.i18n import t
from bot.i18n.render import LANGUAGES
from bot.notifications import outbox
from bot.ocr import reading, reply, shop
from bot.ocr.image import UnreadableImage
from bot.ocr.recognise import OcrTimeout, OcrUnavailable, available
from bot.payments.provider import EventKind, WebhookEvent
from bot.payments.webhooks import handle_webhook
from bot.settings import Settings

log = logging.getLogger("chatcart.whatsapp")
Params = ParamSpec("Params")
Returned = TypeVar("Returned")
FORWARD_GRACE = timedelta(seconds=30)  # how long a turn may still be running in the engine
SWEEP_SECONDS = 1.0
UNSUPPORTED = {
    "audio": "wa_unsupported_audio",
    "voice": "wa_unsupported_audio",
    "image": "wa_unsupported_image",  # when Tesseract is not installed (make tesseract)
    "sticker": "wa_unsupported_sticker",
}


class Retry(Exception):
    """Not now: the row keeps its state and is tried again after a back-off."""


PAYMENT_KINDS: dict[str, EventKind] = {
    "captured": "captured",
    "success": "captured",
    "failed": "failed",
}


class WhatsAppPayments:
    """A WhatsApp Pay status (India: UPI through the shop's payment gateway) as an event for
    `bot.payments.webhooks`. The gateway verified the signature; `reference_id` is the
    payment's public id (or the provider's reference) that the order details carried."""

    def __init__(self, provider_name: str, status: Status) -> None:
        self.name = provider_name
        self.status = status

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        s, p = self.status, self.status.payment
        assert p is not None
        amount = p.amount or (p.transaction.amount if p.transaction else None)
        paise = amount.value * 100 // (amount.offset or 100) if amount else None
        kind = PAYMENT_KINDS.get(s.status, "ignored")
        return WebhookEvent(
            event_id=f"whatsapp:{s.id}:{s.status}",
            event_type=f"whatsapp.payment.{s.status}",
            kind=kind,
            provider_ref=p.reference_id,
            public_id=p.reference_id,
            provider_payment_id=p.transaction.id if p.transaction else None,
            amount_paise=paise,
            currency=p.currency,
            payload=s.model_dump(mode="json", by_alias=True),
        )

    def create_payment(self, request: Any) -> Any:  # pragma: no cover - not a provider of its own
        raise NotImplementedError

    def refund(
        self, provider_payment_id: str, amount_paise: int, reference: str
    ) -> str:  # pragma: no cover
        raise NotImplementedError


def _language(value: Any) -> str:
    return value if value in LANGUAGES else "en"


class Gateway:
    def __init__(
        self,
        settings: Settings,
        graph: GraphClient | None = None,
        rasa: RasaClient | None = None,
        poll: float | None = None,
    ) -> None:
        self.settings = settings
        self.poll = poll  # a worker process: how often to look for new inbox rows
        self.lock = ProcessorLock(settings.database_url)
        self.processing = asyncio.Event()
        self.graph = graph or GraphClient(settings)
        self.rasa = rasa or RasaClient(
            settings.rasa_url, token=settings.rasa_token.get_secret_value()
        )
        self._lanes: dict[str, asyncio.Task[None]] = {}
        self._dirty: set[str] = set()
        self._slots = asyncio.Semaphore(settings.whatsapp_lanes)
        self._tasks: list[asyncio.Task[None]] = []
        self._shop_id: int | None = None
        self._acks = 0  # webhook requests writing to the inbox right now
        self._taken = 0  # the newest row of the intake file taken into the inbox (SQLite)
        self._taking = asyncio.Lock()
        self._take_task: asyncio.Task[None] | None = None
        self._take_again = False

    # Acknowledging Meta comes first: lanes hold their database work while a webhook is being
    # written (SQLite has one writer; a queue of lane writes would sit in front of the 200).
    def ack_started(self) -> None:
        self._acks += 1

    def ack_finished(self) -> None:
        self._acks -= 1

    async def _db(
        self, fn: Callable[Params, Returned], *args: Params.args, **kwargs: Params.kwargs
    ) -> Returned:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 0.1
        while self._acks and loop.time() < deadline:
            await asyncio.sleep(0.002)
        return await asyncio.to_thread(fn, *args, **kwargs)

    # lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Process the inbox and the outbox once this process holds the database's processor
        lock (at once, unless another gateway has it: then as its standby)."""
        self._tasks.append(asyncio.create_task(self._run(), name="whatsapp-gateway"))

    async def _run(self) -> None:
        waiting = False
        while not await asyncio.to_thread(self.lock.try_acquire):
            if not waiting:
                log.warning(
                    "another WhatsApp gateway processes this database (%s is locked); "
                    "standing by until it stops",
                    self.lock.path,
                )
                waiting = True
            await asyncio.sleep(1.0)
        tasks = [asyncio.create_task(self._sweep_loop(), name="whatsapp-sweep")]
        if self.settings.whatsapp_outbox_every_seconds > 0:
            tasks.append(asyncio.create_task(self._outbox_loop(), name="whatsapp-outbox"))
        self._tasks += tasks
        self.processing.set()
        log.info("WhatsApp gateway processing the inbox%s", " (worker)" if self.poll else "")
        await asyncio.gather(*tasks)

    async def stop(self) -> None:
        for task in [*self._tasks, *self._lanes.values()]:
            task.cancel()
        for task in [*self._tasks, *self._lanes.values()]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await asyncio.to_thread(self.lock.release)
        await self.graph.aclose()
        await self.rasa.aclose()

    async def idle(self, timeout: float = 30.0) -> bool:
        """Wait until no lane is running (tests and the benchmark)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._lanes and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        return not self._lanes

    # intake ---------------------------------------------------------------------------------
    async def take_in(self) -> None:
        """Take what the API appended to the intake file into the inbox, and start the lanes
        that got work (SQLite; on PostgreSQL the API writes the inbox itself)."""
        async with self._taking:
            lanes, self._taken = await self._db(inbox.take_in, self._taken)
        for lane in lanes:
            self.poke(lane)

    def received(self, lanes: list[str]) -> None:
        """A webhook in this process stored a delivery that gave `lanes` new work: handle it
        now rather than at the next sweep — once it is in the inbox — if this gateway is the
        one processing the database (a standby leaves it to the one that is)."""
        if not self.processing.is_set() or not lanes:
            return
        if inbox.intake_file() is None:
            for lane in lanes:
                self.poke(lane)
            return
        self._take_again = True
        if self._take_task is None or self._take_task.done():
            self._take_task = asyncio.create_task(
                self._take_in_until_quiet(), name="whatsapp-take-in"
            )

    async def _take_in_until_quiet(self) -> None:
        while self._take_again:
            self._take_again = False
            try:
                await self.take_in()
            except Exception:
                log.exception("taking the intake in failed; the sweep tries again")
                return

    # lanes ----------------------------------------------------------------------------------
    def poke(self, lane: str) -> None:
        task = self._lanes.get(lane)
        if task is not None and not task.done():
            self._dirty.add(lane)
            return
        self._lanes[lane] = asyncio.create_task(self._run_lane(lane), name=f"whatsapp-lane-{lane}")

    async def _run_lane(self, lane: str) -> None:
        try:
            async with self._slots:
                while True:
                    self._dirty.discard(lane)
                    row = await self._db(inbox.next_row, lane)
                    if row is None:
                        if lane in self._dirty:
                            continue
                        return
                    if row.next_attempt_at and row.next_attempt_at > inbox.now():
                        return  # backing off: the sweep brings the lane back when it is due
                    try:
                        await self.process(row)
                    except Retry as e:
                        state = await self._db(inbox.failed_attempt, row.id, str(e))
                        log.warning("inbox %s (%s) not done yet: %s; %s", row.id, row.key, e, state)
                        if state != "failed":
                            return
                    except asyncio.CancelledError:
                        raise
                    except Exception as e:  # a bug or a broken payload: retried, then failed
                        log.exception("inbox %s (%s) failed", row.id, row.key)
                        state = await self._db(inbox.failed_attempt, row.id, repr(e))
                        if state != "failed":
                            return
        finally:
            if self._lanes.get(lane) is asyncio.current_task():
                del self._lanes[lane]

    async def _sweep_loop(self) -> None:
        """On start (resume after a crash) and every second: every lane with unfinished rows.
        A worker process (`poll` set) also looks for rows written since it last looked every
        `poll` seconds: no webhook pokes its lanes. Each round first takes in what the API
        appended to the intake file (SQLite); each sweep checkpoints that file."""
        loop = asyncio.get_running_loop()
        seen, swept = 0, -SWEEP_SECONDS
        while True:
            try:
                await self.take_in()
                if loop.time() - swept >= SWEEP_SECONDS:
                    swept = loop.time()
                    await self._db(inbox.checkpoint_intake)
                    top = await self._db(inbox.newest_id) if self.poll else 0
                    lanes = await self._db(inbox.unfinished_lanes)
                    seen = max(seen, top)
                else:
                    lanes, seen = await self._db(inbox.new_lanes, seen)
                for lane in lanes:
                    self.poke(lane)
            except Exception:
                log.exception("whatsapp sweep failed")
            await asyncio.sleep(self.poll or SWEEP_SECONDS)

    # one row --------------------------------------------------------------------------------
    async def process(self, row: InboxRow) -> None:
        if row.kind == "status":
            outcome = await self._db(inbox.record_status, row.payload["status"])
            await self._db(inbox.update, row.id, state="done", outcome=outcome, done_at=inbox.now())
            return
        if row.kind == "payment":
            outcome = await self._db(self._payment, row)
            await self._db(inbox.update, row.id, state="done", outcome=outcome, done_at=inbox.now())
            return
        message = Message.model_validate(row.payload["message"])
        if row.state == "pending":
            await self._read(row, message)
            await self._plan(row, message)
            oldest = await self._db(inbox.next_row, row.lane)
            row = oldest or row
        if row.state == "forwarding":
            await self._forward(row, message)
        await self._send_replies(row)
        await self._db(inbox.update, row.id, state="done", done_at=inbox.now())

    async def _read(self, row: InboxRow, message: Message) -> None:
        if message.type == "system":
            return
        try:
            await self.graph.mark_read(message.id, typing=True, phone_number_id=row.phone_number_id)
        except GraphError as e:  # ticks are a courtesy: never hold a shopper's message for them
            log.warning("mark-as-read of %s failed: %s", message.id, e)

    def shop_id(self) -> int:
        if self._shop_id is None:
            with session_scope(write=True) as s:
                self._shop_id = ensure_shop(
                    s, self.settings.default_shop_slug, self.settings.default_shop_name
                ).id
        return self._shop_id

    async def _state(self, wa_id: str) -> dict[str, Any]:
        try:
            return await self.rasa.slots(wa_id)
        except EngineUnavailable:
            return {}

    async def _shopper_language(self, wa_id: str) -> str:
        slots = await self._state(wa_id)
        if slots.get("language"):
            return _language(slots["language"])
        return await self._db(self._stored_language, wa_id)

    def _stored_language(self, wa_id: str) -> str:
        shop_id = self.shop_id()
        with session_scope() as s:
            row = carts.customer_row(s, shop_id, wa_id, create=False)
            return _language(row.language if row else "en")

    def _forward_in(self, row: InboxRow, text: str, outcome: str) -> None:
        shop_id = self.shop_id()  # before the write session: writers of one process queue
        with session_scope(write=True) as s:
            r = s.get(WhatsAppInbox, row.id)
            assert r is not None
            r.payload = {**r.payload, "forward": text}
            r.state, r.outcome = "forwarding", outcome
            carts.customer_row(s, shop_id, row.wa_id, name=row.payload.get("name") or None)

    async def _plan(self, row: InboxRow, m: Message) -> None:
        """Decide what the message means; commit it with the move out of `pending`."""
        reply: list[Rendered] | None = None
        if m.type == "text" and m.text is not None and m.text.body.strip():
            return await self._db(self._forward_in, row, m.text.body, "text")
        if m.type == "interactive" and m.interactive is not None:
            choice = m.interactive.button_reply or m.interactive.list_reply
            if choice is not None:
                context = m.context.id if m.context else None
                options = await self._db(inbox.options_for, row.wa_id, choice.id, context)
                meaning = resolve(options, choice.id) if options else None
                if meaning and meaning[0] == "page":
                    assert options is not None
                    page = list_page(
                        options.get("body") or "",
                        options["choices"],
                        options.get("language") or "en",
                        options["token"],
                        meaning[1],
                    )
                    return await self._db(inbox.save_replies, row, [page], "next_page")
                text = meaning[1] if meaning else (choice.title or choice.id)
                return await self._db(
                    self._forward_in, row, text, "payload" if meaning else "unknown_choice"
                )
        if m.type == "button" and m.button is not None:
            return await self._db(
                self._forward_in, row, m.button.payload or m.button.text, "quick_reply"
            )
        if m.type == "location" and m.location is not None:
            return await self._location(row, m)
        if m.type == "order" and m.order is not None:
            return await self._db(self._order, row, m, await self._shopper_language(row.wa_id))
        if (photo := _photo(m)) is not None and self._ocr_problem() is None:
            return await self._photo(row, photo, await self._shopper_language(row.wa_id))
        if m.type == "system":
            return await self._db(inbox.save_replies, row, [], "system")
        language = await self._shopper_language(row.wa_id)
        if m.type == "reaction":
            if not (m.reaction and m.reaction.emoji):
                return await self._db(inbox.save_replies, row, [], "unreaction")
            reply = text_messages(t("wa_reaction", language))
        else:
            key = UNSUPPORTED.get(m.type, "wa_unsupported")
            reply = text_messages(t(key, language))
        await self._db(inbox.save_replies, row, reply, f"polite:{m.type}")

    _ocr: str | bool | None = False  # why photos cannot be read here (False: not asked yet)

    def _ocr_problem(self) -> str | None:
        if self._ocr is False:
            self._ocr = available()
            if self._ocr:
                log.warning("photos of lists will get the polite reply: %s", self._ocr)
        return self._ocr if isinstance(self._ocr, str) else None

    async def _photo(self, row: InboxRow, media: Media, language: str) -> None:
        """A photo of a shopping list (an image, or a document that is one). Downloaded from
        the Graph API (at most `reading.MAX_BYTES`) and read in a thread of this worker,
        off the webhook's path, within `reading.TIME_LIMIT` seconds. The lines read go to
        the engine as the shopper's text, one per line — the same turn a typed list gets, so
        the confident ones go into the cart, the unsure ones are asked about with the usual
        buttons, unknown ones are said to be unknown and the misunderstood are recorded for
        review, by the same actions — preceded by what was read and what could not be."""
        polite = None
        try:
            data, _ = await self.graph.media(media.id or "", reading.MAX_BYTES)
            read = await asyncio.wait_for(
                asyncio.to_thread(self._read_photo, data), reading.TIME_LIMIT + 5
            )
        except MediaTooLarge:
            polite = t("photo_too_large", language, megabytes=reading.MAX_BYTES // 2**20)
        except GraphError as e:
            if e.retryable:
                raise Retry(str(e)) from e
            log.warning("photo %s of %s not downloaded: %s", media.id, row.key, e)
            polite = t("photo_failed", language)
        except UnreadableImage as e:
            log.info("photo %s of %s is no picture: %s", media.id, row.key, e)
            polite = t("photo_failed", language)
        except (OcrTimeout, TimeoutError):
            polite = t("photo_slow", language)
        except OcrUnavailable as e:
            log.warning("photo %s: %s", media.id, e)
            polite = t("wa_unsupported_image", language)
        if polite is not None:
            outcome = "photo_refused"
            return await self._db(inbox.save_replies, row, text_messages(polite), outcome)
        said = [x for text in reply.summary(read, language) for x in text_messages(text)]
        log.info(
            "photo %s of %s: %d items, %d unreadable in %.2f s",
            media.id,
            row.key,
            len(read.items),
            len(read.unreadable),
            read.seconds,
        )
        if not read.items:
            return await self._db(inbox.save_replies, row, said, "photo_no_list")
        await self._db(self._forward_photo, row, read.text, said, len(read.items))

    def _read_photo(self, data: bytes) -> reading.ReadList:
        shop_id = self.shop_id()
        with session_scope() as s:
            engine = shop.engine_for(s, s.get_one(db.Shop, shop_id))
        return reading.read_list(data, engine, timeout=reading.TIME_LIMIT)

    def _forward_photo(self, row: InboxRow, text: str, said: list[Rendered], items: int) -> None:
        """The read lines to the engine, and what was read said first (as `_order` does: the
        rows before the engine's replies), in one transaction with the row's move."""
        shop_id = self.shop_id()
        with session_scope(write=True) as s:
            r = s.get_one(WhatsAppInbox, row.id)
            r.payload = {**r.payload, "forward": text}
            r.state, r.outcome = "forwarding", f"photo:{items}_items"
            carts.customer_row(s, shop_id, row.wa_id, name=row.payload.get("name") or None)
            inbox.add_first(s, row, said)

    async def _location(self, row: InboxRow, m: Message) -> None:
        from bot.parsing.pincode import find_pincode  # the checkout form's own rule

        assert m.location is not None
        slots = await self._state(row.wa_id)
        language = _language(slots.get("language"))
        place = ", ".join(x for x in (m.location.name, m.location.address) if x)
        where = (
            f"{place} (📍 {m.location.latitude:.6f}, {m.location.longitude:.6f})"
            if place
            else f"📍 {m.location.latitude:.6f}, {m.location.longitude:.6f}"
        )
        if slots.get("requested_slot") != "address":
            reply = text_messages(t("wa_location_later", language))
            return await self._db(inbox.save_replies, row, reply, "location_outside_checkout")
        if not find_pincode(place):
            reply = text_messages(t("wa_location_no_pincode", language, place=where))
            return await self._db(inbox.save_replies, row, reply, "location_without_pincode")
        await self._db(self._forward_in, row, where, "location_address")

    def _order(self, row: InboxRow, m: Message, language: str) -> None:
        """A cart sent from the WhatsApp catalog: its lines (SKU = product_retailer_id) go into
        the cart and the engine shows the cart, in one transaction with the row's move."""
        assert m.order is not None
        shop_id = self.shop_id()
        with session_scope(write=True) as s:
            carts.customer_row(s, shop_id, row.wa_id, name=row.payload.get("name") or None)
            wanted: dict[str, int] = {}
            for item in m.order.product_items:
                wanted[item.product_retailer_id] = (
                    wanted.get(item.product_retailer_id, 0) + item.quantity
                )
            known = set(
                s.scalars(
                    select(db.Product.sku).where(
                        db.Product.shop_id == shop_id,
                        db.Product.active.is_(True),
                        db.Product.sku.in_(list(wanted)),
                    )
                )
            )
            unknown = [sku for sku in wanted if sku not in known]
            replies: list[Rendered] = []
            if unknown:
                replies += text_messages(t("wa_order_unknown", language, skus=", ".join(unknown)))
            packs = [(sku, n) for sku, n in wanted.items() if sku in known and n > 0]
            error = None
            if packs:
                try:
                    with s.begin_nested():
                        carts.add_packs(s, shop_id, row.wa_id, packs)
                except ShopError as e:
                    error = e
            r = s.get(WhatsAppInbox, row.id)
            assert r is not None
            if packs and error is None:
                r.payload = {**r.payload, "forward": "/view_cart"}
                r.state, r.outcome = "forwarding", f"order:{len(packs)}_lines"
                inbox.add_first(s, row, replies)  # the unknown SKUs note goes out first
                return
            if error is not None:
                replies += text_messages(
                    t("wa_order_failed", language, reason=error.detail or error.title)
                )
            inbox.add_replies(s, row, replies or text_messages(t("wa_unsupported", language)))
            r.outcome = "order_rejected"

    async def _forward(self, row: InboxRow, m: Message) -> None:
        text = row.payload.get("forward") or ""
        responses = None
        if row.forwarded_at is not None:  # sent before: did the engine run the turn?
            try:
                responses = await self.rasa.replies_for(row.wa_id, m.id)
            except EngineUnavailable as e:
                raise Retry(str(e)) from e
            if responses is None and inbox.now() - row.forwarded_at < FORWARD_GRACE:
                await asyncio.sleep(1.0)
                raise Retry("the engine may still be running this turn")
        if responses is None:
            await self._db(inbox.update, row.id, forwarded_at=inbox.now())
            try:
                responses = await self.rasa.send(
                    row.wa_id, text, {"wamid": m.id, "channel": "whatsapp"}
                )
            except EngineUnavailable as e:
                raise Retry(str(e)) from e
        slots = await self._state(row.wa_id)
        language = _language(slots.get("language"))
        messages = render(responses, language)
        await self._db(self._replied, row, messages, language)

    def _replied(self, row: InboxRow, messages: list[Rendered], language: str) -> None:
        shop_id = self.shop_id()
        with session_scope(write=True) as s:
            inbox.add_replies(s, row, messages)
            customer = carts.customer_row(s, shop_id, row.wa_id)
            if customer is not None and customer.language != language:
                customer.language = language  # notifications follow the conversation's language

    async def _send_replies(self, row: InboxRow) -> None:
        for out in await self._db(inbox.unsent, row.id):
            await self._send(out.id, out.body, out.phone_number_id)

    async def _send(self, outgoing_id: int, body: dict[str, Any], number: str) -> str | None:
        try:
            wamid = await self.graph.send(body, number)
        except GraphError as e:
            if e.retryable:
                raise Retry(str(e)) from e
            await self._db(inbox.send_failed, outgoing_id, str(e))
            return None
        await self._db(inbox.sent, outgoing_id, wamid)
        return wamid

    # payments -------------------------------------------------------------------------------
    def _payment(self, row: InboxRow) -> str:
        status = Status.model_validate(row.payload["status"])
        if status.payment is None:
            return "no_payment"
        adapter = WhatsAppPayments(self.settings.payment_provider, status)
        with session_scope() as s:
            result = handle_webhook(s, adapter, b"", {})
        log.info(
            "whatsapp payment %s %s: %s", status.payment.reference_id, status.status, result.outcome
        )
        return result.outcome

    # notifications --------------------------------------------------------------------------
    async def _outbox_loop(self) -> None:
        while True:
            try:
                await self.drain_outbox()
            except Exception:
                log.exception("draining the outbox failed")
            await asyncio.sleep(self.settings.whatsapp_outbox_every_seconds)

    async def drain_outbox(self) -> int:
        """Send due notifications in the shopper's language — as text inside their 24-hour
        window, as the approved template outside it; returns how many were sent."""
        done = 0
        for item in await self._db(self._due):
            if await self._db(self._said_in_chat, item):
                continue
            outgoing_id, body, wamid = await self._db(self._notification, item)
            if wamid is None:
                try:
                    wamid = await self._send_notification(item, body)
                except GraphError as e:
                    await self._db(self._notification_failed, item.id, outgoing_id, str(e))
                    continue
            await self._db(self._notification_sent, item.id, outgoing_id, wamid)
            done += 1
        return done

    async def _send_notification(self, item: outbox.OutboxItem, body: dict[str, Any]) -> str:
        number = self.settings.whatsapp_phone_number_id
        try:
            return await self.graph.send(body, number)
        except GraphError as e:
            if e.code != templates.RE_ENGAGEMENT or body.get("type") == "template":
                raise
            log.warning("outbox %s: %s; sending the template instead", item.id, e)
        _, body, _ = await self._db(
            self._notification, item, True
        )  # the same row, now the template
        return await self.graph.send(body, number)

    def _said_in_chat(self, item: outbox.OutboxItem) -> bool:
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

    def _due(self) -> list[outbox.OutboxItem]:
        with session_scope() as s:
            return outbox.pending(s)

    def _notification(
        self, item: outbox.OutboxItem, as_template: bool = False
    ) -> tuple[int, dict[str, Any], str | None]:
        """The notification's outgoing row (made once: a crash between sending and marking
        finds it), its request body, and its wamid if it was sent already. Until it is sent,
        the body is decided again on every try: text while the shopper's customer-service
        window is open, the template once it has closed or Meta refused the text."""
        number = self.settings.whatsapp_phone_number_id
        with session_scope(write=True) as s:
            out = s.scalar(select(WhatsAppOutgoing).where(WhatsAppOutgoing.outbox_id == item.id))
            if out is not None and out.state == "sent":
                return out.id, dict(out.body), out.wamid
            customer = s.scalar(
                select(db.Customer).where(
                    db.Customer.shop_id == item.shop_id, db.Customer.wa_id == item.wa_id
                )
            )
            language = _language(customer.language if customer else item.language)
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
                [message] = text_messages(notification_text(item.template, item.params, language))
            if out is None:
                out = WhatsAppOutgoing(
                    outbox_id=item.id, wa_id=item.wa_id, phone_number_id=number, options={}
                )
                s.add(out)
            out.type, out.body = message.type, message.request(item.wa_id)
            s.flush()
            return out.id, dict(out.body), None

    def _notification_sent(self, outbox_id: int, outgoing_id: int, wamid: str) -> None:
        with session_scope(write=True) as s:
            outbox.mark_sent(s, outbox_id, wamid)
            inbox.mark_sent(s, outgoing_id, wamid)  # after: an early "failed" status may resend

    def _notification_failed(self, outbox_id: int, outgoing_id: int, error: str) -> None:
        with session_scope(write=True) as s:
            status = outbox.mark_failed(s, outbox_id, error)
            out = s.get(WhatsAppOutgoing, outgoing_id)
            if out is not None and status == "dead":
                out.state, out.error = "failed", error[:2000]


def _photo(m: Message) -> Media | None:
    """The picture in an image message, or in a document that is an image."""
    if m.type == "image" and m.image is not None and m.image.id:
        return m.image
    document = m.document if m.type == "document" else None
    if document is not None and document.id and (document.mime_type or "").startswith("image/"):
        return document
    return None


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
