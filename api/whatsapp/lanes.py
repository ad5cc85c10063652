"""Lanes: one per shopper (and one for statuses and payments), each handled strictly in inbox
order by one task at a time, at most `whatsapp_lanes` of them at once.

A lane runs while it has unfinished rows: its oldest row is handled, then the next. A failed
try leaves the row where it is and stops the lane until the row's back-off is over (later rows
wait for it, whatever happens to it); the sweep, on start (resuming after a crash) and every
second, brings back every lane with unfinished rows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from api.whatsapp import inbox
from api.whatsapp.inbox import InboxRow
from api.whatsapp.plan import Database
from api.whatsapp.retry import Retry

log = logging.getLogger("chatcart.whatsapp")
SWEEP_SECONDS = 1.0


class Lanes:
    def __init__(
        self, slots: int, handle: Callable[[InboxRow], Awaitable[None]], db: Database
    ) -> None:
        self.handle = handle
        self.db = db
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
        try:
            async with self._slots:
                while True:
                    self._dirty.discard(lane)
                    row = await self.db(inbox.next_row, lane)
                    if row is None:
                        if lane in self._dirty:
                            continue
                        return
                    if row.next_attempt_at and row.next_attempt_at > inbox.now():
                        return  # backing off: the sweep brings the lane back when it is due
                    try:
                        await self.handle(row)
                    except Retry as e:
                        state = await self.db(inbox.failed_attempt, row.id, str(e))
                        log.warning("inbox %s (%s) not done yet: %s; %s", row.id, row.key, e, state)
                        if state != "failed":
                            return
                    except asyncio.CancelledError:
                        raise
                    except Exception as e:  # a bug or a broken payload: retried, then failed
                        log.exception("inbox %s (%s) failed", row.id, row.key)
                        state = await self.db(inbox.failed_attempt, row.id, repr(e))
                        if state != "failed":
                            return
        finally:
            if self._running.get(lane) is asyncio.current_task():
                del self._running[lane]

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
