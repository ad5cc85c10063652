"""Orders benchmark: how many checkouts per second the API takes, and how long one waits, with
20 concurrent clients, on SQLite and on PostgreSQL.

Each run starts a real uvicorn server (one worker) on 127.0.0.1 against a fresh database with
the seed catalog, fills one cart per simulated shopper beforehand (not timed), then lets 20
client threads place the orders over HTTP — `POST /api/v1/orders` with its own Idempotency-Key,
half UPI (the sandbox makes a pay link), half cash on delivery — and times each request.

    .venv/bin/python bench/orders.py                     # both databases, 400 orders each
    .venv/bin/python bench/orders.py --orders 1000 --clients 20
    BENCH_POSTGRES_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/orders.py

PostgreSQL is skipped (and the output says why) when the server cannot be reached. The bench
database is dropped and made again: never point BENCH_POSTGRES_URL at data you want to keep.
Results: a table on stdout and bench/results/orders.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, make_url, text, update
from sqlalchemy.exc import SQLAlchemyError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cart import service as cart  # noqa: E402
from bot.catalog.sources import read_shop_catalog  # noqa: E402
from bot.catalog.store import ensure_shop, load_catalog  # noqa: E402
from bot.db.models import Product  # noqa: E402
from bot.db.session import session_scope  # noqa: E402
from bot.merchants.keys import create_key  # noqa: E402
from bot.orders.slots import next_slots  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/chatcart_bench"
BASKET = [("STP-0013", 1), ("DRY-0001", 2), ("STP-0001", 1)]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fresh_postgres(url: str) -> str | None:
    """Drop and create the bench database; None (with the reason logged) if unreachable."""
    made = make_url(url)
    try:
        admin = create_engine(made.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{made.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{made.database}"'))
        admin.dispose()
    except SQLAlchemyError as exc:  # the server is down or refuses us: say so, bench the rest
        log(f"PostgreSQL skipped: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
        return None
    return url


def prepare(url: str, orders: int) -> str:
    """Catalog, stock for every order, one filled cart per shopper, a channel key."""
    with session_scope(url) as s:
        shop = ensure_shop(s, "default", "ChatCart Kirana")
        load_catalog(s, shop, read_shop_catalog(ROOT / "data" / "catalog"))
        s.execute(update(Product).values(stock=1_000_000))
        key = create_key(s, shop.id, "bench", "channel")[0]
        shop_id = shop.id
    for i in range(orders):
        with session_scope(url) as s:
            cart.add_packs(s, shop_id, f"9170000{i:05d}", BASKET)
    return key


def serve(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "DATABASE_URL": url,
        "PUBLIC_BASE_URL": base,
        "ENVIRONMENT": "development",
        "EXPIRE_UNPAID_EVERY_SECONDS": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run(url: str, orders: int, clients: int, workers: int) -> dict[str, Any]:
    key = prepare(url, orders)
    process, base = serve(url, workers)
    slot = next_slots()[0].id
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    local = threading.local()

    def place(i: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=base, timeout=60)
        body = {
            "wa_id": f"9170000{i:05d}",
            "address": "12 MG Road, Bengaluru",
            "pincode": "560001",
            "delivery_slot": slot,
            "payment_method": "upi" if i % 2 else "cod",
        }
        start = time.perf_counter()
        r = client.post(
            "/api/v1/orders", json=body, headers={"X-API-Key": key, "Idempotency-Key": f"bench-{i}"}
        )
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(place, range(orders)))
        wall = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=20)
    ok = statuses.get(201, 0)
    return {
        "orders": orders,
        "clients": clients,
        "server_workers": workers,
        "created": ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "wall_seconds": round(wall, 3),
        "orders_per_second": round(ok / wall, 1),
        "latency_ms": {
            "p50": round(statistics.median(latencies) * 1000, 1),
            "p95": round(percentile(latencies, 0.95) * 1000, 1),
            "p99": round(percentile(latencies, 0.99) * 1000, 1),
            "max": round(max(latencies) * 1000, 1),
        },
    }


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "orders.json")
    args = parser.parse_args()

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        backends = {
            "sqlite": f"sqlite:///{tmp}/bench.db",
            "postgresql": fresh_postgres(args.postgres),
        }
        for name, url in backends.items():
            if url is None:
                results[name] = {"skipped": "server unreachable"}
                continue
            log(
                f"{name}: preparing {args.orders} carts, then {args.clients} clients place the orders"
            )
            results[name] = run(url, args.orders, args.clients, args.workers)
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "commit": git_commit(),
        "basket": BASKET,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")

    print("| database | orders | clients | created | orders/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        if "skipped" in r:
            print(f"| {name} | skipped: {r['skipped']} | | | | | | |")
            continue
        lat = r["latency_ms"]
        print(
            f"| {name} | {r['orders']} | {r['clients']} | {r['created']} | {r['orders_per_second']} "
            f"| {lat['p50']} | {lat['p95']} | {lat['p99']} |"
        )
    print(f"\nJSON: {args.out}")
    failed = [n for n, r in results.items() if "created" in r and r["created"] != r["orders"]]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
