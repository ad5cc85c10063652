"""`chatcart cluster run` (what `make cluster` starts) as a real process with deploy/'s own
configuration: nginx in front of two APIs, two Rasa engines on Redis and PostgreSQL, two action
servers and two WhatsApp workers. The chaos test: 200 shoppers over nginx's public port while
one engine, one action server, one worker and one API are killed -9 at random moments, every
message answered, in order, once (but the at-least-once window of a worker's kill, which it
counts), no order twice. Then a REST conversation through nginx's engine gateway and a
WhatsApp one through its public port are answered; with one engine killed -9 both are still
answered (by the other), the dead engine is started again, and SIGTERM leaves no process.

Needs nginx (`make nginx`), PostgreSQL at 127.0.0.1:5432 (or `TEST_POSTGRES_URL`) and Redis at
127.0.0.1:6379 (or `TEST_REDIS_URL`); skipped with the reason when one is missing. One start
of the cluster for the whole module: each engine loads a model."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from api.simulator import webhooks
from bot.settings import PROJECT_ROOT
from cli.cluster import NGINX, group_rss_kib, process_alive, redis_answers
from tests.api.whatsapp.support import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    FakeGraph,
    channel_settings,
    choose,
)
from tests.conftest import TEST_DATABASE_URL, postgres_missing
from tests.shop import free_block
from tests.waiting import wait_until, wait_until_async

SERVER = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
COUNTS = {"api": 2, "engine": 2, "actions": 2, "worker": 2, "nginx": 1}
pytestmark = [
    pytest.mark.xdist_group("cluster"),
    pytest.mark.processes,
    pytest.mark.skipif(
        not TEST_DATABASE_URL.startswith("postgresql"),
        reason="runs once per CI run, on the PostgreSQL pass: the cluster is PostgreSQL's whatever "
        "the suite's database (the SQLite pass runs the learning loop instead)",
    ),
]


def missing_server() -> str | None:
    if not (shutil.which("nginx") or Path(NGINX).exists()):
        return "nginx is not installed (`make nginx`)"
    if not redis_answers(REDIS):
        return f"no Redis answers at {REDIS}"
    return postgres_missing(SERVER)


@dataclass
class Cluster:
    process: subprocess.Popen[bytes]
    port: int
    run_dir: Path
    env: dict[str, str]
    log: Path

    def status(self) -> list[dict[str, Any]]:
        done = subprocess.run(
            [sys.executable, "-m", "cli", "cluster", "status", "--json"],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            timeout=60,
            check=False,  # it exits 1 while a process is unhealthy: the rows say which
        )
        if not done.stdout.strip():
            return []
        rows: list[dict[str, Any]] = json.loads(done.stdout)
        return rows

    def all_healthy(self) -> list[dict[str, Any]]:
        """Every row when all are healthy, else none."""
        if self.process.poll() is not None:
            raise AssertionError(f"the cluster exited ({self.process.returncode}); see {self.log}")
        rows = self.status()
        return rows if rows and all(r["healthy"] for r in rows) else []

    def say_rest(self, sender: str, said: str) -> list[dict[str, Any]]:
        answer = httpx.post(
            f"http://127.0.0.1:{self.port + 1}/webhooks/rest/webhook",
            json={"sender": sender, "message": said},
            timeout=120,
        )
        answer.raise_for_status()
        replies: list[dict[str, Any]] = answer.json()
        return replies

    def say_whatsapp(self, wa_id: str, said: str) -> None:
        body, headers = webhooks.signed(
            webhooks.text(PHONE_NUMBER_ID, wa_id, said, "Asha"), APP_SECRET
        )
        answer = httpx.post(
            f"http://127.0.0.1:{self.port}/webhooks/whatsapp",
            content=body,
            headers=headers,
            timeout=30,
        )
        assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraph]:
    stand_in = FakeGraph()
    yield stand_in
    stand_in.close()


@pytest.fixture(scope="module")
def cluster(
    trained_model: str, graph: FakeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    if (why := missing_server()) is not None:
        pytest.skip(why)
    database = f"chatcart_cluster_{uuid.uuid4().hex[:8]}"
    database_url = make_url(SERVER).set(database=database).render_as_string(hide_password=False)
    run_dir = tmp_path_factory.mktemp("cluster")
    port = free_block([0, 1, 2, 100, 101, 200, 201, 300, 301])
    env = {
        **os.environ,
        **channel_settings(graph.url, "http://unused", WHATSAPP_OUTBOX_EVERY_SECONDS="0.5"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS,
        "CLUSTER_NAME": "testcluster",  # its logs: var/log/testcluster-*.log
        "CLUSTER_RUN_DIR": str(run_dir),
        "CLUSTER_PORT": str(port),
        "CLUSTER_LISTEN": "127.0.0.1",
        "CLUSTER_APIS": str(COUNTS["api"]),
        "CLUSTER_ENGINES": str(COUNTS["engine"]),
        "CLUSTER_ACTIONS": str(COUNTS["actions"]),
        "CLUSTER_WORKERS": str(COUNTS["worker"]),
    }
    log = run_dir / "cluster.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "cluster", "run", "--model", trained_model],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    made = Cluster(process, port, run_dir, env, log)
    try:
        yield made
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


# --- the chaos test: 200 shoppers, one of every role killed -9 mid-load -----------------------

SHOPPERS = 200
ORDERING = 10  # of them go all the way to a placed order (the others chat three messages)
CHATS = (
    ("hi", "1 kg sugar", "show my cart"),
    ("namaste", "2 kg atta", "cart dikhao"),
    ("hello", "1 litre milk", "what is in my cart"),
    ("नमस्ते", "एक किलो चीनी", "मेरा कार्ट दिखाओ"),
)
ADDRESS = "Flat 302, Shanti Apartments, Andheri East, Mumbai 400069"
TURN_TIMEOUT = 240.0  # one message answered, through a restart of whatever served it


@dataclass
class Kill:
    role: str
    index: int
    pid: int
    at: datetime


@dataclass
class Load:
    """What the simulated shoppers did: every wamid sent per shopper in order, the kills."""

    cluster: Cluster
    graph: FakeGraph
    database_url: str
    done: set[str] = field(default_factory=set)
    sent: dict[str, list[str]] = field(default_factory=dict)
    kills: list[Kill] = field(default_factory=list)
    webhook_retries: int = 0

    def poll_done(self) -> None:
        """The inbox rows finished so far (one query for every shopper)."""
        engine = create_engine(self.database_url)
        with engine.connect() as c:
            keys = c.execute(
                text("SELECT key FROM whatsapp_inbox WHERE kind = 'message' AND state = 'done'")
            ).scalars()
            self.done = set(keys)
        engine.dispose()

    async def post(self, client: httpx.AsyncClient, payload: dict[str, Any]) -> None:
        """Post a signed webhook until it is acknowledged, as Meta retries: an API killed
        mid-request answers nothing (or nginx's 502), and the same bytes go again."""
        body, headers = webhooks.signed(payload, APP_SECRET)
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = await client.post(
                    f"http://127.0.0.1:{self.cluster.port}/webhooks/whatsapp",
                    content=body,
                    headers=headers,
                    timeout=30,
                )
                if answer.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            self.webhook_retries += 1
            assert time.monotonic() < deadline, "a webhook not acknowledged for 120 s"
            await asyncio.sleep(0.2)

    async def say(
        self, client: httpx.AsyncClient, wa_id: str, payload: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Send one message and wait, like a person, until it is answered; the replies."""
        wamid = payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
        seen = len(self.graph.messages(wa_id))
        self.sent.setdefault(wa_id, []).append(wamid)
        await self.post(client, payload)
        await wait_until_async(
            lambda: f"message:{wamid}" in self.done, f"{wa_id}'s {wamid} answered", TURN_TIMEOUT
        )
        return self.graph.messages(wa_id)[seen:]

    async def chat(self, client: httpx.AsyncClient, wa_id: str, lines: tuple[str, ...]) -> None:
        for line in lines:
            await self.say(client, wa_id, webhooks.text(PHONE_NUMBER_ID, wa_id, line, "Asha"))

    async def order(self, client: httpx.AsyncClient, wa_id: str) -> None:
        """Answer every question until the order is placed (as test_whatsapp_conversation)."""

        def says(m: dict[str, Any]) -> str:
            if m["type"] == "text":
                return str(m["text"]["body"])
            return str(m.get("interactive", {}).get("body", {}).get("text", ""))

        prefer = lambda title: bool(re.search(r"cash|yes|haan|checkout|हाँ", title, re.I))  # noqa: E731
        replies = await self.say(
            client, wa_id, webhooks.text(PHONE_NUMBER_ID, wa_id, "2 kg atta and milk")
        )
        for _ in range(15):
            if any(re.search(r"Order #\d+", says(m)) for m in replies):
                return
            assert replies, f"{wa_id} got no reply (see the assertions after the load)"
            last = replies[-1]
            if last["type"] == "interactive":
                kind, reply_id, title = choose(last, prefer)
                payload = webhooks.reply(PHONE_NUMBER_ID, wa_id, kind, reply_id, title)
            elif re.search(r"address|PIN|deliver", says(last), re.I):
                payload = webhooks.text(PHONE_NUMBER_ID, wa_id, ADDRESS)
            else:
                payload = webhooks.text(PHONE_NUMBER_ID, wa_id, "checkout")
            replies = await self.say(client, wa_id, payload)
        raise AssertionError(f"{wa_id} placed no order: {[says(m) for m in replies]}")

    def kill_one(self, role: str) -> None:
        """kill -9 a random instance of `role` (its whole process group: Sanic's worker, …)."""
        rows = json.loads((self.cluster.run_dir / "cluster.json").read_text("utf-8"))
        row = random.choice([r for r in rows if r["role"] == role])
        os.killpg(row["pid"], signal.SIGKILL)
        self.kills.append(Kill(role, row["index"], row["pid"], datetime.now(UTC)))

    async def run(self, shoppers: list[str], orderers: set[str]) -> None:
        total = len(shoppers) * 3 + len(orderers) * 5  # about how many messages will be sent
        roles = ["engine", "actions", "worker", "api"]
        random.shuffle(roles)
        # at random moments of the load: when that many messages have been answered
        moments = sorted(random.sample(range(total // 10, total * 6 // 10), len(roles)))
        limits = httpx.Limits(max_connections=SHOPPERS, max_keepalive_connections=50)
        async with httpx.AsyncClient(limits=limits) as client:
            tasks = [
                asyncio.create_task(
                    self.order(client, wa_id)
                    if wa_id in orderers
                    else self.chat(client, wa_id, CHATS[i % len(CHATS)])
                )
                for i, wa_id in enumerate(shoppers)
            ]
            pending = set(tasks)
            while pending:
                await asyncio.to_thread(self.poll_done)
                while roles and len(self.done) >= moments[0]:
                    moments.pop(0)
                    self.kill_one(roles.pop())
                finished, pending = await asyncio.wait(pending, timeout=0.2)
                for t in finished:
                    t.result()  # a shopper's failure fails the test at once
        assert not roles, f"the load ended before every kill: {roles} left"


def sent_sequence(graph: FakeGraph, wa_id: str) -> list[str]:
    return [json.dumps(b, sort_keys=True) for b in graph.messages(wa_id)]


def test_200_shoppers_are_answered_in_order_once_while_one_of_every_role_is_killed(
    cluster: Cluster, graph: FakeGraph
) -> None:
    """kill -9 of one engine, one action server, one worker and one API at random moments of
    the load: every message done and answered, each shopper's replies in the order of the
    messages, no reply sent twice but for the at-least-once window (below), no order twice.

    At-least-once: a worker killed after Meta answered 200 but before the row was marked sent
    leaves it pending, and the lane's next owner sends it again (Meta's 200 and our commit
    cannot be one transaction). Only a row created before a worker's kill and marked sent
    after it can be such a repeat, and it repeats at once, next to itself; any other repeat
    fails the test."""
    wait_until(
        cluster.all_healthy,
        "every process of the cluster healthy",
        timeout=900,
        every=5,
        explain=lambda: f"status {cluster.status()}; see {cluster.log}",
    )
    database_url = cluster.env["DATABASE_URL"]
    stem = random.randrange(10**6, 10**7)
    shoppers = [f"9196{stem}{i:03d}" for i in range(SHOPPERS)]
    orderers = set(random.sample(shoppers, ORDERING))
    load = Load(cluster, graph, database_url)
    started = time.monotonic()
    asyncio.run(load.run(shoppers, orderers))
    took = time.monotonic() - started
    messages = sum(len(w) for w in load.sent.values())
    print(
        f"chaos: {messages} messages of {SHOPPERS} shoppers in {took:.0f} s, kills "
        f"{[(k.role, k.index) for k in load.kills]}, {load.webhook_retries} webhook retries"
    )

    engine = create_engine(database_url)
    with engine.connect() as c:
        inbox = {
            r.key: r
            for r in c.execute(
                text(
                    "SELECT id, key, wa_id, state FROM whatsapp_inbox WHERE kind = 'message' "
                    "AND wa_id LIKE :stem"
                ),
                {"stem": f"9196{stem}%"},
            )
        }
        outgoing = list(
            c.execute(
                text(
                    "SELECT o.id, o.inbox_id, o.seq, o.wa_id, o.body, o.state, o.created_at, "
                    "o.sent_at FROM whatsapp_outgoing o WHERE o.wa_id LIKE :stem "
                    "ORDER BY o.wa_id, o.inbox_id, o.seq, o.id"
                ),
                {"stem": f"9196{stem}%"},
            )
        )
        orders: dict[str, int] = dict(
            c.execute(
                text(
                    "SELECT c.wa_id, count(o.id) FROM orders o JOIN customers c "
                    "ON c.id = o.customer_id WHERE c.wa_id LIKE :stem GROUP BY c.wa_id"
                ),
                {"stem": f"9196{stem}%"},
            ).all()
        )
    engine.dispose()

    # every message in the inbox once, done, and answered
    assert len(inbox) == messages, (len(inbox), messages)
    assert {r.state for r in inbox.values()} == {"done"}
    answered = {o.inbox_id for o in outgoing if o.state == "sent"}
    unanswered = [k for k, r in inbox.items() if r.id not in answered]
    assert not unanswered, f"{len(unanswered)} messages got no reply: {unanswered[:5]}"
    assert all(o.state == "sent" for o in outgoing)

    worker_kills = [k.at for k in load.kills if k.role == "worker"]
    repeats: list[int] = []
    for wa_id, wamids in load.sent.items():
        ids = [inbox[f"message:{w}"].id for w in wamids]
        mine = [o for o in outgoing if o.wa_id == wa_id]
        rows = [o for o in mine if o.inbox_id is not None]  # replies (notifications: None)
        # replies in the order of the messages: by message, then by their place in the turn
        assert {o.inbox_id for o in rows} == set(ids)
        times = [o.sent_at for o in rows]
        assert times == sorted(times), f"{wa_id}'s replies were sent out of order"
        # what Meta received: the rows in that order, each once, but a row in flight at a
        # worker's kill, which may come twice in a row. Notifications (an order's news) go
        # from the outbox beside the lane: each once, wherever it falls.
        received = sent_sequence(graph, wa_id)
        for o in mine:
            if o.inbox_id is None:
                body = json.dumps(o.body, sort_keys=True)
                assert body in received, f"{wa_id}: notification {o.id} never reached Meta"
                received.remove(body)
                assert body not in received or any(
                    o.created_at < k < o.sent_at for k in worker_kills
                ), f"{wa_id}: notification {o.id} sent twice"
        at = 0
        for o in rows:
            body = json.dumps(o.body, sort_keys=True)
            assert received[at : at + 1] == [body], f"{wa_id}: Meta got {received}, not the rows"
            at += 1
            while received[at : at + 1] == [body] and any(
                o.created_at < k < o.sent_at for k in worker_kills
            ):
                repeats.append(o.id)
                at += 1
        assert at == len(received), f"{wa_id}: Meta got {len(received) - at} messages too many"
    print(f"chaos: {len(outgoing)} replies, {len(repeats)} sent again after a worker's kill")

    # no order placed twice; every shopper who went to the end has one
    assert all(n == 1 for n in orders.values()), orders
    assert set(orders) == orderers, (sorted(orders), sorted(orderers))

    # what was killed was started again
    healthy = wait_until(
        cluster.all_healthy,
        "every killed process started again and healthy",
        timeout=600,
        every=5,
        explain=lambda: f"status {cluster.status()}; see {cluster.log}",
    )
    pids = {(r["role"], r["index"]): r["pid"] for r in healthy}
    assert all(pids[(k.role, k.index)] != k.pid for k in load.kills)


def replied(graph: FakeGraph, wa_id: str, at_least: int) -> list[dict[str, Any]]:
    sent = graph.messages(wa_id)
    return sent if len(sent) >= at_least else []


def test_cluster_answers_through_nginx_survives_an_engine_and_stops_clean(
    cluster: Cluster, graph: FakeGraph
) -> None:
    rows = wait_until(
        cluster.all_healthy,
        "every process of the cluster healthy in `chatcart cluster status --json`",
        timeout=900,
        every=5,
        explain=lambda: f"status {cluster.status()}; see {cluster.log}",
    )
    assert {r["role"]: sum(x["role"] == r["role"] for x in rows) for r in rows} == COUNTS
    for r in rows:
        assert set(r) >= {"role", "index", "pid", "port", "healthy"}
        assert (r["port"] is None) == (r["role"] == "worker")
    print("memory (RSS, MB) per process:", [(r["role"], r["index"], r["rss_mb"]) for r in rows])

    shopper = f"+9198{random.randrange(10**7, 10**8)}"
    assert cluster.say_rest(shopper, "hi"), "the engines said nothing to a greeting"
    cart_reply = cluster.say_rest(shopper, "1 kg sugar")
    assert any(r.get("text") for r in cart_reply), cart_reply
    wa_id = f"9197{random.randrange(10**7, 10**8)}"
    cluster.say_whatsapp(wa_id, "hi")
    first = wait_until(
        lambda: replied(graph, wa_id, 1), "the WhatsApp reply through nginx", timeout=120
    )

    [engine] = [r for r in rows if r["role"] == "engine" and r["index"] == 0]
    os.kill(engine["pid"], signal.SIGKILL)
    wait_until(
        lambda: not process_alive(engine["pid"]), "engine 0 to be gone after kill -9", timeout=30
    )
    again = cluster.say_rest(shopper, "show my cart")
    assert any("sugar" in (r.get("text") or "").lower() for r in again), again
    cluster.say_whatsapp(wa_id, "1 kg sugar")
    wait_until(
        lambda: replied(graph, wa_id, len(first) + 1),
        "the WhatsApp reply with one engine dead",
        timeout=120,
    )

    restarted = wait_until(
        lambda: [
            r
            for r in cluster.all_healthy()
            if r["role"] == "engine" and r["index"] == 0 and r["pid"] != engine["pid"]
        ],
        "engine 0 started again and healthy",
        timeout=600,
        every=5,
        explain=lambda: f"status {cluster.status()}; see {cluster.log}",
    )
    assert restarted

    final = cluster.status()
    cluster.process.send_signal(signal.SIGTERM)
    assert cluster.process.wait(timeout=90) == 0, f"see {cluster.log}"
    left = [r for r in final if process_alive(r["pid"]) or group_rss_kib(r["pid"])]
    assert not left, f"still running after SIGTERM: {left}"
    assert not (cluster.run_dir / "cluster.json").exists()
