"""`chatcart evaluate conversations`: the conversation test set played as shoppers meet the
product — the simulator posting signed webhooks to the API, the WhatsApp worker, the engine
and the action server as `make run` starts them, on a database of their own — and judged on
the replies, the carts and the orders."""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
import yaml
from sqlalchemy import select

from api.simulator.shopper import SimulatedShopper
from bot.cart import service as carts
from bot.catalog.sources import read_shop_catalog
from bot.catalog.store import ensure_shop, load_catalog
from bot.db import models as db
from bot.db.session import session_scope
from bot.evaluation.conversations import Conversation, Result, load, markdown, play, summary
from bot.faq.store import load_facts
from bot.settings import PROJECT_ROOT, get_settings
from cli.engine import registry
from cli.stack import (
    assistant_services,
    start_all,
    stop_all,
    stop_on_sigterm,
    whatsapp_services,
)

CONVERSATIONS = PROJECT_ROOT / "data" / "eval" / "conversations"
EARLIER_ADDRESS = "Flat 7, Shanti Apartments, Andheri East, Mumbai 400069"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def local_stack(database_url: str, run_dir: Path, model: Path | None = None) -> Iterator[str]:
    """Every process of `make run` on this database and free ports; the API's base URL."""
    api_port, engine_port, action_port = _free_port(), _free_port(), _free_port()
    api = f"http://127.0.0.1:{api_port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "development",
        "PUBLIC_BASE_URL": api,
        "RASA_URL": f"http://127.0.0.1:{engine_port}",
        "EXPIRE_UNPAID_EVERY_SECONDS": "0",
    }
    stop_on_sigterm()
    for name in ("WHATSAPP_GRAPH_URL", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET"):
        env.pop(name, None)  # the simulator's capture stands in for the Graph API
    running = start_all(
        [
            *assistant_services(
                database_url, engine_port, action_port, model=model, prefix="eval-"
            ),
            *whatsapp_services(env, api_port, prefix="eval-", run_dir=run_dir),
        ]
    )
    try:
        yield api
    finally:
        stop_all(running)


def seed(database_url: str, folder: Path) -> int:
    """The shop's catalog, and the facts the scripts expect (its FAQs and delivery area)."""
    settings = get_settings()
    facts = yaml.safe_load((folder / "shop.yml").read_text("utf-8")) or {}
    with session_scope(database_url, write=True) as session:
        shop = ensure_shop(session, settings.default_shop_slug, settings.default_shop_name)
        load_catalog(session, shop, read_shop_catalog(PROJECT_ROOT / "data" / "catalog"))
        load_facts(session, shop.id, facts)
        return shop.id


def give_history(database_url: str, shop_id: int, wa_id: str, conversation: Conversation) -> None:
    """The shopper's earlier orders, delivered days ago, as the script says. Written as the
    records they left, not replayed through checkout: their notifications are long sent."""
    with session_scope(database_url, write=True) as session:
        customer = carts.get_or_create_customer(
            session, shop_id, wa_id, language=conversation.language
        )
        for number, packs in enumerate(conversation.earlier_orders):
            when = datetime.now(UTC) - timedelta(
                days=7 * (len(conversation.earlier_orders) - number)
            )
            products = {
                p.sku: p
                for p in session.scalars(
                    select(db.Product).where(
                        db.Product.shop_id == shop_id, db.Product.sku.in_([s for s, _ in packs])
                    )
                )
            }
            lines = [
                db.OrderLine(
                    shop_id=shop_id,
                    product_id=products[sku].id,
                    sku=sku,
                    name=products[sku].name,
                    brand=products[sku].brand,
                    pack_size=products[sku].pack_size,
                    pack_unit=products[sku].pack_unit,
                    unit_price_paise=products[sku].price_paise,
                    count=count,
                )
                for sku, count in packs
            ]
            subtotal = sum(line.unit_price_paise * line.count for line in lines)
            session.add(
                db.Order(
                    shop_id=shop_id,
                    customer_id=customer.id,
                    status="delivered",
                    subtotal_paise=subtotal,
                    delivery_fee_paise=0,
                    total_paise=subtotal,
                    idempotency_key=f"history-{wa_id}-{number}",
                    request_hash="history",
                    payment_method="cod",
                    address=EARLIER_ADDRESS,
                    pincode="400069",
                    delivery_slot=when.strftime("%Y-%m-%dT10"),
                    created_at=when,
                    updated_at=when,
                    lines=lines,
                )
            )


def play_all(
    conversations: list[Conversation], base_url: str, database_url: str, shop_id: int, workers: int
) -> list[Result]:
    def one(numbered: tuple[int, Conversation]) -> Result:
        number, conversation = numbered
        wa_id = f"9177{number:08d}"
        give_history(database_url, shop_id, wa_id, conversation)
        shopper = SimulatedShopper(base_url, wa_id, database_url, shop_id)
        try:
            return play(conversation, shopper)
        finally:
            shopper.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, enumerate(conversations, start=1)))


def conversations(
    folder: Annotated[Path, typer.Option(help="The conversation scripts.")] = CONVERSATIONS,
    only: Annotated[str, typer.Option(help="Play the conversations whose id matches.")] = "",
    workers: Annotated[int, typer.Option(help="Shoppers chatting at once.")] = 4,
    out: Annotated[Path, typer.Option(help="The report (JSON).")] = PROJECT_ROOT
    / "reports"
    / "conversations.json",
    show_failures: Annotated[int, typer.Option(help="How many failures to list.")] = 30,
    model: Annotated[
        str,
        typer.Option(help="The model to play against (default: production; newest: the newest)."),
    ] = "",
) -> None:
    """Task success and turns-to-cart per language on the conversation test set (a few
    minutes: every process starts on a database of its own)."""
    scripts = [c for c in load(folder) if re.search(only, c.id)]
    models = registry()
    chosen = models.names()[-1] if model == "newest" else model
    model_path = models.path(models.get(chosen).name) if chosen else None
    with tempfile.TemporaryDirectory(prefix="chatcart-conversations-") as work:
        database_url = f"sqlite:///{Path(work) / 'chatcart.db'}"
        shop_id = seed(database_url, folder)
        with local_stack(database_url, Path(work), model_path) as base_url:
            results = play_all(scripts, base_url, database_url, shop_id, workers)
    report = summary(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    typer.echo(markdown(report))
    for failure in report["failures"][:show_failures]:
        wrong = next(t for t in failure["turns"] if t["problems"])
        typer.echo(f"  ✗ {failure['id']}: {wrong['shopper']!r} → {'; '.join(wrong['problems'])}")
    typer.echo(f"  report: {out}")
