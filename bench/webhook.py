"""The WhatsApp gateway under load, with the real processes `chatcart run` starts: the Rasa
engine, the action server, the API (uvicorn, `WHATSAPP_WORKERS=false`: it only acknowledges
webhooks into the inbox), the WhatsApp worker (`chatcart whatsapp worker`: lanes, engine,
Graph API) and a fake Graph API (an HTTP server on 127.0.0.1, in a process of its own, that
records the time of every request). The client runs on uvloop and waits for replies without
polling per shopper, so that it takes as little of the two CPUs as it can.

Measures:
- webhook acknowledgement latency (signed POST → 200, the delivery durable in the inbox) while
  the engine is busy with 50 shoppers' conversations, p50/p95/p99 (target: p99 < 50 ms), and
  where it went: the API's `Server-Timing` (signature, parsing, waiting for and making the
  durable commit) against the time outside the handler (HTTP, the event loop, the scheduler);
- end-to-end reply latency: webhook posted → the first reply for that shopper reaches the
  Graph API, p50/p95/p99, with 50 simulated shoppers each sending messages in turn;
- lost or doubled messages (every message must be in the engine's tracker exactly once);
- the machine while it runs: load average, CPU busy, CPU seconds of each process;
- the intake's steps on their own (in this process, on a scratch SQLite file): signature,
  JSON, the payload models, the inbox insert and its commit with `synchronous=FULL` (what the
  intake uses) and `NORMAL`, and a bare fsync on the same disk.

The load runs three times on the same processes (`--runs`), each with its own shoppers: the
machine is shared, its load differs from run to run, and each run reports what it was.

    .venv/bin/python bench/webhook.py        # JSON in bench/results/webhook.json, and a table
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.simulator import webhooks  # noqa: E402
from cli.stack import Service, assistant_services, start_all, stop_all  # noqa: E402
from tests.api.whatsapp.support import (  # noqa: E402
    APP_SECRET,
    PHONE_NUMBER_ID,
    Gateway,
    gateway_env,
    inbox_settled,
    load_shop,
)

SAID = ["hi", "2 kg atta", "1 litre amul taaza", "show my cart", "5 kg sugar", "tata salt 1 kg"]
TIMING = re.compile(r"(\w+);dur=([\d.]+)")
Item = TypeVar("Item")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2) if values else float("nan")


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": pct(values, 0.5),
        "p95": pct(values, 0.95),
        "p99": pct(values, 0.99),
        "max": round(max(values), 2) if values else float("nan"),
    }


GRAPH_PROCESS = """
import sys, time
sys.path.insert(0, {root!r})
from tests.api.whatsapp.support import FakeGraph
graph = FakeGraph()
print(graph.url, flush=True)
while True:
    time.sleep(3600)
"""


class RemoteGraph:
    """The fake Graph API in a process of its own — in this one its threads would share the GIL
    with the client whose latencies are measured — and when each shopper's replies reached it
    (its clock: `time.monotonic()` is system-wide, so the client's polling does not count)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", GRAPH_PROCESS.format(root=str(ROOT))],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().decode().strip()
        self.arrivals: dict[str, list[float]] = {}
        self._changed: asyncio.Condition | None = None

    def count(self, wa_id: str) -> int:
        return len(self.arrivals.get(wa_id, ()))

    def arrived(self, wa_id: str, index: int) -> float:
        return self.arrivals[wa_id][index]

    async def follow(self, client: httpx.AsyncClient, every: float = 0.05) -> None:
        """Read the arrivals every `every` seconds and wake the shoppers waiting on them."""
        self._changed = asyncio.Condition()
        while True:
            self.arrivals = (await client.get(f"{self.url}/_arrivals")).json()
            async with self._changed:
                self._changed.notify_all()
            await asyncio.sleep(every)

    async def wait(self, wa_id: str, before: int, deadline: float) -> bool:
        while self.count(wa_id) == before:
            if self._changed is None:
                await asyncio.sleep(0.05)
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    return False
        return True

    def close(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=10)


class Acks:
    """Acknowledgement latencies as the client saw them, and the server's own account."""

    def __init__(self) -> None:
        self.ms: list[float] = []
        self.server: list[dict[str, float]] = []

    def add(self, took: float, header: str, at: float = 0.0) -> None:
        self.ms.append(took)
        timing = {k: float(v) for k, v in TIMING.findall(header)}
        timing["at"] = at
        batch = re.search(r'commit;dur=[\d.]+;desc="(\d+)"', header)
        timing["batch"] = float(batch.group(1)) if batch else float("nan")
        timing["outside"] = took - timing.get("total", 0.0)
        self.server.append(timing)


class Webhooks:
    """Keep-alive HTTP/1.1 connections to the webhook, written by hand: Meta's servers do not
    share our two CPUs, so the side that measures should take as little of them as it can
    (httpx parses in pure Python: a few milliseconds of CPU a request on this machine)."""

    KEEP_IDLE = 4.0  # uvicorn closes a connection idle for 5 s

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = (
            parts.hostname or "127.0.0.1",
            parts.port or 80,
            parts.path,
        )
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self._idle:
            reader, writer, since = self._idle.pop()
            if time.monotonic() - since < self.KEEP_IDLE:
                return reader, writer
            writer.close()
        return await asyncio.open_connection(self.host, self.port)

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
        reader, writer = await self._connection()
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n".encode()
            + body
        )
        status = int((await reader.readline()).split()[1])
        answer: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            answer[name.strip().lower()] = value.strip()
        await reader.readexactly(int(answer.get("content-length") or 0))
        self._idle.append((reader, writer, time.monotonic()))
        return status, answer

    def close(self) -> None:
        for _, writer, _ in self._idle:
            writer.close()


async def post(hooks: Webhooks, payload: dict, acks: Acks) -> None:
    body, headers = webhooks.signed(payload, APP_SECRET)
    start = time.monotonic()
    status, answer = await hooks.post(body, headers)
    took = (time.monotonic() - start) * 1000
    if status != 200:
        raise RuntimeError(f"webhook answered {status}")
    acks.add(took, answer.get("server-timing", ""), start)


async def shopper(
    hooks: Webhooks,
    wa_id: str,
    replies: RemoteGraph,
    acks: Acks,
    e2e: list[float],
    problems: list[str],
) -> None:
    for text in SAID:
        before = replies.count(wa_id)
        start = time.monotonic()
        await post(hooks, webhooks.text(PHONE_NUMBER_ID, wa_id, text), acks)
        if await replies.wait(wa_id, before, start + 120):
            e2e.append((replies.arrived(wa_id, before) - start) * 1000)
        else:
            problems.append(f"{wa_id}: no reply to {text!r}")


async def burst(hooks: Webhooks, n: int, acks: Acks) -> None:
    """Extra deliveries (statuses, the kind Meta sends most) posted while the engine is busy."""

    async def one(i: int) -> None:
        await post(
            hooks,
            webhooks.status(PHONE_NUMBER_ID, f"wamid.BENCH{i}", "919700000000", "delivered"),
            acks,
        )

    for start in range(0, n, 10):
        await asyncio.gather(*(one(i) for i in range(start, min(n, start + 10))))
        await asyncio.sleep(0.02)


def server_side(acks: Acks) -> dict[str, dict[str, float]]:
    parts = (
        "verify",
        "parse",
        "inbox",
        "commit",
        "lock",
        "write",
        "sync",
        "total",
        "outside",
        "batch",
    )
    return {p: summary([t[p] for t in acks.server if p in t and t[p] == t[p]]) for p in parts}


async def load(
    url: str, shoppers: int, replies: RemoteGraph, prefix: str = "9190000"
) -> dict[str, object]:
    messages, statuses = Acks(), Acks()
    e2e: list[float] = []
    problems: list[str] = []
    hooks = Webhooks(url)
    async with httpx.AsyncClient(timeout=60) as client:
        follow = asyncio.create_task(replies.follow(client))
        started = time.monotonic()
        await asyncio.gather(
            *(
                shopper(hooks, f"{prefix}{i:05d}", replies, messages, e2e, problems)
                for i in range(shoppers)
            ),
            burst(hooks, 500, statuses),
        )
        took = time.monotonic() - started
        follow.cancel()
    hooks.close()
    both = Acks()
    both.ms, both.server = messages.ms + statuses.ms, messages.server + statuses.server
    return {
        "shoppers": shoppers,
        "messages": len(messages.ms),
        "seconds": round(took, 1),
        "ack_ms_messages": summary(messages.ms),
        "ack_ms_statuses": summary(statuses.ms),
        "ack_ms_all": summary(both.ms),
        "server_timing_ms": server_side(both),
        "reply_ms": summary(e2e),
        "messages_per_s": round(len(messages.ms) / took, 1),
        "slowest_acks": slowest(both, started),
        "problems": problems[:20],
    }


def slowest(acks: Acks, started: float, n: int = 12) -> list[dict[str, float]]:
    """The `n` slowest acknowledgements: when each was posted (seconds into the run), how long
    it took, and the server's account — one stall shows as several posted together."""
    worst = sorted(zip(acks.ms, acks.server, strict=True), key=lambda x: -x[0])[:n]
    return [
        {
            "at_s": round(t["at"] - started, 3),
            "ms": round(ms, 1),
            **{
                k: t[k]
                for k in ("total", "inbox", "commit", "lock", "write", "sync", "outside", "batch")
                if k in t
            },
        }
        for ms, t in sorted(worst, key=lambda x: x[1]["at"])
    ]


# the machine ---------------------------------------------------------------------------------
def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its reaped children (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _waited_ns(pid: int) -> dict[str, int]:
    """Per thread, nanoseconds spent runnable but waiting for a CPU (Linux schedstat)."""
    waited: dict[str, int] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            waited[task.name] = int((task / "schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return waited


def _waited_since(before: dict[str, int], after: dict[str, int]) -> float:
    """Seconds waited for a CPU between two `_waited_ns` readings: each thread's growth (a
    thread started since counts from zero; one that ended since is not seen, so this is a
    lower bound — never the negative a difference of two process totals can be)."""
    return sum(ns - before.get(tid, 0) for tid, ns in after.items()) / 1e9


def _cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Machine:
    """Load average and CPU use while the load runs, and the CPU each process used."""

    def __init__(self, processes: dict[str, int]) -> None:
        self.processes = processes
        self.loads: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(1.0):
            self.loads.append(os.getloadavg()[0])

    def __enter__(self) -> Machine:
        self.load_before = os.getloadavg()
        self.busy_before = _cpu_busy()
        self.cpu_before = {name: _cpu_seconds(pid) for name, pid in self.processes.items()}
        self.waited_before = {name: _waited_ns(pid) for name, pid in self.processes.items()}
        self.bench_before = os.times()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        busy, total = _cpu_busy()
        self.busy = (busy - self.busy_before[0]) / max(1, total - self.busy_before[1])
        self.cpu = {
            name: round(_cpu_seconds(pid) - self.cpu_before[name], 1)
            for name, pid in self.processes.items()
        }
        self.waited = {
            name: round(_waited_since(self.waited_before[name], _waited_ns(pid)), 2)
            for name, pid in self.processes.items()
        }
        now = os.times()
        self.cpu["bench client"] = round(
            now.user + now.system - self.bench_before.user - self.bench_before.system, 1
        )
        self.load_after = os.getloadavg()

    def report(self, seconds: float) -> dict[str, object]:
        loads = self.loads or [self.load_after[0]]
        return {
            "loadavg_1min": {
                "before": round(self.load_before[0], 2),
                "mean": round(sum(loads) / len(loads), 2),
                "max": round(max(loads), 2),
                "after": round(self.load_after[0], 2),
            },
            "cpu_busy_percent": round(100 * self.busy, 1),
            "cpus": os.cpu_count(),
            "cpu_seconds": self.cpu,
            "waited_for_cpu_seconds": self.waited,
            "seconds": round(seconds, 1),
        }


# the intake's steps on their own -------------------------------------------------------------
def _in_turn(items: list[Item], fn: Callable[[Item], Any]) -> Callable[[], Any]:
    """A call that takes the next item each time, so `_timed` never repeats one."""
    remaining = iter(items)
    return lambda: fn(next(remaining))


def _timed(fn: Callable[[], Any], n: int) -> dict[str, float]:
    wall: list[float] = []
    cpu0 = time.process_time()
    for _ in range(n):
        start = time.perf_counter()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
    return {
        "n": n,
        "p50_ms": pct(wall, 0.5),
        "p99_ms": pct(wall, 0.99),
        "cpu_ms": round((time.process_time() - cpu0) / n * 1000, 3),
    }


def intake_profile(n: int = 300) -> dict[str, dict[str, float]]:
    """Each step of `POST /webhooks/whatsapp` in this process, on a scratch SQLite file."""
    from sqlalchemy import event

    from api.whatsapp import inbox
    from api.whatsapp.payloads import Webhook
    from api.whatsapp.signature import verify
    from bot.db.base import create_engine_for
    from bot.db.session import engine_for
    from bot.settings import get_settings

    (ROOT / "var").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=ROOT / "var"))
    url = f"sqlite:///{folder / 'intake.db'}"
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        engine_for(url)
        payload = webhooks.text(PHONE_NUMBER_ID, "919800000001", "2 kg atta and milk")
        body, headers = webhooks.signed(payload, APP_SECRET)
        data = json.loads(body)
        webhook = Webhook.model_validate(data)
        counter = iter(range(10**9))

        def fresh(k: int = 1) -> list[Webhook]:
            return [
                Webhook.model_validate(
                    webhooks.text(PHONE_NUMBER_ID, f"9198{next(counter):08d}", "x")
                )
                for _ in range(k)
            ]

        out = {
            "verify signature": _timed(
                lambda: verify(body, headers["X-Hub-Signature-256"], APP_SECRET), n
            ),
            "json.loads": _timed(lambda: json.loads(body), n),
            "payload models": _timed(lambda: Webhook.model_validate(data), n),
            "rows of the delivery": _timed(lambda: inbox.rows_of(webhook), n),
        }
        batches = {k: [fresh(k) for _ in range(n if k == 1 else n // 5)] for k in (1, 10)}
        for k, todo in batches.items():
            out[f"insert + commit, {k} deliver{'y' if k == 1 else 'ies'}, synchronous=FULL"] = (
                _timed(_in_turn(todo, inbox.record_many), len(todo))
            )
        normal = create_engine_for(url)
        with normal.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")

        def commit_normal() -> None:
            with normal.begin() as conn:
                conn.exec_driver_sql("INSERT INTO t (v) VALUES (?)", (body.decode(),))

        out["bare insert + commit, synchronous=NORMAL (no sync)"] = _timed(commit_normal, n)
        full = create_engine_for(url)
        event.listen(full, "connect", lambda c, _r: c.execute("PRAGMA synchronous=FULL"))

        def commit_full() -> None:
            with full.begin() as conn:
                conn.exec_driver_sql("INSERT INTO t (v) VALUES (?)", (body.decode(),))

        out["bare insert + commit, synchronous=FULL (WAL synced)"] = _timed(commit_full, n)
        fd = os.open(folder / "fsync", os.O_WRONLY | os.O_CREAT)
        try:

            def sync() -> None:
                os.write(fd, b"x" * 4096)
                os.fsync(fd)

            out["bare fsync of 4 KiB on this disk"] = _timed(sync, n)
        finally:
            os.close(fd)
        return out
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    from bot.settings import get_settings
    from cli.engine import production_model

    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--shoppers", type=int, default=50)
    ap.add_argument(
        "--runs",
        type=int,
        default=3,
        help="load runs on the same processes, each with its own shoppers (the machine is shared: "
        "its load differs from run to run, and every run says what it was)",
    )
    ap.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL URL to run on (emptied first); default: a fresh SQLite file",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "webhook.json")
    args = ap.parse_args()
    model = production_model(required=False)
    if model is None:
        sys.exit("no trained model: `make train` first")
    result: dict[str, object] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "model": model.name,
        "topology": "API (uvicorn, WHATSAPP_WORKERS=false: acknowledges into the intake file) + "
        "chatcart whatsapp worker + Rasa engine + action server",
    }
    print("==> the intake's steps on their own", flush=True)
    result["intake_profile"] = intake_profile()
    tmp = Path(tempfile.mkdtemp())
    db = f"sqlite:///{tmp / 'bench.db'}"
    if args.database_url:
        from tests.conftest import fresh_postgres

        db = fresh_postgres(args.database_url)
    result["database"] = db.split(":", 1)[0]
    os.environ["DATABASE_URL"] = db
    get_settings.cache_clear()
    actions, engine = assistant_services(db, 5106, 5156, prefix="bench-wa-")
    graph = RemoteGraph()
    running = start_all([actions, engine])
    load_shop(db)
    gateway = Gateway(
        gateway_env(db, graph.url, "http://127.0.0.1:5106"), 8106, tmp, prefix="bench-wa-"
    ).start()
    url = f"{gateway.url}/webhooks/whatsapp"
    services: list[Service] = [*gateway.services, actions, engine]
    processes = {s.name.removeprefix("bench-wa-"): s.process.pid for s in services if s.process}
    processes["fake Graph API"] = graph.process.pid
    # BACKGROUND_NICE: the engine, the action server and the worker yield the CPU to the API
    result["niceness"] = {
        name: os.getpriority(os.PRIO_PROCESS, pid) for name, pid in processes.items()
    }
    result["niceness"]["bench client"] = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        uvloop.run(load(url, 2, graph, prefix="9180000"))  # warm-up: the first turns load lazily
        runs: list[dict[str, Any]] = []
        for r in range(args.runs):
            inbox_settled(db, timeout=300)  # each run starts with the engine's queue empty
            with Machine(processes) as machine:
                started = time.monotonic()
                run = uvloop.run(load(url, args.shoppers, graph, prefix=f"919{r:02d}00"))
            run["machine"] = machine.report(time.monotonic() - started)
            runs.append(run)
        result["runs"] = runs
        inbox_settled(db, timeout=300)
        lost_or_doubled = 0
        for r in range(args.runs):
            for i in range(args.shoppers):
                wa_id = f"919{r:02d}00{i:05d}"
                events = httpx.get(
                    f"http://127.0.0.1:5106/conversations/{wa_id}/tracker",
                    params={"include_events": "ALL"},
                    timeout=60,
                ).json()["events"]
                wamids = [
                    (e.get("metadata") or {}).get("wamid")
                    for e in events
                    if e.get("event") == "user"
                ]
                lost_or_doubled += abs(len(wamids) - len(SAID)) + (len(wamids) - len(set(wamids)))
        result["lost_or_doubled"] = lost_or_doubled
    finally:
        gateway.stop()
        stop_all(running)
        graph.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    report(result, args.shoppers)
    print(f"\nwritten to {args.out}")


def report(result: dict[str, Any], shoppers: int) -> None:
    for number, run in enumerate(result["runs"], 1):
        machine = run["machine"]
        print(
            f"\nrun {number}: {shoppers} shoppers, {run['messages']} messages + 500 status webhooks in "
            f"{run['seconds']} s ({run['messages_per_s']} messages/s)"
        )
        load = machine["loadavg_1min"]
        print(
            f"load average (1 min) during the run: mean {load['mean']}, max {load['max']} "
            f"(before {load['before']}) on {machine['cpus']} CPUs, {machine['cpu_busy_percent']} % busy; "
            f"CPU seconds: " + ", ".join(f"{k} {v}" for k, v in machine["cpu_seconds"].items())
        )
        print(
            "seconds runnable but waiting for a CPU: "
            + ", ".join(f"{k} {v}" for k, v in machine["waited_for_cpu_seconds"].items())
        )
        print(f"\n{'':44} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'max ms':>9}")
        rows = [
            ("ack, shopper messages", run["ack_ms_messages"]),
            ("ack, status webhooks", run["ack_ms_statuses"]),
            ("ack, all (engine busy)", run["ack_ms_all"]),
        ]
        timing = run["server_timing_ms"]
        rows += [
            (f"  in the handler: {label}", timing[key])
            for label, key in (
                ("signature", "verify"),
                ("parse", "parse"),
                ("inbox (queue + commit)", "inbox"),
                ("  its commit (in a thread)", "commit"),
                ("    waiting for the write lock", "lock"),
                ("    INSERT … RETURNING", "write"),
                ("    COMMIT (WAL sync)", "sync"),
                ("all", "total"),
            )
        ]
        rows += [
            ("  outside the handler (HTTP, loop, CPU)", timing["outside"]),
            ("reply, end to end", run["reply_ms"]),
        ]
        for label, s in rows:
            print(f"{label:44} {s['n']:>6} {s['p50']:>9} {s['p95']:>9} {s['p99']:>9} {s['max']:>9}")
        b = timing["batch"]
        print(f"deliveries per commit: p50 {b['p50']}, p99 {b['p99']}, max {b['max']}")
        print(
            "slowest acknowledgements (posted at s: ms = in the handler + outside; deliveries in the commit): "
            + "; ".join(
                f"{a['at_s']}: {a['ms']} = {a.get('total', 0):.1f} + {a['outside']:.1f} ({a.get('batch', 0):.0f})"
                for a in run["slowest_acks"]
            )
        )
        if run["problems"]:
            print("problems:", *run["problems"], sep="\n  ")
    print(f"\nlost or doubled over all runs: {result['lost_or_doubled']}")
    print("niceness: " + ", ".join(f"{k} {v}" for k, v in result["niceness"].items()))
    print("\nthe intake's steps on their own (this process, scratch SQLite):")
    print(f"{'':58} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>8}")
    for label, s in result["intake_profile"].items():
        print(f"{label:58} {s['p50_ms']:>8} {s['p99_ms']:>8} {s['cpu_ms']:>8}")


if __name__ == "__main__":
    main()
