"""The WhatsApp gateway under load, with the real processes: the Rasa engine, the action server,
the API (uvicorn, one process) and a fake Graph API (an HTTP server on 127.0.0.1 that records
the time of every request).

Measures:
- webhook acknowledgement latency (signed POST → 200, the delivery durable in the inbox) while
  the engine is busy with 50 shoppers' conversations, p50/p95/p99 (target: p99 < 50 ms);
- end-to-end reply latency: webhook posted → the first reply for that shopper reaches the
  Graph API, p50/p95/p99, with 50 simulated shoppers each sending messages in turn;
- lost or doubled messages (every message must be in the engine's tracker exactly once).

    .venv/bin/python bench/webhook.py        # JSON in bench/results/webhook.json, and a table
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.simulator import webhooks  # noqa: E402
from bot.cli.engine import train  # noqa: E402
from bot.cli.stack import assistant_services, start_all, stop_all  # noqa: E402
from tests.api.whatsapp.support import (APP_SECRET, PHONE_NUMBER_ID, FakeGraph, Gateway,  # noqa: E402
                                        gateway_env, inbox_settled, load_shop)

SAID = ["hi", "2 kg atta", "1 litre amul taaza", "show my cart", "5 kg sugar", "tata salt 1 kg"]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2) if values else float("nan")


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": pct(values, 0.5), "p95": pct(values, 0.95),
            "p99": pct(values, 0.99), "max": round(max(values), 2) if values else float("nan")}


class Replies:
    """When each shopper's replies reached the fake Graph API."""

    def __init__(self, graph: FakeGraph) -> None:
        self.graph = graph

    def count(self, wa_id: str) -> int:
        return self.graph.sent_to.get(wa_id, 0)

    def arrived(self, wa_id: str, index: int) -> float:
        """When the Graph API got this shopper's message number `index` (from the server's
        clock, so the client's polling does not count)."""
        return self.graph.arrivals[wa_id][index]


async def post(client: httpx.AsyncClient, url: str, payload: dict) -> float:
    body, headers = webhooks.signed(payload, APP_SECRET)
    start = time.perf_counter()
    r = await client.post(url, content=body, headers=headers)
    took = (time.perf_counter() - start) * 1000
    r.raise_for_status()
    return took


async def shopper(client: httpx.AsyncClient, url: str, wa_id: str, replies: Replies,
                  acks: list[float], e2e: list[float], problems: list[str]) -> None:
    for text in SAID:
        before = replies.count(wa_id)
        start = time.perf_counter()
        acks.append(await post(client, url, webhooks.text(PHONE_NUMBER_ID, wa_id, text)))
        deadline = start + 120
        while replies.count(wa_id) == before:
            if time.perf_counter() > deadline:
                problems.append(f"{wa_id}: no reply to {text!r}")
                break
            await asyncio.sleep(0.05)
        else:
            e2e.append((replies.arrived(wa_id, before) - start) * 1000)


async def burst(client: httpx.AsyncClient, url: str, n: int, acks: list[float]) -> None:
    """Extra deliveries (statuses, the kind Meta sends most) posted while the engine is busy."""
    async def one(i: int) -> None:
        acks.append(await post(client, url, webhooks.status(PHONE_NUMBER_ID, f"wamid.BENCH{i}", "919700000000", "delivered")))
    for start in range(0, n, 10):
        await asyncio.gather(*(one(i) for i in range(start, min(n, start + 10))))
        await asyncio.sleep(0.02)


async def load(url: str, shoppers: int, replies: Replies, prefix: str = "9190000") -> dict[str, object]:
    acks: list[float] = []
    status_acks: list[float] = []
    e2e: list[float] = []
    problems: list[str] = []
    limits = httpx.Limits(max_connections=shoppers + 20, max_keepalive_connections=shoppers + 20)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(shopper(client, url, f"{prefix}{i:05d}", replies, acks, e2e, problems) for i in range(shoppers)),
            burst(client, url, 500, status_acks))
        took = time.perf_counter() - started
    return {"shoppers": shoppers, "messages": len(acks), "seconds": round(took, 1),
            "ack_ms_messages": summary(acks), "ack_ms_statuses": summary(status_acks),
            "ack_ms_all": summary(acks + status_acks), "reply_ms": summary(e2e),
            "messages_per_s": round(len(acks) / took, 1), "problems": problems[:20]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shoppers", type=int, default=50)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "webhook.json")
    args = ap.parse_args()
    train()
    tmp = Path(tempfile.mkdtemp())
    db = f"sqlite:///{tmp / 'bench.db'}"
    os.environ["DATABASE_URL"] = db
    actions, engine = assistant_services(db, 5106, 5156, prefix="bench-wa-")
    graph = FakeGraph()
    running = start_all([actions, engine])
    load_shop(db)
    gateway = Gateway(gateway_env(db, graph.url, "http://127.0.0.1:5106"), 8106, tmp, prefix="bench-wa-").start()
    url = f"{gateway.url}/webhooks/whatsapp"
    result: dict[str, object] = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()},
    }
    try:
        replies = Replies(graph)
        asyncio.run(load(url, 2, replies, prefix="9180000"))  # warm-up: the first turns load lazily
        result["run"] = asyncio.run(load(url, args.shoppers, replies))
        inbox_settled(db, timeout=300)
        lost_or_doubled = 0
        for i in range(args.shoppers):
            wa_id = f"9190000{i:05d}"
            events = httpx.get(f"http://127.0.0.1:5106/conversations/{wa_id}/tracker",
                               params={"include_events": "ALL"}, timeout=60).json()["events"]
            wamids = [(e.get("metadata") or {}).get("wamid") for e in events if e.get("event") == "user"]
            lost_or_doubled += abs(len(wamids) - len(SAID)) + (len(wamids) - len(set(wamids)))
        result["lost_or_doubled"] = lost_or_doubled
    finally:
        gateway.stop()
        stop_all(running)
        graph.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    run = result["run"]
    assert isinstance(run, dict)
    print(f"\n{args.shoppers} shoppers, {run['messages']} messages + 500 status webhooks in {run['seconds']} s "
          f"({run['messages_per_s']} messages/s); lost or doubled: {result['lost_or_doubled']}")
    print(f"{'':34} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for label, key in (("ack, shopper messages", "ack_ms_messages"), ("ack, status webhooks", "ack_ms_statuses"),
                       ("ack, all (engine busy)", "ack_ms_all"), ("reply, end to end", "reply_ms")):
        s = run[key]
        print(f"{label:34} {s['n']:>6} {s['p50']:>9} {s['p95']:>9} {s['p99']:>9} {s['max']:>9}")
    if run["problems"]:
        print("problems:", *run["problems"], sep="\n  ")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
