"""The webhook's way into the inbox: deliveries arriving together share one durable commit.

Each request waits for the commit that holds its delivery (so the 200 still means "durable"),
but a burst costs one commit — one WAL sync — instead of one per request, each queued behind
the one before. While a commit is under way the next requests gather for the following one.
Every `PRUNE_SECONDS` the rows the gateway has taken into the inbox are deleted from the intake
file (SQLite), whose only writer this is, beside the commits (its delete queues with them).

What gets that far is read by `delivery`: JSON nested deeper than any of Meta's deliveries
(`MAX_DEPTH`) is not understood, rather than a RecursionError here or in whoever handles the
stored payload later.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from fastapi.concurrency import run_in_threadpool

from api.whatsapp.inbox import prune_intake, record_many
from api.whatsapp.payloads import Webhook

BATCH_MAX = 200
MAX_DEPTH = 32  # Meta's deliveries nest about 8 deep
PRUNE_SECONDS = 5.0
log = logging.getLogger("chatcart.whatsapp")


class NotUnderstood(ValueError):
    """A signed body that is not a delivery we can read: answered 200, logged, never retried."""


def _depth(data: Any) -> int:
    """How deeply `data` nests, without recursing (the point is not to trust its depth)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            todo.extend(
                (v, depth + 1) for v in (value.values() if isinstance(value, dict) else value)
            )
    return deepest


def delivery(body: bytes) -> Webhook:
    """The delivery in a signed body; `NotUnderstood` for anything else (not JSON, nested too
    deeply, not shaped like a webhook)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as e:
        raise NotUnderstood(f"not JSON: {type(e).__name__}") from e
    if _depth(data) > MAX_DEPTH:
        raise NotUnderstood(f"nested deeper than {MAX_DEPTH}")
    try:
        return Webhook.model_validate(data)
    except (ValueError, RecursionError) as e:  # pydantic's ValidationError is a ValueError
        raise NotUnderstood(str(e)) from e


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
