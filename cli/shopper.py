"""`chatcart shopper`: a shopper's privacy requests that come another way than the chat (a
letter, a call, the console's helpdesk), through the same functions the chat uses."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from bot.cart import service as carts
from bot.catalog.store import ensure_shop
from bot.db.session import session_scope
from bot.privacy import consent
from bot.privacy.erasure import OrderInProgress, erase_shopper
from bot.privacy.retention import purge_old
from bot.settings import get_settings
from bot.shops.directory import by_slug

app = typer.Typer(help="A shopper's privacy: opt out or in, erase their data, purge old text.")

WaId = Annotated[str, typer.Argument(help="The shopper's WhatsApp id (the number, 91…).")]
ShopSlug = Annotated[str | None, typer.Option("--shop", help="The shop (default: the default).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print what changed as JSON.")]


def _shop_id(slug: str | None) -> int:
    settings = get_settings()
    with session_scope(write=True) as s:
        if slug is None:
            return ensure_shop(s, settings.default_shop_slug, settings.default_shop_name).id
        shop = by_slug(s, slug)
        if shop is None:
            typer.echo(f"error: no shop {slug!r}", err=True)
            raise typer.Exit(2)
        return shop.id


@app.command()
def erase(wa_id: WaId, as_json: AsJson = False) -> None:
    """Erase the shopper's personal data in every shop (orders stay, under a keyed hash of the
    number). Refused, exit 1, while one of their orders is still to be delivered."""
    try:
        done = erase_shopper(wa_id)
    except OrderInProgress as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    if as_json:
        typer.echo(json.dumps(asdict(done)))
        return
    if not done.anything:
        typer.echo("nothing to erase")
        return
    typer.echo(
        f"erased: {done.customers} customer record(s), {done.carts} cart(s), "
        f"{done.messages} message(s), {done.review_items} review item(s), "
        f"{done.tracker_events} conversation event(s); {done.orders} order(s) kept "
        "without the number"
    )


@app.command("opt-out")
def opt_out(wa_id: WaId, shop: ShopSlug = None) -> None:
    """Record a STOP the shopper gave another way: no more messages but replies and notices."""
    shop_id = _shop_id(shop)
    with session_scope(write=True) as s:
        changed = consent.opt_out(s, shop_id, wa_id)
    typer.echo("opted out" if changed else "already opted out")


@app.command("opt-in")
def opt_in(wa_id: WaId, shop: ShopSlug = None) -> None:
    """Record a START the shopper gave another way."""
    shop_id = _shop_id(shop)
    with session_scope(write=True) as s:
        changed = consent.opt_in(s, shop_id, wa_id)
    typer.echo("opted in" if changed else "not opted out")


@app.command()
def show(wa_id: WaId, shop: ShopSlug = None) -> None:
    """Whether the shop may message the shopper, as JSON."""
    shop_id = _shop_id(shop)
    with session_scope() as s:
        row = carts.customer_row(s, shop_id, wa_id, create=False)
        typer.echo(
            json.dumps(
                {
                    "customer": row is not None,
                    "opted_out_at": row.opted_out_at.isoformat()
                    if row and row.opted_out_at
                    else None,
                }
            )
        )


@app.command("purge-old")
def purge_old_text(as_json: AsJson = False) -> None:
    """Delete conversation text older than CONVERSATION_RETENTION_DAYS (the worker does it at
    start and every PRIVACY_PURGE_EVERY_HOURS)."""
    done = purge_old()
    if as_json:
        typer.echo(json.dumps(asdict(done), default=str))
        return
    if done.cutoff is None:
        typer.echo("CONVERSATION_RETENTION_DAYS is 0: conversation text is kept")
        return
    typer.echo(
        f"before {done.cutoff:%Y-%m-%d %H:%M} UTC: {done.messages} message(s), "
        f"{done.review_items} review item(s), {done.handoff_replies} handoff repl(ies), "
        f"{done.tracker_events} conversation event(s) purged"
    )
