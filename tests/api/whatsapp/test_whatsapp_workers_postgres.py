"""Several WhatsApp workers on one PostgreSQL inbox, as real processes: the API acknowledging
into the inbox, two `chatcart whatsapp worker`s processing it, an engine stand-in over HTTP
that holds every turn until the test lets it go (so that a turn is in flight when a worker
is killed), and the fake Graph API. Each worker runs one lane at a time here
(`WHATSAPP_LANES=1`), so two shoppers in flight at once are necessarily in two workers.

Each test gets a PostgreSQL database of its own on the machine's server (127.0.0.1:5432, or
`TEST_POSTGRES_URL`); without a server they skip."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from api.simulator import webhooks
from api.whatsapp.lock import LaneLocks, LostOwnership, lane_key
from bot.db.session import engine_for
from bot.settings import get_settings
from cli.stack import Service, start_all, stop_all, whatsapp_services
from tests.api.whatsapp.support import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    FakeGraph,
    gateway_env,
    inbox_settled,
)
from tests.conftest import create_postgres_database, postgres_missing
from tests.loopback import JsonHandler, serve
from tests.shop import free_port
from tests.waiting import wait_until

SERVER = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
pytestmark = pytest.mark.processes


@pytest.fixture
def pg_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if (why := postgres_missing(SERVER)) is not None:
        pytest.skip(why)
    name = f"chatcart_lanes_{uuid.uuid4().hex[:10]}"
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    create_postgres_database(url)
    engine_for(url)  # the schema, by the migrator
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    engine_for(url).dispose()
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Engine:
    """Rasa's REST channel and tracker as the gateway uses them. A turn is held until `gate`
    is set; it is then stored — the user event with its metadata and the bot's reply, at the
    end of the turn as Rasa stores it — before the answer is written (to a worker that may be
    dead by then)."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.turns: list[tuple[str, str]] = []  # (sender, text) as they were asked
        self.waiting: set[str] = set()  # senders whose turn is being held
        self.events: dict[str, list[dict[str, Any]]] = {}
        engine = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.read_json()
                sender, said = body["sender"], body["message"]
                with engine.lock:
                    engine.turns.append((sender, said))
                    engine.waiting.add(sender)
                engine.gate.wait(120)
                reply = {"recipient_id": sender, "text": f"echo: {said}"}
                with engine.lock:
                    engine.waiting.discard(sender)
                    engine.events.setdefault(sender, []).extend(
                        [
                            {"event": "user", "text": said, "metadata": body["metadata"]},
                            {"event": "bot", "text": reply["text"], "data": {}},
                        ]
                    )
                with contextlib.suppress(OSError):  # the worker that asked may be dead by now
                    self.send_json(200, [reply])

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                sender = unquote(parts.path.split("/")[2])
                with engine.lock:
                    events = list(engine.events.get(sender, []))
                everything = parse_qs(parts.query).get("include_events") == ["ALL"]
                self.send_json(
                    200, {"slots": {"language": "en"}, "events": events if everything else []}
                )

        self.server, self.url = serve(Handler)

    def asked(self, sender: str) -> list[str]:
        with self.lock:
            return [said for who, said in self.turns if who == sender]

    def close(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def engine() -> Iterator[Engine]:
    stand_in = Engine()
    yield stand_in
    stand_in.close()


class Cluster:
    """The API and two workers on one database."""

    def __init__(self, url: str, graph: FakeGraph, engine: Engine, run_dir: Path) -> None:
        env = gateway_env(
            url, graph.url, engine.url, WHATSAPP_LANES="1", WHATSAPP_POLL_SECONDS="0.2"
        )
        port = free_port()
        self.api, first = whatsapp_services(env, port, prefix="pg-a-", run_dir=run_dir)
        _, second = whatsapp_services(env, free_port(), prefix="pg-b-", run_dir=run_dir)
        self.workers = [first, second]
        self.url = f"http://127.0.0.1:{port}"
        self.database_url = url

    def start(self) -> Cluster:
        start_all([self.api, *self.workers])
        return self

    def stop(self) -> None:
        stop_all([self.api, *self.workers])

    def say(self, wa_id: str, said: str) -> None:
        body, headers = webhooks.signed(
            webhooks.text(PHONE_NUMBER_ID, wa_id, said, "Asha"), APP_SECRET
        )
        answer = httpx.post(
            f"{self.url}/webhooks/whatsapp", content=body, headers=headers, timeout=30
        )
        assert answer.status_code == 200

    def holders(self, lanes: list[str]) -> dict[str, int]:
        """Lane → the pid of the worker holding its advisory lock, from PostgreSQL's own view."""
        query = text(
            "SELECT a.application_name, l.classid::bigint, l.objid::bigint FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
            "AND l.granted AND l.objsubid = 1 AND a.datname = current_database()"
        )
        with engine_for(self.database_url).connect() as c:
            rows = c.execute(query).all()
        held = {(high << 32) | low: int(name.rsplit("-", 1)[1]) for name, high, low in rows}
        keys = {lane: lane_key(lane) & (2**64 - 1) for lane in lanes}  # as pg_locks shows it
        return {lane: held[key] for lane, key in keys.items() if key in held}

    def worker_of(self, pid: int) -> Service:
        [worker] = [w for w in self.workers if w.process is not None and w.process.pid == pid]
        return worker


@pytest.fixture
def cluster(pg_url: str, graph: FakeGraph, engine: Engine, tmp_path: Path) -> Iterator[Cluster]:
    made = Cluster(pg_url, graph, engine, tmp_path)
    yield made.start()
    engine.gate.set()
    made.stop()


def replies(graph: FakeGraph, wa_id: str) -> list[str]:
    return [m["text"]["body"] for m in graph.messages(wa_id) if m["type"] == "text"]


def in_flight(engine: Engine, cluster: Cluster, shoppers: list[str]) -> dict[str, int]:
    """Wait until every shopper's turn is held in the engine; who holds each lane."""
    wait_until(
        lambda: set(shoppers) <= engine.waiting,
        f"the turns of {shoppers} to reach the engine",
        60,
        explain=lambda: f"held: {sorted(engine.waiting)}",
    )

    def all_held() -> dict[str, int] | None:
        held = cluster.holders(shoppers)
        return held if set(held) == set(shoppers) else None

    return wait_until(all_held, "the lanes' locks to show", 10)


def test_two_workers_serve_different_shoppers_at_once_each_in_order(
    cluster: Cluster, engine: Engine, graph: FakeGraph
) -> None:
    shoppers = ["919800001001", "919800001002"]
    for wa_id in shoppers:
        cluster.say(wa_id, "first")
    holders = in_flight(engine, cluster, shoppers)
    workers = {w.process.pid for w in cluster.workers if w.process is not None}
    assert set(holders.values()) == workers  # one shopper in each worker, at the same time
    for wa_id in shoppers:
        cluster.say(wa_id, "second")
        cluster.say(wa_id, "third")
    engine.gate.set()
    assert inbox_settled(cluster.database_url)
    for wa_id in shoppers:
        assert engine.asked(wa_id) == ["first", "second", "third"]
        assert replies(graph, wa_id) == ["echo: first", "echo: second", "echo: third"]


def test_a_killed_workers_shopper_is_taken_over_and_nothing_is_lost_or_doubled(
    cluster: Cluster, engine: Engine, graph: FakeGraph
) -> None:
    shoppers = ["919800001011", "919800001012"]
    for wa_id in shoppers:
        cluster.say(wa_id, "first")
    holders = in_flight(engine, cluster, shoppers)
    for wa_id in shoppers:
        cluster.say(wa_id, "second")
    victim = shoppers[0]
    dead = cluster.worker_of(holders[victim])
    assert dead.process is not None
    os.killpg(dead.process.pid, signal.SIGKILL)  # mid-message: its turn is in the engine
    killed = time.monotonic()
    dead.process.wait()
    wait_until(
        lambda: cluster.holders(shoppers).get(victim) != holders[victim],
        "PostgreSQL to release the dead worker's lane",
        30,
    )
    engine.gate.set()  # the engine finishes the dead worker's turn, answering no one
    wait_until(
        lambda: len(replies(graph, victim)) == 2, "the surviving worker to answer the shopper", 60
    )
    print(f"the killed worker's shopper answered {time.monotonic() - killed:.1f} s after the kill")
    assert inbox_settled(cluster.database_url)
    for wa_id in shoppers:
        assert engine.asked(wa_id) == ["first", "second"]  # the killed turn was not asked again
        assert replies(graph, wa_id) == ["echo: first", "echo: second"]  # read back, sent once


def test_a_lane_lock_is_one_processs_and_goes_with_its_session(pg_url: str) -> None:
    first, second = LaneLocks(pg_url, "first"), LaneLocks(pg_url, "second")
    try:
        assert first.take("919800001021") and first.take("919800001021")  # its own, still
        assert not second.take("919800001021") and second.take("919800001022")
        first.confirm("919800001021")
        with engine_for(pg_url).begin() as c:  # the session ends, as when its process dies
            c.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :n"
                ),
                {"n": f"first-{os.getpid()}"},
            )
        with pytest.raises(LostOwnership):
            first.confirm("919800001021")
        assert second.take("919800001021")  # passed on at once
        second.give_back("919800001021")
        assert first.take("919800001021")  # a new session of its own
    finally:
        first.release()
        second.release()
