"""The webhook's way into the inbox: deliveries arriving together share one durable commit.

Each request waits for the commit that holds its delivery (so the 200 still means "durable"),
but a burst costs one commit — one WAL sync — instead of one per request, each queued behind
the one before. While a commit is under way the next requests gather for the following one.
Every `PRUNE_SECONDS` the rows the gateway has taken into the inbox are deleted from the intake
file (SQLite), whose only writer this is, beside the commits (its delete queues with them).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from fastapi.concurrency import run_in_threadpool

from api.whatsapp.inbox import prune_intake, record_many
from api.whatsapp.payloads import Webhook

BATCH_MAX = 200
PRUNE_SECONDS = 5.0
log = logging.getLogger("chatcart.whatsapp")


@dataclass(frozen=True, slots=True)
class Recorded:
    lanes: list[str]  # the lanes that got new work from this delivery
    batch: int  # deliveries in the commit that held this one
    commit_ms: float  # how long that commit took, from the thread's start to its end
    steps_ms: dict[str, float]  # of which: waiting for the write lock, inserting, syncing


class GroupWriter:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[tuple[Webhook, asyncio.Future[Recorded]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._pruned = time.monotonic()
        self._pruning: asyncio.Task[None] | None = None

    async def record(self, webhook: Webhook) -> Recorded:
        future: asyncio.Future[Recorded] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((webhook, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="whatsapp-intake")
        return await future

    async def _drain(self) -> None:
        while not self._queue.empty():
            batch = [self._queue.get_nowait() for _ in range(min(self._queue.qsize(), BATCH_MAX))]
            started = time.perf_counter()
            steps: dict[str, float] = {}
            try:
                results = await run_in_threadpool(record_many, [w for w, _ in batch], steps)
            except Exception as e:  # noqa: BLE001 - every waiting request gets the error
                for _, f in batch:
                    if not f.done():
                        f.set_exception(e)
                continue
            took = (time.perf_counter() - started) * 1000
            for (_, f), lanes in zip(batch, results, strict=True):
                if not f.done():
                    f.set_result(Recorded(lanes, len(batch), took, steps))
            await asyncio.sleep(0)
            if time.monotonic() - self._pruned >= PRUNE_SECONDS and (
                self._pruning is None or self._pruning.done()
            ):
                self._pruned = time.monotonic()  # beside the next batches, not in front of them
                self._pruning = asyncio.create_task(self._prune(), name="whatsapp-intake-prune")

    @staticmethod
    async def _prune() -> None:
        try:
            await run_in_threadpool(prune_intake)
        except Exception:
            log.exception("pruning the WhatsApp intake file failed")
