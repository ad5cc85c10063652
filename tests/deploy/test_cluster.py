"""`chatcart cluster run` (what `make cluster` starts) as a real process with deploy/'s own
configuration: nginx in front of two APIs, two Rasa engines on Redis and PostgreSQL, two action
servers and a WhatsApp worker. A REST conversation through nginx's engine gateway and a
WhatsApp one through its public port are answered; with one engine killed -9 both are still
answered (by the other), the dead engine is started again, and SIGTERM leaves no process.

Needs nginx (`make nginx`), PostgreSQL at 127.0.0.1:5432 (or `TEST_POSTGRES_URL`) and Redis at
127.0.0.1:6379 (or `TEST_REDIS_URL`); skipped with the reason when one is missing. One start
of the cluster for the whole module: each engine loads a model."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from api.simulator import webhooks
from bot.settings import PROJECT_ROOT
from cli.cluster import NGINX, group_rss_kib, process_alive, redis_answers
from tests.api.whatsapp.support import APP_SECRET, PHONE_NUMBER_ID, FakeGraph, channel_settings
from tests.conftest import TEST_DATABASE_URL, postgres_missing
from tests.waiting import wait_until

SERVER = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
COUNTS = {"api": 2, "engine": 2, "actions": 2, "worker": 1, "nginx": 1}
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


def free_block(offsets: list[int]) -> int:
    """A base port P with P + each offset free on 127.0.0.1 (the cluster's ports follow P)."""
    for _ in range(200):
        base = random.randrange(20000, 40000)
        try:
            for offset in offsets:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    raise AssertionError("no free block of ports for the cluster")


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
