"""`chatcart merchant create-key|revoke-key|expire-unpaid`: API keys and order housekeeping."""
from __future__ import annotations

from typing import Annotated

import typer

from bot.catalog.store import ensure_shop
from bot.db.session import session_scope
from bot.merchants.keys import create_key, revoke
from bot.orders.service import expire_unpaid
from bot.settings import get_settings

app = typer.Typer(help="Merchant API keys and order housekeeping.", no_args_is_help=True)


@app.command("create-key")
def create_key_command(
    name: Annotated[str, typer.Argument(help="Who or what uses the key (\"owner\", \"whatsapp\").")],
    scope: Annotated[str, typer.Option(help="merchant (everything) or channel (shopper actions)")] = "merchant",
) -> None:
    """Make an API key for the default shop. It is printed once: only its hash is stored."""
    if scope not in ("merchant", "channel"):
        raise typer.BadParameter("scope is merchant or channel")
    settings = get_settings()
    with session_scope(write=True) as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        key, info = create_key(s, shop.id, name, scope)  # type: ignore[arg-type]
    typer.echo(f"key #{info.id} ({info.scope}) for {name}; send it as X-API-Key:")
    typer.echo(key)


@app.command("revoke-key")
def revoke_key_command(key_id: Annotated[int, typer.Argument(help="The number create-key printed.")]) -> None:
    """Stop accepting a key."""
    with session_scope(write=True) as s:
        revoke(s, key_id)
    typer.echo(f"key #{key_id} revoked")


@app.command("expire-unpaid")
def expire_unpaid_command() -> None:
    """Cancel UPI orders left unpaid past PAYMENT_TIMEOUT_MINUTES (the API also does this)."""
    with session_scope(write=True) as s:
        done = expire_unpaid(s)
    typer.echo(f"{len(done)} unpaid orders cancelled" + (f": {done}" if done else ""))
