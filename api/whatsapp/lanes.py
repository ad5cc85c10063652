"""Lanes: one per shopper (and one for statuses and payments), each handled strictly in inbox
order by one task at a time, at most `whatsapp_lanes` of them at once.

A lane runs while it has unfinished rows: its oldest row is handled, then the next. A failed
try leaves the row where it is and stops the lane until the row's back-off is over (later rows
wait for it, whatever happens to it); the sweep, on start (resuming after a crash) and every
second, brings back every lane with unfinished rows.

A lane runs only while this process holds it (`lock.Ownership`): on PostgreSQL several
workers sweep the same inbox, and whoever takes a lane's lock first runs it; the others leave
it alone until it is free again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from api.whatsapp import inbox
from api.whatsapp.inbox import InboxRow
from api.whatsapp.lock import LostOwnership, Ownership
from api.whatsapp.plan import Database
from api.whatsapp.retry import Retry, is_outage

log = logging.getLogger("chatcart.whatsapp")
SWEEP_SECONDS = 1.0


class Lanes:
    def __init__(
        self,
        slots: int,
        handle: Callable[[InboxRow], Awaitable[None]],
        db: Database,
        owner: Ownership,
        quarantine: Callable[[InboxRow, str], Awaitable[None]],
    ) -> None:
        self.handle = handle
        self.db = db
        self.owner = owner
        self.quarantine = quarantine
        self._running: dict[str, asyncio.Task[None]] = {}
        self._dirty: set[str] = set()
        self._slots = asyncio.Semaphore(slots)

    @property
    def tasks(self) -> list[asyncio.Task[None]]:
        return list(self._running.values())

    def poke(self, lane: str) -> None:
        """The lane has work: run it, or — if it runs — look once more before it stops."""
        task = self._running.get(lane)
        if task is not None and not task.done():
            self._dirty.add(lane)
            return
        self._running[lane] = asyncio.create_task(self._run(lane), name=f"whatsapp-lane-{lane}")

    async def idle(self, timeout: float = 30.0) -> bool:
        """Wait until no lane is running (tests and the benchmark)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._running and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        return not self._running

    async def _run(self, lane: str) -> None:
        emptied = False
        try:
            async with self._slots:
                if not await self.db(self.owner.take, lane):
                    return  # another worker runs it
                try:
                    emptied = await self._drain(lane)
                finally:
                    with contextlib.suppress(LostOwnership):
                        await self.db(self.owner.give_back, lane)
        finally:
            if self._running.get(lane) is asyncio.current_task():
                del self._running[lane]
        # Another worker's sweep may have seen a new row while this one held the lane, and
        # left it: look once more now that the lane is free.
        if emptied and self.owner.shared and await self.db(inbox.next_row, lane) is not None:
            self.poke(lane)

    async def _drain(self, lane: str) -> bool:
        """Handle the lane's rows in order; True once none is left, False when stopping
        for a back-off or a lost lock."""
        while True:
            self._dirty.discard(lane)
            row = await self.db(inbox.next_row, lane)
            if row is None:
                if lane in self._dirty:
                    continue
                return True
            if row.next_attempt_at and row.next_attempt_at > inbox.now():
                return False  # backing off: the sweep brings the lane back when it is due
            try:
                await self.db(self.owner.confirm, lane)
                await self.handle(row)
            except asyncio.CancelledError:
                raise
            except LostOwnership as e:
                log.warning("lane %s stopped: %s", lane, e)
                return False
            except Retry as e:
                reason, outage = str(e), e.outage
                log.warning("inbox %s (%s) not done yet: %s", row.id, row.key, e)
            except Exception as e:  # a bug, a broken payload: counted, retried, set aside
                reason, outage = repr(e), is_outage(e)
                log.exception("inbox %s (%s) failed", row.id, row.key)
            else:
                continue
            state = await self.db(inbox.failed_attempt, row.id, reason, outage)
            if state == "quarantine":
                await self.quarantine(row, reason)
            elif state == "failed":
                log.error(
                    "inbox %s (%s) given up after %s tries", row.id, row.key, row.attempts + 1
                )
            else:
                return False

    async def sweep(self, take_in: Callable[[], Awaitable[None]], poll: float | None) -> None:
        """On start (resume after a crash) and every second: every lane with unfinished rows.
        A worker process (`poll` set) also looks for rows written since it last looked every
        `poll` seconds: no webhook pokes its lanes. Each round first takes in what the API
        appended to the intake file (SQLite); each sweep checkpoints that file."""
        loop = asyncio.get_running_loop()
        seen, swept = 0, -SWEEP_SECONDS
        while True:
            try:
                await take_in()
                if loop.time() - swept >= SWEEP_SECONDS:
                    swept = loop.time()
                    await self.db(inbox.checkpoint_intake)
                    top = await self.db(inbox.newest_id) if poll else 0
                    lanes = await self.db(inbox.unfinished_lanes)
                    seen = max(seen, top)
                else:
                    lanes, seen = await self.db(inbox.new_lanes, seen)
                for lane in lanes:
                    self.poke(lane)
            except Exception:
                log.exception("whatsapp sweep failed")
            await asyncio.sleep(poll or SWEEP_SECONDS)
