"""The channel as two processes without the engine: the API (`WHATSAPP_WORKERS=false`) only
acknowledges into the inbox, `chatcart whatsapp worker` processes it and drains the outbox;
on SQLite one worker per database, a second one stands by (several workers sharing a
PostgreSQL inbox: test_whatsapp_workers_postgres.py)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.simulator import webhooks
from api.whatsapp.lock import ProcessorLock
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppStatus
from bot.settings import get_settings
from cli.stack import whatsapp_services
from tests.api.whatsapp.support import (
    PHONE_NUMBER_ID,
    FakeGraph,
    Gateway,
    gateway_env,
    inbox_states,
    notify,
    shopper_wrote,
    template_request,
    wait_for_messages,
)
from tests.shop import free_port
from tests.waiting import holds_for, wait_until

NO_ENGINE = "http://127.0.0.1:9"


@pytest.fixture
def channel(database_url: str, graph: FakeGraph, tmp_path: Path) -> Iterator[Gateway]:
    gw = Gateway(gateway_env(database_url, graph.url, NO_ENGINE), free_port(), tmp_path)
    yield gw
    gw.stop()


def _states() -> list[str]:
    return inbox_states(get_settings().database_url)


def test_the_api_acknowledges_and_the_worker_processes(channel: Gateway, graph: FakeGraph) -> None:
    channel.start(channel.api)
    for i in range(3):
        assert (
            channel.post(
                webhooks.status(PHONE_NUMBER_ID, f"wamid.W{i}", "919800000301", "delivered")
            ).status_code
            == 200
        )
    assert _states() == ["pending"] * 3  # durable, and nobody in the API process touches it
    holds_for(
        lambda: _states() == ["pending"] * 3, 1.5, "the API leaving its deliveries to the worker"
    )
    channel.start(channel.worker)
    wait_until(lambda: _states() == ["done"] * 3, "the worker to finish three deliveries", 30)
    base = os.getpriority(os.PRIO_PROCESS, 0)  # the API keeps ours; the worker yields the CPU to it
    assert channel.api.process is not None and channel.worker.process is not None
    assert os.getpriority(os.PRIO_PROCESS, channel.api.process.pid) == base
    assert os.getpriority(os.PRIO_PROCESS, channel.worker.process.pid) == min(19, base + 10)
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(WhatsAppStatus)) == 3
    shopper_wrote("919800000302", "hi", wrote=timedelta(hours=30))
    notify("919800000302", "order_packed", {"order_id": 5}, "order:5:packed")
    assert wait_for_messages(graph, "919800000302", 1) == [
        template_request("919800000302", "chatcart_order_packed", "hi", "5")
    ]
    assert (
        channel.post(
            webhooks.status(PHONE_NUMBER_ID, "wamid.W9", "919800000301", "read")
        ).status_code
        == 200
    )
    wait_until(lambda: _states()[-1] == "done", "a delivery found within a poll", 5)


sqlite_only = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="on PostgreSQL every worker processes (test_whatsapp_workers_postgres.py)",
)


@sqlite_only
def test_one_worker_per_database_a_second_stands_by(
    channel: Gateway, database_url: str, tmp_path: Path, graph: FakeGraph
) -> None:
    channel.start()
    [_, standby] = whatsapp_services(
        channel.worker.env, free_port(), prefix="test-wa-standby-", run_dir=tmp_path
    )
    standby.timeout = 3
    standby.start()
    try:
        with pytest.raises(RuntimeError, match="not healthy"):
            standby.wait_healthy()  # waiting for the lock, processing nothing
        assert standby.process is not None and standby.process.poll() is None
        channel.kill(channel.worker)
        standby.timeout = 60  # generous: on two loaded cores a Python process starts slowly
        standby.wait_healthy()  # took over
        assert (
            channel.post(
                webhooks.status(PHONE_NUMBER_ID, "wamid.S1", "919800000303", "sent")
            ).status_code
            == 200
        )
        wait_until(lambda: _states() == ["done"], "the standby worker to process a delivery", 60)
        assert standby.process is not None
        standby.process.send_signal(signal.SIGTERM)
        assert standby.process.wait(timeout=60) == 0  # a clean stop: lanes cancelled, lock released
        assert standby.ready_file is not None and not standby.ready_file.exists()
        lock = ProcessorLock(database_url)
        assert lock.try_acquire()
        lock.release()
    finally:
        standby.stop()


@sqlite_only
def test_the_processor_lock_is_held_by_one(database_url: str) -> None:
    first, second = ProcessorLock(database_url), ProcessorLock(database_url)
    assert first.try_acquire() and first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


def test_acknowledging_never_waits_for_a_writer_of_the_app_database(
    channel: Gateway, database_url: str
) -> None:
    """On SQLite the API appends to the intake's own file: a worker (or action server) holding
    the app database's write lock — as one waiting for a CPU at `BACKGROUND_NICE` does — no
    longer holds up Meta's 200 (before, the API waited up to the 30 s busy timeout). On
    PostgreSQL nothing locks a whole database: the same holds."""
    from sqlalchemy import text

    from api.whatsapp.inbox import not_taken_in

    channel.start()
    with session_scope(write=True) as holder:  # the app database's write lock, held
        holder.execute(text("SELECT 1"))
        started = time.monotonic()
        answer = channel.post(webhooks.text(PHONE_NUMBER_ID, "919800000304", "2 kg atta"))
        took = time.monotonic() - started
        assert answer.status_code == 200 and took < 2.0
        assert _states() == ["pending"]  # durable, waiting to be taken in
    wait_until(
        lambda: not not_taken_in(database_url), "the delivery taken in once the lock is free", 30
    )
    assert len(_states()) == 1
