"""The gateway's background work: lanes over the durable inbox (`lanes`), what each message
means (`planners`), the engine, the renderer and the Graph API; WhatsApp Pay statuses
(`bot.payments.whatsapp_pay`); the notifications outbox (`notifications`).

A message row moves `pending` → `forwarding` → `replied` → `done`, and every move is committed
before the next step starts:

- `pending`: the message is read (blue ticks, typing indicator) and planned — text, the
  payload a button or list row offered, a location as the address, a catalog order put into
  the cart, or a polite reply of our own for what the engine cannot read — and the plan is
  committed with the move;
- `forwarding`: sent to the engine with the WhatsApp message id and the shop in the metadata. After a crash the
  engine's tracker tells whether the turn ran: if it did, its replies are read back from the
  tracker instead of asking again (nothing doubled); if not, the message is sent (nothing lost);
- `replied`: the rendered replies are stored; each is sent once and marked with its wamid.

Every message is the business number's shop's (`routing`): planned, carted and answered in it,
talked over in the shopper's conversation with that shop, replied to from that number. A
message to a number no shop owns is only marked done, `unknown_number`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from api.whatsapp import flood, inbox, planners, routing
from api.whatsapp.graph import GraphClient, GraphError
from api.whatsapp.inbox import InboxRow
from api.whatsapp.lanes import Lanes
from api.whatsapp.lock import ownership
from api.whatsapp.notifications import Notifier
from api.whatsapp.payloads import Message
from api.whatsapp.plan import Context, commit, language_of, stored_language
from api.whatsapp.quarantine import set_aside
from api.whatsapp.render import Rendered, render, text_messages
from api.whatsapp.retry import Retry
from api.whatsapp.routing import ShopRef
from bot.cart import service as carts
from bot.catalog.store import ensure_shop
from bot.db.session import session_scope
from bot.i18n import t
from bot.ocr.recognise import available
from bot.payments import whatsapp_pay
from bot.payments.configured import configured_provider
from bot.rasa_api import EngineClient, EngineError, EngineRefused
from bot.settings import Settings

log = logging.getLogger("chatcart.whatsapp")
Params = ParamSpec("Params")
Returned = TypeVar("Returned")
FORWARD_GRACE = timedelta(seconds=30)  # how long a turn may still be running in the engine


class Gateway:
    def __init__(
        self,
        settings: Settings,
        graph: GraphClient | None = None,
        rasa: EngineClient | None = None,
        poll: float | None = None,
    ) -> None:
        self.settings = settings
        self.poll = poll  # a worker process: how often to look for new inbox rows
        self.owner = ownership(settings.database_url)
        self.processing = asyncio.Event()
        self.graph = graph or GraphClient(settings)
        self.rasa = rasa or EngineClient.from_settings(settings)
        self.lanes = Lanes(
            settings.whatsapp_lanes, self.process, self.db, self.owner, self.quarantine
        )
        self.notifier = Notifier(settings, self.graph, self.db, self.owner)
        self.planning = Context(self.rasa, self.graph, self.db, self.shop_id, self.ocr_problem)
        self.shops = routing.Directory(settings)
        self._tasks: list[asyncio.Task[None]] = []
        self._shop_id: int | None = None
        self._ocr: str | bool | None = False  # why photos cannot be read here (False: not asked)
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

    async def db(
        self, fn: Callable[Params, Returned], /, *args: Params.args, **kwargs: Params.kwargs
    ) -> Returned:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 0.1
        while self._acks and loop.time() < deadline:
            await asyncio.sleep(0.002)
        return await asyncio.to_thread(fn, *args, **kwargs)

    # lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Process the inbox and the outbox: on PostgreSQL at once, beside any other workers
        (each lane is run by whoever holds its lock); on SQLite once this process holds the
        database (at once, unless another gateway has it: then as its standby)."""
        self._tasks.append(asyncio.create_task(self._run(), name="whatsapp-gateway"))

    async def _run(self) -> None:
        waiting = False
        while not await asyncio.to_thread(self.owner.try_acquire):
            if not waiting:
                log.warning(
                    "another WhatsApp gateway processes this database; standing by until it stops"
                )
                waiting = True
            await asyncio.sleep(1.0)
        tasks = [
            asyncio.create_task(self.lanes.sweep(self.take_in, self.poll), name="whatsapp-sweep")
        ]
        if self.settings.whatsapp_outbox_every_seconds > 0:
            tasks.append(asyncio.create_task(self.notifier.run(), name="whatsapp-outbox"))
        self._tasks += tasks
        self.processing.set()
        log.info("WhatsApp gateway processing the inbox%s", " (worker)" if self.poll else "")
        await asyncio.gather(*tasks)

    async def stop(self) -> None:
        running = [*self._tasks, *self.lanes.tasks, *self.notifier.tasks]
        for task in running:
            task.cancel()
        for task in running:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await asyncio.to_thread(self.owner.release)
        await self.graph.aclose()
        await self.rasa.aclose()

    async def idle(self, timeout: float = 30.0) -> bool:
        """Wait until no lane is running (tests and the benchmark)."""
        return await self.lanes.idle(timeout)

    # intake ---------------------------------------------------------------------------------
    async def take_in(self) -> None:
        """Take what the API appended to the intake file into the inbox, and start the lanes
        that got work (SQLite; on PostgreSQL the API writes the inbox itself)."""
        async with self._taking:
            lanes, self._taken = await self.db(inbox.take_in, self._taken)
        for lane in lanes:
            self.lanes.poke(lane)

    def received(self, lanes: list[str]) -> None:
        """A webhook in this process stored a delivery that gave `lanes` new work: handle it
        now rather than at the next sweep — once it is in the inbox — if this gateway is the
        one processing the database (a standby leaves it to the one that is)."""
        if not self.processing.is_set() or not lanes:
            return
        if inbox.intake_file() is None:
            for lane in lanes:
                self.lanes.poke(lane)
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

    # one row --------------------------------------------------------------------------------
    async def process(self, row: InboxRow) -> None:
        if row.kind == "status":
            outcome = await self.db(inbox.record_status, row.payload["status"])
            await self.db(inbox.update, row.id, state="done", outcome=outcome, done_at=inbox.now())
            return
        if row.kind == "payment":
            outcome = await self._payment(row)
            await self.db(inbox.update, row.id, state="done", outcome=outcome, done_at=inbox.now())
            return
        message = Message.model_validate(row.payload["message"])
        shop = await self.shop_of(row)
        if shop is None:
            log.warning(
                "inbox %s: a message to %s, which no shop owns, is not answered",
                row.id,
                row.phone_number_id,
            )
            await self.db(
                inbox.update,
                row.id,
                state="done",
                outcome=routing.UNKNOWN_NUMBER,
                done_at=inbox.now(),
            )
            return
        ctx = self.context(shop)
        if row.state == "pending" and await self._limited(row, shop):
            await self._send_replies(row)
            await self.db(inbox.update, row.id, state="done", done_at=inbox.now())
            return
        if row.state == "pending":
            await self._read(row, message)
            plan = await planners.plan(ctx, row, message)
            await self.db(commit, row, plan, shop.id)
            oldest = await self.db(inbox.next_row, row.lane)
            row = oldest or row
        if row.state == "forwarding":
            await self.db(self.owner.confirm, row.lane)
            await self._forward(row, message, shop, ctx)
        await self.db(self.owner.confirm, row.lane)
        await self._send_replies(row)
        await self.db(inbox.update, row.id, state="done", done_at=inbox.now())

    async def shop_of(self, row: InboxRow) -> ShopRef | None:
        """The shop of the number the row was written to (None: no shop owns it). A shop with
        its own Meta app gets its own token on the Graph API client."""
        shop = await self.db(self.shops.find, row.phone_number_id)
        if shop is not None:
            self.graph.speak_for(shop.number, shop.access_token)
        return shop

    def context(self, shop: ShopRef) -> Context:
        """The planners' view of the message's shop."""
        return replace(
            self.planning,
            shop_id=lambda: shop.id,
            sender=lambda wa_id: shop.sender(wa_id, self.settings),
        )

    async def _limited(self, row: InboxRow, shop: ShopRef) -> bool:
        """Past the shopper's rate limit: the notice (once a minute) instead of a turn."""
        outcome = await self.db(flood.over_limit, row, self.settings.whatsapp_shopper_rate)
        if outcome is None:
            return False
        notice: list[Rendered] = []
        if outcome == flood.TOLD:
            language = await self.db(stored_language, shop.id, row.wa_id)
            notice = text_messages(t("wa_slow_down", language))
            log.warning(
                "shopper %s is over %s messages a minute",
                row.wa_id[-4:],
                self.settings.whatsapp_shopper_rate,
            )
        await self.db(inbox.save_replies, row, notice, outcome)
        return True

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

    async def quarantine(self, row: InboxRow, reason: str) -> None:
        shop = await self.shop_of(row) if row.kind == "message" else None
        await self.db(set_aside, row, reason, shop.id if shop else self.shop_id())

    def ocr_problem(self) -> str | None:
        if self._ocr is False:
            self._ocr = available()
            if self._ocr:
                log.warning("photos of lists will get the polite reply: %s", self._ocr)
        return self._ocr if isinstance(self._ocr, str) else None

    async def _forward(self, row: InboxRow, m: Message, shop: ShopRef, ctx: Context) -> None:
        text = row.payload.get("forward") or ""
        sender = shop.sender(row.wa_id, self.settings)
        responses = None
        if row.forwarded_at is not None:  # sent before: did the engine run the turn?
            try:
                responses = await self.rasa.replies_for(sender, m.id)
            except EngineError as e:
                raise Retry(str(e)) from e
            if responses is None and inbox.now() - row.forwarded_at < FORWARD_GRACE:
                await asyncio.sleep(1.0)
                raise Retry("the engine may still be running this turn")
        if responses is None:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as e:  # the engine's JSON cannot carry it: never sent
                raise Retry(f"not sayable to the engine: {e}", outage=False) from e
            await self.db(inbox.update, row.id, forwarded_at=inbox.now())
            try:
                responses = await self.rasa.send(
                    sender, text, {"wamid": m.id, "channel": "whatsapp", "shop": shop.slug}
                )
            except EngineError as e:
                refused = isinstance(e, EngineRefused)
                if refused:  # it answered: no part of the turn still runs, ask at once
                    await self.db(inbox.update, row.id, forwarded_at=inbox.now() - FORWARD_GRACE)
                raise Retry(str(e), outage=not refused) from e
        slots = await ctx.slots(row.wa_id)
        language = language_of(slots.get("language"))
        messages = render(responses, language)
        await self.db(self._replied, row, messages, language, shop.id)

    def _replied(
        self, row: InboxRow, messages: list[Rendered], language: str, shop_id: int
    ) -> None:
        with session_scope(write=True) as s:
            inbox.add_replies(s, row, messages)
            customer = carts.customer_row(s, shop_id, row.wa_id)
            if customer is not None and customer.language != language:
                customer.language = language  # notifications follow the conversation's language

    async def _send_replies(self, row: InboxRow) -> None:
        for out in await self.db(inbox.unsent, row.id):
            await self._send(out.id, out.body, out.phone_number_id)

    async def _send(self, outgoing_id: int, body: dict[str, Any], number: str) -> str | None:
        try:
            wamid = await self.graph.send(body, number)
        except GraphError as e:
            if e.retryable:
                raise Retry(str(e)) from e
            await self.db(inbox.send_failed, outgoing_id, str(e))
            return None
        await self.db(inbox.sent, outgoing_id, wamid)
        return wamid

    async def _payment(self, row: InboxRow) -> str:
        """A WhatsApp Pay status, believed only as far as Meta's own record of the payment
        agrees (`bot.payments.whatsapp_pay`): looked up first, outside any transaction."""
        status = row.payload["status"]
        target = await self.db(self._lookup_target, status)
        confirmed = None
        if target is not None:
            try:
                answer = await self.graph.payment(
                    target.configuration, target.reference_id, target.phone_number_id
                )
            except GraphError as e:
                if e.retryable:
                    raise Retry(str(e)) from e
                confirmed = whatsapp_pay.Confirmation(problem=str(e))
            else:
                confirmed = whatsapp_pay.confirmation(answer, target.reference_id)
        return await self.db(self._apply_payment, status, confirmed)

    def _lookup_target(self, status: dict[str, Any]) -> whatsapp_pay.LookupTarget | None:
        with session_scope() as s:
            return whatsapp_pay.lookup_target(s, status, self.settings)

    def _apply_payment(
        self, status: dict[str, Any], confirmed: whatsapp_pay.Confirmation | None
    ) -> str:
        with session_scope() as s:
            result = whatsapp_pay.apply_whatsapp_payment(
                s, status, configured_provider(self.settings), confirmed
            )
        if result is None:
            return "no_payment"
        reference = (status.get("payment") or {}).get("reference_id")
        log.info("whatsapp payment %s %s: %s", reference, status.get("status"), result.outcome)
        return result.outcome
