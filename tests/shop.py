"""Fixtures for the shop's orders and payments: a loaded catalog, API keys, a live server, and
a local HTTP server standing in for Razorpay. Registered from tests/conftest.py."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from bot.catalog.sources import CatalogFile, read_shop_catalog
from bot.catalog.store import ensure_shop, load_catalog
from bot.db.models import Product
from bot.db.session import session_scope
from bot.merchants.keys import create_key
from bot.orders.slots import next_slots
from bot.settings import PROJECT_ROOT, get_settings
from tests.loopback import JsonHandler, serve

WA_ID = "919812345678"
ADDRESS = "Flat 4B, 12 MG Road, Bengaluru"
PINCODE = "560001"


SHOP_CATEGORIES = ("staples", "dairy-eggs")


@pytest.fixture
def shop_id(database_url: str, seed_catalog: CatalogFile) -> int:
    """The default shop with two aisles of the seed catalog (enough for every order test, and
    quick to load), every product with 20 packs in stock."""
    settings = get_settings()
    aisles = CatalogFile(
        products=[p for p in seed_catalog.products if p.category in SHOP_CATEGORIES],
        categories=seed_catalog.categories,
    )
    with session_scope() as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        load_catalog(s, shop, aisles)
        s.execute(update(Product).values(stock=20))
        return shop.id


def load_shop(database_url: str, stock: int = 50) -> None:
    """The default shop with the whole seed catalog, as `make run` seeds it, well stocked."""
    settings = get_settings()
    with session_scope(database_url, write=True) as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        load_catalog(s, shop, read_shop_catalog(PROJECT_ROOT / "data" / "catalog"))
        s.execute(update(Product).values(stock=stock))


def set_stock(sku: str, stock: int) -> None:
    with session_scope() as s:
        s.execute(update(Product).where(Product.sku == sku).values(stock=stock))


def stock_of(sku: str) -> int:
    with session_scope() as s:
        return s.scalar(select(Product.stock).where(Product.sku == sku))


def price_of(sku: str) -> int:
    with session_scope() as s:
        return s.scalar(select(Product.price_paise).where(Product.sku == sku))


def slot() -> str:
    return next_slots()[0].id


def checkout(**overrides: Any) -> dict[str, Any]:
    """place_order's keyword arguments for a normal UPI checkout."""
    return {
        "idempotency_key": "key-1",
        "address": ADDRESS,
        "pincode": PINCODE,
        "delivery_slot": slot(),
        "payment_method": "upi",
    } | overrides


@pytest.fixture
def merchant_key(shop_id: int) -> str:
    with session_scope() as s:
        return create_key(s, shop_id, "owner", "merchant")[0]


@pytest.fixture
def channel_key(shop_id: int) -> str:
    with session_scope() as s:
        return create_key(s, shop_id, "whatsapp", "channel")[0]


# A cold start of the API on a machine whose other core is busy: minutes, not seconds.
STARTUP = 180.0


PORTS_PER_WORKER = 1500
FIRST_PORT = 20000  # 8 workers' blocks end at 31999, below Linux's ephemeral ports (32768+)
_handed_out = itertools.count()


def worker_ports() -> range:
    """This pytest-xdist worker's own block of ports. A port the OS picks (`bind(0)`) comes
    from the range it also gives outgoing connections and every other worker, and a server
    started on it may find it taken, while its health check reaches whoever took it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) % 8 if worker.isdigit() else 0
    start = FIRST_PORT + index * PORTS_PER_WORKER
    return range(start, start + PORTS_PER_WORKER)


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A port of this worker's block that nothing listens on, never handed out twice in a run
    while another is left."""
    ports = worker_ports()
    for _ in range(len(ports)):
        port = ports.start + next(_handed_out) % len(ports)
        if _bindable(port):
            return port
    raise AssertionError(f"no free port left in {ports}")


def free_block(offsets: list[int]) -> int:
    """A base port P of this worker's block with P + each offset free (a cluster's ports)."""
    ports = worker_ports()
    span = max(offsets) + 1
    for _ in range(len(ports) // span):
        base = ports.start + next(_handed_out) % (len(ports) - span)
        if all(_bindable(base + offset) for offset in offsets):
            for _ in range(span):
                next(_handed_out)  # the block is the cluster's
            return base
    raise AssertionError(f"no free block of {span} ports left in {ports}")


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def start_server(database_url: str, log: Path, **env: str) -> LiveServer:
    """uvicorn serving api.main:app on 127.0.0.1, as `make run` would, in its own process."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environ = (
        os.environ
        | {"DATABASE_URL": database_url, "PUBLIC_BASE_URL": url, "ENVIRONMENT": "test"}
        | env
    )
    out = log.open("wb")
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
            "--log-level",
            "warning",
        ],
        cwd=PROJECT_ROOT,
        env=environ,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return LiveServer(url, process, log)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the server did not start in {STARTUP:.0f} s: {log.read_text()}")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture
def live_server(shop_id: int, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(database_url, tmp_path / "uvicorn.log")
    yield server
    stop_server(server)


@dataclass
class FakeRazorpay:
    """What the stand-in server was asked, and how it should answer."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail_with: int | None = None


@pytest.fixture
def razorpay_server() -> Iterator[FakeRazorpay]:
    """A real HTTP server on 127.0.0.1 answering the two Razorpay calls the shop makes
    (create a payment link, refund a payment), in Razorpay's shapes."""
    state = FakeRazorpay(url="")

    class Handler(JsonHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.read_json()
            state.requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            if state.fail_with:
                self.send_json(
                    state.fail_with,
                    {"error": {"code": "SERVER_ERROR", "description": "unavailable"}},
                )
            elif self.path == "/v1/payment_links":
                n = len(state.requests)
                self.send_json(
                    200,
                    {
                        "id": f"plink_test{n:06d}",
                        "short_url": f"https://rzp.io/i/t{n}",
                        "amount": body["amount"],
                        "currency": body["currency"],
                        "reference_id": body["reference_id"],
                        "status": "created",
                    },
                )
            elif self.path.startswith("/v1/payments/") and self.path.endswith("/refund"):
                self.send_json(
                    200,
                    {
                        "id": f"rfnd_test{len(state.requests):06d}",
                        "amount": body.get("amount"),
                        "status": "processed",
                    },
                )
            else:
                self.send_json(
                    404, {"error": {"code": "BAD_REQUEST_ERROR", "description": "no route"}}
                )

    server, state.url = serve(Handler)
    yield state
    server.shutdown()
    server.server_close()
