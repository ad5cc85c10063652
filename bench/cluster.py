"""The cluster (`chatcart cluster run`, what `make cluster` starts) under one WhatsApp load, with
1 engine and then with 2 engines, everything else the same (2 APIs, 2 action servers, 2
workers, nginx, one PostgreSQL database and Redis): turns per second, reply latency p50/p95,
the memory of every process, and where a turn's time goes.

Each configuration gets a fresh cluster on a database of its own (dropped afterwards) and the
same load: `--shoppers` simulated shoppers over nginx's public port, each sending `--messages`
signed text webhooks in turn (the next one after the previous was answered, like a person),
after a warm-up that is not counted. Replies go to a fake Graph API in this process, which
records when each request arrived.

Where a turn's time goes, from the gateway's own timestamps (one clock: every process is on
this machine):

- webhook: the signed POST until its 200 (the API made the delivery durable in the inbox);
- inbox: `whatsapp_inbox.received_at` until the worker takes the row (its mark-as-read
  request reaches the Graph API): waiting for a worker, a free lane and the shopper's lock;
- lane: from then until `forwarded_at` (planning the message, committing the plan);
- engine: `forwarded_at` until the replies are stored (`whatsapp_outgoing.created_at`): the
  engine's turn, the action server's calls, rendering;
- send: from then until `done_at` (every reply sent to the Graph API and marked sent).

The reply latency is the POST's start until `done_at`: the shopper has every reply.

    .venv/bin/python bench/cluster.py     # JSON in bench/results/cluster.json, and a table
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.simulator import webhooks  # noqa: E402
from cli.cluster import group_rss_kib, process_alive  # noqa: E402
from cli.engine import train  # noqa: E402
from tests.api.whatsapp.support import (  # noqa: E402
    APP_SECRET,
    PHONE_NUMBER_ID,
    FakeGraph,
    channel_settings,
)

SAID = ["hi", "2 kg atta", "1 litre amul taaza", "show my cart", "5 kg sugar", "tata salt 1 kg"]
SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
STEPS = ("webhook", "inbox", "lane", "engine", "send")


class TimedRequests(list[dict[str, Any]]):
    """The fake Graph API's request log with the wall-clock time of each request."""

    def append(self, item: dict[str, Any]) -> None:
        item["at"] = time.time()
        super().append(item)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else float("nan")


def free_base() -> int:
    """A base port P with the cluster's ports (P+0..2, P+100.., P+200.., P+300..) free."""
    offsets = [0, 1, 2, 100, 101, 200, 201, 300, 301]
    for _ in range(200):
        base = random.randrange(20000, 40000)
        try:
            for offset in offsets:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    raise SystemExit("no free block of ports for the cluster")


class Cluster:
    def __init__(self, port: int, run_dir: Path, database_url: str) -> None:
        self.port, self.run_dir, self.database_url = port, run_dir, database_url

    def rows(self) -> list[dict[str, Any]]:
        path = self.run_dir / "cluster.json"
        return json.loads(path.read_text("utf-8")) if path.exists() else []

    def healthy(self, env: dict[str, str]) -> bool:
        done = subprocess.run(
            [sys.executable, "-m", "cli", "cluster", "status", "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        rows = json.loads(done.stdout) if done.stdout.strip() else []
        return bool(rows) and all(r["healthy"] for r in rows)


@contextmanager
def cluster(engines: int, graph: FakeGraph, model: str, run_dir: Path) -> Iterator[Cluster]:
    """`chatcart cluster run` with `engines` engines on a database of its own, healthy."""
    database = f"chatcart_bench_{uuid.uuid4().hex[:8]}"
    database_url = make_url(SERVER).set(database=database).render_as_string(hide_password=False)
    port = free_base()
    env = {
        **os.environ,
        **channel_settings(graph.url, "http://unused", WHATSAPP_OUTBOX_EVERY_SECONDS="0.5"),
        "PYTHONPATH": str(ROOT),
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS,
        "WHATSAPP_SHOPPER_RATE": "0",
        "CLUSTER_NAME": f"bench{engines}",
        "CLUSTER_RUN_DIR": str(run_dir),
        "CLUSTER_PORT": str(port),
        "CLUSTER_LISTEN": "127.0.0.1",
        "CLUSTER_APIS": "2",
        "CLUSTER_ENGINES": str(engines),
        "CLUSTER_ACTIONS": "2",
        "CLUSTER_WORKERS": "2",
    }
    log = run_dir / "cluster.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "cluster", "run", "--model", model],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    made = Cluster(port, run_dir, database_url)
    try:
        deadline = time.monotonic() + 900
        while not made.healthy(env):
            if process.poll() is not None:
                raise SystemExit(f"the cluster exited ({process.returncode}); see {log}")
            if time.monotonic() > deadline:
                raise SystemExit(f"the cluster was not healthy in 900 s; see {log}")
            time.sleep(5)
        yield made
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


async def shopper(
    client: httpx.AsyncClient,
    made: Cluster,
    wa_id: str,
    messages: int,
    done: set[str],
    posted: dict[str, tuple[float, float]],
) -> None:
    """One shopper: each message after the previous one is answered (its inbox row done)."""
    for i in range(messages):
        payload = webhooks.text(PHONE_NUMBER_ID, wa_id, SAID[i % len(SAID)], "Asha")
        wamid = payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
        body, headers = webhooks.signed(payload, APP_SECRET)
        start = time.time()
        answer = await client.post(
            f"http://127.0.0.1:{made.port}/webhooks/whatsapp", content=body, headers=headers
        )
        answer.raise_for_status()
        posted[wamid] = (start, time.time())
        deadline = time.monotonic() + 300
        while f"message:{wamid}" not in done:
            if time.monotonic() > deadline:
                raise SystemExit(f"{wa_id}'s message {wamid} unanswered for 300 s")
            await asyncio.sleep(0.05)


def finished_keys(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    with engine.connect() as c:
        keys = set(
            c.execute(
                text("SELECT key FROM whatsapp_inbox WHERE kind = 'message' AND state = 'done'")
            ).scalars()
        )
    engine.dispose()
    return keys


async def load(
    made: Cluster, prefix: str, shoppers: int, messages: int
) -> tuple[float, dict[str, tuple[float, float]]]:
    """The load's wall time and, per wamid, when its POST started and was acknowledged."""
    done: set[str] = set()
    posted: dict[str, tuple[float, float]] = {}
    limits = httpx.Limits(max_connections=shoppers + 5)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        start = time.monotonic()
        tasks = {
            asyncio.create_task(shopper(client, made, f"{prefix}{n:04d}", messages, done, posted))
            for n in range(shoppers)
        }
        while tasks:
            done.update(await asyncio.to_thread(finished_keys, made.database_url))
            finished, tasks = await asyncio.wait(tasks, timeout=0.1)
            for t in finished:
                t.result()
        wall = time.monotonic() - start
    return wall, posted


def breakdown(
    made: Cluster, graph: FakeGraph, posted: dict[str, tuple[float, float]]
) -> dict[str, Any]:
    """Per message: the steps (ms) and the reply latency, from the inbox and outgoing rows."""
    read_at = {
        r["body"]["message_id"]: r["at"]
        for r in list(graph.requests)
        if r["body"].get("status") == "read"
    }
    engine = create_engine(made.database_url)
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT i.key, i.received_at, i.forwarded_at, i.done_at, "
                "min(o.created_at) AS stored_at FROM whatsapp_inbox i "
                "JOIN whatsapp_outgoing o ON o.inbox_id = i.id WHERE i.kind = 'message' "
                "GROUP BY i.id"
            )
        ).all()
    engine.dispose()
    steps: dict[str, list[float]] = {s: [] for s in STEPS}
    latency: list[float] = []
    for r in rows:
        wamid = r.key.removeprefix("message:")
        if wamid not in posted or r.forwarded_at is None or wamid not in read_at:
            continue
        start, acked = posted[wamid]
        received, forwarded = r.received_at.timestamp(), r.forwarded_at.timestamp()
        stored, finished = r.stored_at.timestamp(), r.done_at.timestamp()
        taken = read_at[wamid]
        steps["webhook"].append((acked - start) * 1000)
        steps["inbox"].append((taken - received) * 1000)
        steps["lane"].append((forwarded - taken) * 1000)
        steps["engine"].append((stored - forwarded) * 1000)
        steps["send"].append((finished - stored) * 1000)
        latency.append((finished - start) * 1000)
    return {
        "measured": len(latency),
        "reply_ms": {"p50": pct(latency, 0.5), "p95": pct(latency, 0.95)},
        "steps_ms": {s: {"p50": pct(v, 0.5), "p95": pct(v, 0.95)} for s, v in steps.items()},
    }


def memory(made: Cluster) -> list[dict[str, Any]]:
    return [
        {
            "role": r["role"],
            "index": r["index"],
            "rss_mb": round(group_rss_kib(r["pid"]) / 1024, 1) if process_alive(r["pid"]) else None,
        }
        for r in made.rows()
    ]


def measure(
    engines: int, graph: FakeGraph, model: str, run_dir: Path, shoppers: int, messages: int
) -> dict[str, Any]:
    print(f"==> cluster with {engines} engine(s): starting", file=sys.stderr)
    t0 = time.monotonic()
    with cluster(engines, graph, model, run_dir) as made:
        startup = time.monotonic() - t0
        print(f"==> healthy in {startup:.0f} s; warm-up, then the load", file=sys.stderr)
        asyncio.run(load(made, f"91970{engines}0", 4, 2))  # first turns load lazily
        before = os.getloadavg()
        cpu0 = os.times()
        wall, posted = asyncio.run(load(made, f"91980{engines}0", shoppers, messages))
        cpu1 = os.times()
        result = {
            "engines": engines,
            "startup_s": round(startup, 1),
            "turns": len(posted),
            "wall_s": round(wall, 1),
            "turns_per_s": round(len(posted) / wall, 2),
            "load_average_before": [round(x, 2) for x in before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "bench_process_cpu_s": round((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), 1),
            **breakdown(made, graph, posted),
            "rss_mb": memory(made),
        }
    return result


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--shoppers", type=int, default=40)
    ap.add_argument("--messages", type=int, default=5, help="messages per shopper, in turn")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "cluster.json")
    args = ap.parse_args()

    model = str(train().path)
    graph = FakeGraph()
    graph.requests = TimedRequests()
    result: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "load": {"shoppers": args.shoppers, "messages_each": args.messages},
    }
    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"chatcart-bench-cluster-{os.getpid()}"
    try:
        runs = []
        for engines in (1, 2):
            run_dir = base / f"engines-{engines}"
            run_dir.mkdir(parents=True, exist_ok=True)
            runs.append(measure(engines, graph, model, run_dir, args.shoppers, args.messages))
    finally:
        graph.close()
    result["runs"] = runs
    result["ratio_turns_per_s"] = round(runs[1]["turns_per_s"] / runs[0]["turns_per_s"], 2)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(
        f"Cluster benchmark — {result['date']}, {os.cpu_count()} CPUs, load average at start "
        f"{result['machine']['load_average_at_start']}"
    )
    print(f"{args.shoppers} shoppers × {args.messages} messages over the WhatsApp webhook")
    print(
        "| engines | turns/s | reply p50 / p95 ms | "
        + " | ".join(f"{s} p50/p95" for s in STEPS)
        + " |"
    )
    print("|---:|---:|---:|" + "---:|" * len(STEPS))
    for r in runs:
        steps = " | ".join(f"{r['steps_ms'][s]['p50']} / {r['steps_ms'][s]['p95']}" for s in STEPS)
        print(
            f"| {r['engines']} | {r['turns_per_s']} | {r['reply_ms']['p50']} / "
            f"{r['reply_ms']['p95']} | {steps} |"
        )
    print(f"2 engines ÷ 1 engine, turns/s: {result['ratio_turns_per_s']}×")
    for r in runs:
        rss = ", ".join(f"{m['role']} {m['index']} {m['rss_mb']}" for m in r["rss_mb"])
        print(f"RSS MB with {r['engines']} engine(s): {rss}")
    print(f"Full results: {args.out}")


if __name__ == "__main__":
    main()
