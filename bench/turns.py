"""Turn latency of the assistant over Rasa's REST channel, with the real processes.

Measures, in one run: engine start-up time; p50/p95 latency of an `add_items` turn (engine →
action server → item engine → cart in the database) and of a bare rule response (`greet`),
with 1 and with 20 concurrent shoppers; turns per second; lost or out-of-order replies; and
the peak memory of the engine and of the action server. `--train` also times `rasa train`.

    .venv/bin/python bench/turns.py            # JSON in bench/results/turns.json
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cli.engine import train  # noqa: E402
from cli.stack import assistant_services, start_all, stop_all  # noqa: E402

ADD = [
    "amul taaza 1 litre",
    "aashirvaad shudh chakki atta 5 kg",
    "tata salt lite 1 kg",
    "2 packet maggi 2-minute masala",
    "fortune kachi ghani mustard oil 1 litre",
]
GREET = ["hi", "hello", "namaste"]


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a process and its children (the engine runs in one process)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def _children(pid: int) -> list[int]:
    try:
        # pgrep exits 1 when there are no children: the empty output says that already
        out = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return []
    return [int(x) for x in out.split()]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2)


async def shopper(
    client: httpx.AsyncClient,
    url: str,
    sender: str,
    rounds: int,
    timings: dict[str, list[float]],
    problems: list[str],
) -> None:
    """One shopper: greet and add items in turn, each message after the previous reply."""
    for i in range(rounds):
        for kind, text in (("greet", GREET[i % len(GREET)]), ("add_items", ADD[i % len(ADD)])):
            start = time.perf_counter()
            r = await client.post(url, json={"sender": sender, "message": text})
            took = (time.perf_counter() - start) * 1000
            replies = r.json() if r.status_code == 200 else []
            joined = " ".join(m.get("text") or "" for m in replies)
            ok = (
                ("ChatCart" in joined or "नमस्ते" in joined or "Namaste" in joined)
                if kind == "greet"
                else any(w in joined.lower() for w in ("cart", "कार्ट", "which", "कौन", "kaunsa"))
            )
            if not ok:
                problems.append(f"{sender} {kind} {text!r}: {joined[:80]!r}")
            timings[kind].append(took)


async def load(url: str, shoppers: int, rounds: int) -> dict[str, Any]:
    timings: dict[str, list[float]] = {"greet": [], "add_items": []}
    problems: list[str] = []
    limits = httpx.Limits(max_connections=shoppers + 5)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(
            *(
                shopper(client, url, f"bench-{shoppers}-{n}", rounds, timings, problems)
                for n in range(shoppers)
            )
        )
        wall = time.perf_counter() - start
    turns = sum(len(v) for v in timings.values())
    return {
        "shoppers": shoppers,
        "turns": turns,
        "turns_per_s": round(turns / wall, 1),
        "greet_ms": {"p50": pct(timings["greet"], 0.5), "p95": pct(timings["greet"], 0.95)},
        "add_items_ms": {
            "p50": pct(timings["add_items"], 0.5),
            "p95": pct(timings["add_items"], 0.95),
        },
        "add_over_greet_p50": round(
            statistics.median(timings["add_items"]) / statistics.median(timings["greet"]), 2
        ),
        "wrong_or_lost_replies": len(problems),
        "problems": problems[:10],
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rounds", type=int, default=10, help="greet+add pairs per shopper")
    ap.add_argument("--train", action="store_true", help="also time a full `rasa train`")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "turns.json")
    args = ap.parse_args()

    result: dict[str, object] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
    }
    if args.train:
        start = time.perf_counter()
        model = train(force=True).path
        result["rasa_train_s"] = round(time.perf_counter() - start, 1)
    else:
        model = train().path  # the model of the checkout's data, production or not

    db = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    actions, engine = assistant_services(db, 5105, 5155, model=model, prefix="bench-")
    t0 = time.perf_counter()
    running = start_all([actions, engine])
    result["engine_startup_s"] = round(time.perf_counter() - t0, 1)
    url = "http://127.0.0.1:5105/webhooks/rest/webhook"
    try:
        asyncio.run(load(url, 2, 2))  # warm-up: first turns load lazily
        runs = [asyncio.run(load(url, n, args.rounds)) for n in (1, 20)]
        result["runs"] = runs
        assert engine.process is not None and actions.process is not None  # start_all ran them
        peak = {
            "engine": peak_rss_mb(engine.process.pid),
            "actions": peak_rss_mb(actions.process.pid),
        }
        result["peak_rss_mb"] = peak
    finally:
        stop_all(running)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"Turn benchmark — {result['date']}, {os.cpu_count()} CPUs")
    print(
        "| shoppers | turns/s | greet p50/p95 ms | add_items p50/p95 ms | add/greet p50 | wrong or lost |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        print(
            f"| {r['shoppers']} | {r['turns_per_s']} | {r['greet_ms']['p50']} / {r['greet_ms']['p95']} | "
            f"{r['add_items_ms']['p50']} / {r['add_items_ms']['p95']} | {r['add_over_greet_p50']}× | "
            f"{r['wrong_or_lost_replies']} |"
        )
    print(
        f"engine start-up {result['engine_startup_s']} s; peak RSS engine {peak['engine']} MB, "
        f"actions {peak['actions']} MB"
        + (f"; rasa train {result['rasa_train_s']} s" if "rasa_train_s" in result else "")
    )
    print(f"Full results: {args.out}")


if __name__ == "__main__":
    main()
